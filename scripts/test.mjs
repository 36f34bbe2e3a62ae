// `npm test`: type-check, lint, then the test suites, on Node >= 22 (see with-node22.sh):
// - unit: plain Node on real models and photos; starts no server (`npm run test:unit`);
// - integration: tests that start PostgreSQL, Mosquitto or Chromium themselves, or spawn the
//   CLI or a door process against them (`npm run test:integration`);
// - e2e: the app's screens in Chromium (`npm run test:e2e`).
// `--each-reversed` (`npm run test:reverse`): the same files in reverse order, each file in a
// run of its own, to show that no file needs another to have run first (issue 21). node --test
// sorts the files it is given, so one run per file is the only way to choose their order.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const eachReversed = args.includes('--each-reversed');
const only = args.find((a) => !a.startsWith('--'));

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
if (!only && !eachReversed) {
  run('typecheck', bin('tsc'), ['-b', 'tsconfig.json']);
  run('lint', bin('eslint'), ['.', '--max-warnings', '0']);
  run('format', bin('prettier'), ['--check', '.']);
}
// The end-to-end tests load the built renderer.
run('build', node, ['scripts/build.mjs']);
const suites = only ? [only] : ['unit', 'integration', 'e2e'];
const files = suites.flatMap((s) => testFiles(path.join('test', s)));
// A per-test deadline, so one lost message fails its test instead of stalling the run. Generous
// for a 2-core machine shared with other jobs: the slowest (the PAD samples, the liveness e2e)
// take 1–2 minutes of CPU, and 11 minutes while seven other jobs ran; waits inside the tests fail
// sooner, with a message.
const TEST_TIMEOUT_MS = 20 * 60_000;
// Skips are listed after the runner's own summary, with their reasons. In CI (.ci/run installs
// every prerequisite) the only skip allowed is the Electron smoke test: its binary cannot be
// downloaded there.
const CI_MAY_SKIP = new Set(['test/e2e/electron.test.ts']);
const skipsFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'tobira-test-')), 'skips.jsonl');
const testRun = (list) =>
  spawnSync(
    node,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=1',
      `--test-timeout=${TEST_TIMEOUT_MS}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${path.join(root, 'scripts/skip-reporter.mjs')}`,
      `--test-reporter-destination=${skipsFile}`,
      ...list,
    ],
    { cwd: root, stdio: 'inherit', env: process.env },
  );
console.log(`\n== tests: ${files.length} files${eachReversed ? ', each alone, in reverse order' : ''}`);
const tests = eachReversed ? eachAlone([...files].reverse()) : testRun(files);

/** One run per file in the given order; the failed files are named at the end. */
function eachAlone(list) {
  const started = Date.now();
  const failed = [];
  for (const [i, file] of list.entries()) {
    console.log(`\n== ${i + 1}/${list.length}: ${file}`);
    const r = testRun([file]);
    if (r.status !== 0) failed.push(`${file} (exit ${r.status ?? r.signal})`);
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`\n== ${list.length - failed.length} of ${list.length} files passed alone, in ${minutes} min`);
  for (const f of failed) console.log(`  failed: ${f}`);
  return { status: failed.length ? 1 : 0, signal: null };
}
const skips = existsSync(skipsFile)
  ? readFileSync(skipsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
rmSync(path.dirname(skipsFile), { recursive: true, force: true });
console.log(`\n== ${skips.length} skipped${skips.length ? ':' : ''}`);
const forbidden = new Set();
for (const { file, name, reason } of skips) {
  const relative = file ? path.relative(root, file) : '?';
  console.log(`  ${relative}: ${name}: ${reason}`);
  if (process.env.CI === 'true' && !CI_MAY_SKIP.has(relative)) forbidden.add(relative);
}
if (tests.status !== 0) {
  console.error(`== tests failed (exit ${tests.status ?? tests.signal})`);
  process.exit(tests.status ?? 1);
}
if (forbidden.size > 0) {
  console.error(`== CI must not skip these (install what they need): ${[...forbidden].join(', ')}`);
  process.exit(1);
}
