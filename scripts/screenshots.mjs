// `npm run screenshots`: the screenshots for docs/. test/e2e/screens.test.ts,
// screens-admin.test.ts (the lock step, the settings' lock, the audit view), door.test.ts (the door
// screen's results, faults, lockout and challenge), stranger-rate.test.ts and
// fleet-panel.test.ts (the Fleet panel, which needs PostgreSQL) take them (en and ja,
// landscape 1280×800 and portrait 800×1280) into test-results/screenshots/docs/;
// this copies them to docs/screens/ as palette PNGs, small enough to keep in the repository
// (74 shots, about 6 MiB).
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const root = path.resolve(import.meta.dirname, '..');
const from = path.join(root, 'test-results', 'screenshots', 'docs');
const to = path.join(root, 'docs', 'screens');
/** A 1280-px-wide screenshot is shown in the README at about half size: 0.75 keeps text crisp. */
const SCALE = 0.75;

/** `node scripts/screenshots.mjs setup-lock admin-audit`: only the shots whose names start so. */
const prefixes = process.argv.slice(2);
let names;
try {
  names = readdirSync(from).filter(
    (n) => n.endsWith('.png') && (prefixes.length === 0 || prefixes.some((p) => n.startsWith(p))),
  );
} catch {
  names = [];
}
if (names.length === 0) {
  console.error(`no screenshots in ${from}: run test/e2e/screens.test.ts first (npm run screenshots does)`);
  process.exit(1);
}
mkdirSync(to, { recursive: true });
let total = 0;
for (const name of names.sort()) {
  const source = path.join(from, name);
  const { width } = await sharp(source).metadata();
  const target = path.join(to, name);
  await sharp(source)
    .resize({ width: Math.round((width ?? 1280) * SCALE) })
    .png({ palette: true, quality: 80, effort: 10, compressionLevel: 9 })
    .toFile(target);
  const size = statSync(target).size;
  total += size;
  console.log(`${path.relative(root, target)}  ${(size / 1024).toFixed(0)} KiB`);
}
console.log(
  `${names.length} screenshots, ${(total / 1024 / 1024).toFixed(2)} MiB in ${path.relative(root, to)}`,
);
