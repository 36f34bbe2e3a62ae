// `npm test`: type-check, lint, then the test suites, on Node >= 22 (see with-node22.sh):
// - unit: plain Node on real models and photos; starts no server (`npm run test:unit`);
// - integration: tests that start PostgreSQL, Mosquitto or Chromium themselves, or spawn the
//   CLI or a door process against them (`npm run test:integration`);
// - e2e: the app's screens in Chromium (`npm run test:e2e`).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const only = process.argv[2];

// The unit suite alone starts no server: test/helpers/suite.ts fails a unit test that tries.
const env = only === 'unit' ? { ...process.env, TOBIRA_TEST_SUITE: 'unit' } : process.env;

function run(label, cmd, args) {
  console.log(`\n== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
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
const suites = only ? [only] : ['unit', 'integration', 'e2e'];
const files = suites.flatMap((s) => testFiles(path.join('test', s)));
run('tests', node, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files]);
