#!/usr/bin/env node
// The `tobira` command: runs the built CLI (npm install builds it through the
// package's prepare script; `npm run build` rebuilds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli/tobira.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('tobira: the CLI is not built yet; run `npm run build` first');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
