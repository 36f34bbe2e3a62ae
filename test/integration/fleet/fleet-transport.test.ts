// The fleet database's transport as a LAN attacker would try it (issue 17): a small PostgreSQL
// impostor on loopback that asks for the password in clear text (or as MD5) must get nothing, and
// a database off loopback is reached with verified TLS unless the URL opts out loudly.
import assert from 'node:assert/strict';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, describe, it } from 'node:test';
import { connect } from '../../../main/fleet/db.js';
import { FleetError } from '../../../main/fleet/errors.js';
import { cli, dbArgs } from '../../helpers/fleet-setup.js';

const PASSWORD = 'the-admins-real-password';
/** PostgreSQL's SSLRequest code (protocol docs, "SSLRequest"): 1234 << 16 | 5679. */
const SSL_REQUEST = 80877103;

/** A fake PostgreSQL: answers 'N' to SSLRequest, then asks for the password with `auth` (3: clear text, 5: MD5). */
async function impostor(auth: 3 | 5, host = '127.0.0.1') {
  const received: Buffer[] = [];
  let sslRequested = false;
  const server = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    let startupSeen = false;
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (startupSeen) {
        received.push(chunk);
        return;
      }
      while (buffer.length >= 8) {
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        buffer = buffer.subarray(length);
        if (code === SSL_REQUEST) {
          sslRequested = true;
          socket.write('N');
          continue;
        }
        startupSeen = true;
        const request = Buffer.alloc(auth === 3 ? 9 : 13);
        request.write('R', 0);
        request.writeInt32BE(request.length - 1, 1);
        request.writeInt32BE(auth, 5);
        if (auth === 5) request.write('salt', 9);
        socket.write(request);
        if (buffer.length) received.push(buffer);
        return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `postgres://tobira_admin:${PASSWORD}@${host.includes(':') ? `[${host}]` : host}:${port}/fleet`,
    received: () => Buffer.concat(received),
    sslRequested: () => sslRequested,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('fleet database transport', () => {
  const servers: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  for (const [auth, what] of [
    [3, /in clear text/],
    [5, /as an MD5 hash/],
  ] as const) {
    it(`a server that asks for the password ${auth === 3 ? 'in clear text' : 'as MD5'} gets nothing, and the error says why`, async () => {
      const fake = await impostor(auth);
      servers.push(fake);
      await assert.rejects(connect(fake.url), (e: unknown) => {
        assert.ok(e instanceof FleetError, String(e));
        assert.equal(e.code, 'auth_refused');
        assert.match(e.message, what);
        assert.match(e.message, /only by SCRAM-SHA-256/);
        assert.ok(!e.message.includes(PASSWORD), 'no password in the message');
        return true;
      });
      // Whatever the client sent after the request: no PasswordMessage ('p'), no password bytes.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const sent = fake.received();
      assert.equal(sent.includes(Buffer.from(PASSWORD)), false, 'the password reached the server');
      assert.equal(sent.length > 0 && sent[0] === 'p'.charCodeAt(0), false, 'a PasswordMessage was sent');
      // And through the CLI, with the password from its file: exit 1, a clear sentence.
      const r = await cli('fleet', 'token', 'list', ...dbArgs(fake.url));
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /only by SCRAM-SHA-256/);
      assert.equal(fake.received().includes(Buffer.from(PASSWORD)), false);
    });
  }

  it('off loopback, the client asks for TLS before anything else unless the URL opts out loudly', async (t) => {
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (!lan) return t.skip('this machine has no non-loopback IPv4 address to serve on');
    const fake = await impostor(3, lan);
    servers.push(fake);
    // No sslmode in the URL: verify-full by default, so the first bytes are an SSLRequest,
    // refused ('N'), and the client stops there.
    await assert.rejects(
      connect(fake.url),
      (e: unknown) => e instanceof FleetError && e.code === 'tls_failed',
    );
    assert.equal(fake.sslRequested(), true, 'the client asked for TLS');
    // Plain TCP asked for without the opt-out: refused before connecting, naming the opt-out.
    await assert.rejects(connect(`${fake.url}?sslmode=disable`), (e: unknown) => {
      assert.ok(e instanceof FleetError && e.code === 'insecure_transport', String(e));
      assert.match(e.message, /insecure_transport=yes/);
      return true;
    });
    for (const mode of ['require', 'prefer', 'verify-ca', 'no-verify'])
      await assert.rejects(
        connect(`${fake.url}?sslmode=${mode}`),
        (e: unknown) => e instanceof FleetError && e.code === 'insecure_transport',
        mode,
      );
    // With the opt-out, plain TCP is tried (and still no clear-text password leaves).
    await assert.rejects(
      connect(`${fake.url}?sslmode=disable&insecure_transport=yes`),
      (e: unknown) => e instanceof FleetError && e.code === 'auth_refused',
    );
    assert.equal(fake.received().includes(Buffer.from(PASSWORD)), false);
    // The CLI says the opt-out loudly, and refuses plain TCP without it.
    const loud = await cli(
      'fleet',
      'token',
      'list',
      ...dbArgs(`${fake.url}?sslmode=disable&insecure_transport=yes`),
    );
    assert.match(loud.err, /WARNING: INSECURE TRANSPORT to the fleet database at /);
    const quiet = await cli('fleet', 'token', 'list', ...dbArgs(`${fake.url}?sslmode=disable`));
    assert.equal(quiet.code, 1);
    assert.match(quiet.err, /not verified TLS.*insecure_transport=yes/);
  });
});
