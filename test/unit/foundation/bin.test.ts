// `tobira` (bin/tobira.js) started by an older Node runs itself on Node 22, as
// `npx tobira` on Debian's Node 20 does, instead of running on the wrong Node.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../../helpers/fixtures.js';

const bin = path.join(projectRoot, 'bin/tobira.js');
/** A Node older than 22 from the system, if this machine has one (Debian 12's is 18 or 20). */
const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
  if (!existsSync(p)) return false;
  const v = spawnSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
  return Number(v.split('.')[0]) < 22;
});

/**
 * How the test starts `tobira`: with that older Node where the system has one (the real case);
 * otherwise with this Node told to report itself as Node 20 before bin/tobira.js reads its
 * version, so the test runs (and CI never skips it) whatever the system Node is.
 */
const starter = oldNode
  ? { node: oldNode, args: [] as string[], what: `the system's ${oldNode}` }
  : {
      node: process.execPath,
      args: [
        '--import',
        `data:text/javascript,Object.defineProperty(process,'versions',{value:{...process.versions,node:'20.0.0'}})`,
      ],
      what: 'this Node reporting itself as 20.0.0',
    };

test(`tobira on an older Node re-runs itself on Node 22 (${starter.what})`, () => {
  assert.ok(existsSync(path.join(projectRoot, 'dist/cli/tobira.js')), 'build first (npm test does)');
  const run = spawnSync(starter.node, [...starter.args, bin, '--version'], {
    encoding: 'utf8',
    cwd: projectRoot,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^tobira \d+\.\d+\.\d+ \(Node v2[2-9]\./);
});
