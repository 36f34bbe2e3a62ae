// `npm test`: type-check, lint, then the Node unit tests and the Chromium
// end-to-end tests, on Node >= 22 (see with-node22.sh).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const only = process.argv[2];

function run(label, cmd, args) {
  console.log(`\n== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`== ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function testFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.ts')) out.push(path.relative(root, p));
    }
  };
  walk(path.join(root, dir));
  return out.sort();
}

const node = process.execPath;
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
if (!only) {
  run('typecheck', bin('tsc'), ['-b', 'tsconfig.json']);
  run('lint', bin('eslint'), ['.', '--max-warnings', '0']);
  run('format', bin('prettier'), ['--check', '.']);
}
// The end-to-end tests load the built renderer.
run('build', node, ['scripts/build.mjs']);
const suites = only ? [only] : ['unit', 'e2e'];
const files = suites.flatMap((s) => testFiles(path.join('test', s)));
// A per-test deadline, so one lost message fails its test instead of stalling the run. Generous
// for a 2-core machine shared with other jobs: the slowest tests (the liveness e2e, three doors)
// take about a minute there; waits inside the tests fail sooner, with a message.
const TEST_TIMEOUT_MS = 10 * 60_000;
run('tests', node, [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=1',
  `--test-timeout=${TEST_TIMEOUT_MS}`,
  '--test-reporter=spec',
  ...files,
]);
