// Runs each test of the given files alone, by --test-name-pattern, to show that no test needs an
// earlier one of its file (issue 21, point 8). Names are read from the source: a template's
// ${…} parts match anything. Run on Node >= 22 with tsx, e.g.
//   bash scripts/with-node22.sh scripts/test-alone.mjs test/e2e/admin-panels.test.ts
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const failed = [];
let passed = 0;
for (const file of process.argv.slice(2)) {
  const source = readFileSync(file, 'utf8');
  const names = [...source.matchAll(/\b(?:it|test)\(\s*(['`"])((?:\\.|(?!\1).)*)\1/gs)].map((m) =>
    m[2].replace(/\\(.)/g, '$1'),
  );
  for (const name of names) {
    const pattern = `^${name
      .split(/\$\{[^}]*\}/)
      .map(escape)
      .join('.*')}$`;
    const started = Date.now();
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', `--test-name-pattern=${pattern}`, file],
      { encoding: 'utf8' },
    );
    const ran = Number(/# pass (\d+)/.exec(r.stdout)?.[1] ?? 0);
    const ok = r.status === 0 && ran > 0;
    if (ok) passed++;
    else failed.push(`${file}: ${name}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${seconds}s (${ran} passed) ${file}: ${name}`);
  }
}
console.log(`\n== ${passed} passed alone, ${failed.length} failed`);
for (const f of failed) console.log(`  failed: ${f}`);
process.exit(failed.length ? 1 : 0);
