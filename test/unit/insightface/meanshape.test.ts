// meanshape_68.pkl, the pickled numpy array InsightFace fits 1k3d68's pose to. The fixtures are
// numpy 1.24's own pickles of one 68×3 array (values rounded to 3 decimals), made with
//   base64(pickle.dumps(a.astype(dtype), protocol=p))
// for protocol 2 (bytes as latin-1 text through _codecs.encode) and protocol 4 (BINBYTES).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { meanShapeFromPickle, readMeanShape } from '../../../main/insightface/meanshape.js';

const PICKLES: [string, string][] = [
  [
    'protocol 2, float32',
    'gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLREsDhnEKY251bXB5CmR0eXBlCnELWAIAAABmNHEMiYiHcQ1ScQ4oSwNYAQAAADxxD05OTkr/////Sv////9LAHRxEGKJaANYxgQAAHnDqXRCClfCmcOCIcKwSEHClkPCiMOBwpZDWcOBw5vDucOOw4BmZnLDgsOwwqfDnsOAw6PCpcOPw4FIYcOHQsKcw4TDmEDClkMpw4ElBgfDgcO4U8Kgw4FxPcO9w4HCgcKVO8OBw7hTZ0ElBsOlw4Avw53DpUHDmcOOwr/DgDVeOj8AwoA5QsOyw5LCgkESwoNyw4EfwoXCr8OAXsK6woFBRjZoQsKLbAHDgcOyw5LDqcOAUMKNw7BBwoPDgMOUw4ExCAzDgcOZw47Dk0HCuknCi0F3wr4vQMOyw5LCoEHCpMKwwqnDgsKsHMO1QcOfT8Omw4FqPEjDgiHCsARBw4UgwqhBw658VcOBAisBw4I5wrRIP8O6fsOKwr8IwqwoQkJgwrNBSgzCukBgZQVCw59Pw4XDgEw3w57DgQ4twoxBw5nDjsKLQXE9w47DgDvDn8K7w4EAAMOcQE7CosKVw4LDi8KhwqVBI8Oba0HDvMKpRMOCw6PCpcOrP05iw6fDgWrCvMK1QcKaGXTDgsOhesObw4HDh0vCqkHCnMOECkLDoXrCgcOCVg5vw4HCvHQdQT81wpLDgULDoD5CwrDDsg7Dgg4tKkHCssKdw7vDgUzCtyhCZmYmwr8hwrAyw4EbL07DgsOsw5FJQsO8wqnCtEEjw5vCtEFEwosIQsOLwqEnQX9qwpnDgVYOw4DDgUoMw4DDgXNoJEJ3Pi/DgsOFIMKPw4EnMRrDgcOjwqXDl0B7FMKKQVrDpBXDgsKawplPw4ICKwfCvsOFwqARQi3CssK1QT0Kw49AcT0Yw4HCg8OADEHCmsKZw6nDgMOFIMOEQcO8wqnCvsOBL8OdwoBACMKsVMOAc2jCgkHDo8Klw5dAwoMAwplCCsOXM0LCpsKbM0Jxwr10w4IQWCPDgWIQwpLDgUbCtn9Bw7TCvcKIw4LCpMOwDEI3CQBCfT8cw4IXw5nDqsOBwq5Hw4DDgcKiRcKmP8O+w5TCmUF9wr91QjfCicK9w4AzM8K4QUw3wpVAJzFTQsK4HsKyQV46JELDrFEBw4JEwovCuMOAw5NNw4PDgcKNwpc0QsO+w5TCnUHDiXYSw4EbL1nDgcOXwqNoQSlcwqjDgRBYw5/DgQwCZ0HCusOJwpNCwrpJw6zDgHNowoXDgT3CigzDgjMzIMOCw6fDu3tBJzHDjEHDjcOMwow+w4vCoR9BK8KHXkDCuB7ChUDDlyM3w4Jtw6dbw4EZBFZAw4PDtcK7w4EhwrBkw4HCjcKXw4TDgXsUIMOBd8K+w4xBw6kmQ8OBRsK2wpPDgMOHS8ODQXfCvsKaQcKLbEtCKcOcesOCw6PCpcONQQbCgWfDgcOfT8KBQFYOw4lBw7TDvQFCwrByw7lBYMOlwpRAw7YoQULDssOSB8OBw7hTwofDgBfDmcK/QcO4U8KEw4FtwqfCgULCpsKbw7RBwrTCiMKCQsK6SUzCv1TDozfDgR1awqBAw4dLwrBBw6fDu8KMw4HCiUE2QSUGAcK/SMOhQUJKDMKfw4F7FMO7QSvCh8Kaw4FQwo3DpsOBw5V4wqrDgcOyw5IOw4ISwoPCjEAGwoHDt0FewrrCnUAKw5fClUEpw5xDQsKywp0BQSlcwrtAMQgEw4FxEWgFhnESUnETdHEUYi4=',
  ],
  [
    'protocol 4, float64',
    'gASV7QYAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBS0RLA4aUaAOMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUJgBgAAd76fGi+dTkB7FK5H4SpTwLx0kxgEFilAnMQgsHIIMcCcxCCwcigrwKwcWmQ73xnAzczMzMxMTsCiRbbz/dQbwNv5fmq89DnAXI/C9SjsWEB/arx0kxgbQJzEILByKCXAVOOlm8TgIMDRItv5fgo0wEjhehSupz/AppvEILByJ8DRItv5fuosQFTjpZvEoBzAz/dT46W7PEBg5dAi2/kXwLKd76fGS+c/AAAAAAAwR0DufD81XlowQKrx0k1iUC7AcT0K16PwFcCe76fGSzcwQBBYObTIBk1AIbByaJEtIMDufD81XjodwIts5/upET5A8tJNYhCYOsAbL90kBoEhwGDl0CLbeTpA8KfGSzdpMUArhxbZzvcFQO58PzVeGjRArkfhehQ2VcDdJAaBlaM+QESLbOf7yTzAZDvfT40HScC8dJMYBJYgQGq8dJMYBDVAVg4tsp2vKsBMN4lBYCVAwEoMAiuHFuk/HVpkO99P+b8v3SQGgRVFQHnpJjEIbDZAqMZLN4lBF0DpJjEIrKxAQESLbOf7qRjA9P3UeOnGO8ASg8DKoYUxQGDl0CLbeTFASOF6FK7HGcCWQ4ts53s3wAAAAAAAgBtAPzVeukm0UsBOYhBYObQ0QAisHFpkey1AaJHtfD+VSMDb+X5qvHT9Pz81XrpJ7DzAZDvfT423NkAzMzMzM4NOwI/C9ShcbzvAtvP91HhJNUB/arx0k1hBQI/C9ShcL1DAbxKDwMrhLcA730+Nl64jQC2yne+nRjLAeekmMQjcR0B1kxgEVt5BwBKDwMqhRSVAwcqhRbZzP8D0/dR46RZFQM3MzMzMzOS/vHSTGARWJsDZzvdT48VJwArXo3A9OklAaJHtfD+VNkAIrBxaZJs2QMUgsHJoEUFATmIQWDn0JEBaZDvfTy0zwG8Sg8DKATjAqMZLN4kBOMCTGARWDo1EQCuHFtnO50XAarx0kxjkMcCgGi/dJEYjwNv5fmq89BpAw/UoXI9CMUAGgZVDi7xCwDMzMzMz80nATDeJQWDlwL9qvHSTGDRCQIPAyqFFtjZA4XoUrkfhGUBI4XoUrgcjwPLSTWIQmCFAMzMzMzMzHcBqvHSTGIQ4QGiR7Xw/1TfAz/dT46UbEEAv3SQGgZUKwJMYBFYOTTBA2/l+arz0GkDy0k1iECBTQHsUrkfhekZA+n5qvHRzRkBI4XoUrpdOwF66SQwCayTANV66SQxCMsAQWDm0yPYvQDm0yHa+F1HArkfhehSeQUD+1HjpJgFAQA4tsp3vh0PAQmDl0CJbPcApXI/C9Qg4wGIQWDm0yPQ/tMh2vp86M0AOLbKd77dOQP7UeOkmsRfAZmZmZmYGN0D0/dR46aYSQKAaL90kZkpApHA9CtdDNkCe76fGS4dEQArXo3A9KkDAxSCwcmgRF8B9PzVeumk4wG3n+6nxkkZAtMh2vp+6M0ACK4cW2U4iwNnO91PjJSvAFK5H4XoULUDsUbgehQs1wF66SQwC6zvAx0s3iUHgLEDwp8ZLN3lSQPCnxks3iR3AkxgEVg6tMMDhehSuR5FBwGZmZmZmBkTAc2iR7Xx/L0CgGi/dJIY5QJqZmZmZmdE/TmIQWDn0I0A3iUFg5dALQKRwPQrXoxBAFK5H4XrkRsCwcmiR7XwrwI2XbhKDwApAH4XrUbh+N8C8dJMYBJYswG3n+6nxkjjAw/UoXI8CJMArhxbZzpc5QL6fGi/dZCjAEFg5tMh2EsC28/3UeGk4QCuHFtnOVzNAIbByaJFtSUDsUbgehVtPwNv5fmq8tDlA46WbxCDwLMBEi2zn+ykQQG8Sg8DKITlAObTIdr4/QEB1kxgEVi4/QOkmMQisnBJAhetRuB4lSEDufD81XvogwNEi2/l+6hDAQmDl0CL7N0DRItv5foowwLByaJHtNFBA+n5qvHSTPkAMAiuHFlFQQPCnxks3iem/I9v5fmr8JsAlBoGVQwsUQLbz/dR4CTZAc2iR7XyfMcDVeOkmMcgmQFTjpZvEIOC/XI/C9Sg8SECoxks3ieEzwMP1KFyPYj9AN4lBYOVQM8CLbOf7qdE8wMl2vp8aTzXA7nw/NV7aQcCq8dJNYpARQOOlm8Qg8D5Anu+nxku3E0B7FK5H4boyQOxRuB6Fe0hAwcqhRbYzIEDsUbgehWsXQBsv3SQGgSDAlHSUYi4=',
  ],
];
const FIRST = [61.228, -76.67, 12.543, -17.033, -13.579, -6.468];
const LAST = [8.101, 5.855, -8.252];

describe('meanshape_68', () => {
  for (const [what, b64] of PICKLES) {
    it(`reads a numpy pickle: ${what}`, () => {
      const m = meanShapeFromPickle(Buffer.from(b64, 'base64'));
      assert.equal(m.length, 204);
      FIRST.forEach((v, i) => assert.ok(Math.abs(m[i]! - v) < 1e-4, `${i}: ${m[i]}`));
      LAST.forEach((v, i) => assert.ok(Math.abs(m[201 + i]! - v) < 1e-4));
    });
  }

  it('refuses a pickle without a 68×3 array', () => {
    assert.throws(() => meanShapeFromPickle(Buffer.from('\x80\x04K\x01.', 'latin1')), /no 68×3 float array/);
  });

  it('reads meanshape_68.json from a pack, and names a malformed one', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-meanshape-'));
    try {
      assert.equal(await readMeanShape(dir), null);
      writeFileSync(
        path.join(dir, 'meanshape_68.json'),
        JSON.stringify(Array.from({ length: 68 }, (_, i) => [i, -i, 2 * i])),
      );
      const m = await readMeanShape(dir);
      assert.deepEqual(Array.from(m!.subarray(201)), [67, -67, 134]);
      writeFileSync(path.join(dir, 'meanshape_68.json'), '[[1, 2, 3]]');
      await assert.rejects(readMeanShape(dir), /meanshape_68\.json: expected 68 \[x, y, z\] rows/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
