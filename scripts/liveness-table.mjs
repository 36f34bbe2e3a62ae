// Puts the figures of a bench run into the README and the admin screen, so no number there is
// typed by hand:
//   npm run bench -- --only levels --json > bench.json   (or: tobira bench-suite --only levels --json)
//   node scripts/liveness-table.mjs bench.json
// It replaces the README's table between the liveness-table markers and writes
// renderer/screens/admin/liveness-levels-data.ts, both formatted by Prettier.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/liveness-table.mjs BENCH.json');
  process.exit(2);
}
const bench = JSON.parse(readFileSync(file, 'utf8'));
const section = bench['Liveness levels (PAD samples)'];
if (!section || !section.table) {
  console.error(`${file}: no 'Liveness levels (PAD samples)' section (${section?.error ?? 'missing'})`);
  process.exit(1);
}
const readme = path.join(root, 'README.md');
const text = readFileSync(readme, 'utf8');
const start = '<!-- liveness-table:start -->';
const end = '<!-- liveness-table:end -->';
const a = text.indexOf(start);
const b = text.indexOf(end);
if (a < 0 || b < a) {
  console.error('README.md: the liveness-table markers are missing');
  process.exit(1);
}
writeFileSync(readme, `${text.slice(0, a + start.length)}\n${section.markdown.join('\n')}\n${text.slice(b)}`);
const data = `// Written by scripts/liveness-table.mjs from a run of \`npm run bench\` (section
// 'Liveness levels (PAD samples)'): do not edit by hand.
import type { LivenessLevelsTable } from './liveness-levels-table.js';

export const MEASURED: LivenessLevelsTable = ${JSON.stringify(section.table, null, 2)};
`;
const dataFile = path.join(root, 'renderer/screens/admin/liveness-levels-data.ts');
writeFileSync(dataFile, data);
// The project's formatting (Prettier aligns Markdown tables).
execFileSync(path.join(root, 'node_modules/.bin/prettier'), ['--write', readme, dataFile], {
  stdio: 'ignore',
});
console.log(section.markdown.join('\n'));
