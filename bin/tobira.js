#!/usr/bin/env node
// The `tobira` command: runs the built CLI (npm install builds it through the
// package's prepare script; `npm run build` rebuilds it). The CLI needs Node 22,
// the Node that Electron 45 embeds (onnxruntime-node, undici 8). On an older
// Node it runs itself again on Node 22 through scripts/with-node22.sh, which
// takes Node 22 from the npm registry once; where that cannot work, it stops
// with one line that says how.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const NEEDED_MAJOR = 22;
const major = Number(process.versions.node.split('.')[0]);
if (major < NEEDED_MAJOR) {
  const script = fileURLToPath(new URL('../scripts/with-node22.sh', import.meta.url));
  if (process.platform !== 'win32' && existsSync(script)) {
    const self = fileURLToPath(import.meta.url);
    const run = spawnSync('bash', [script, self, ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(run.status ?? 1);
  }
  console.error(
    `tobira: needs Node ${NEEDED_MAJOR} or newer, and this is Node ${process.versions.node}; ` +
      `install Node ${NEEDED_MAJOR} (https://nodejs.org) and run tobira again`,
  );
  process.exit(1);
}

const cli = new URL('../dist/cli/tobira.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('tobira: the CLI is not built yet; run `npm run build` first');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
