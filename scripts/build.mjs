// Builds dist/: the Electron main process and CLI (ESM, Node), the sandboxed
// preload (CommonJS, as sandboxed preloads must be), and the renderer bundle.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist');
// Native or Electron-provided packages stay outside the bundles.
const nodeExternal = ['electron', 'onnxruntime-node', 'sharp', 'electron-store', 'conf', 'undici', 'pg', 'mqtt'];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root };
// ESM bundles that still hold CommonJS dependencies need a require().
const esmRequireBanner = {
  js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
};

await Promise.all([
  build({
    ...common,
    entryPoints: {
      'main/main': 'main/electron/main.ts',
      ...(existsSync(path.join(root, 'main/cli/tobira.ts')) ? { 'cli/tobira': 'main/cli/tobira.ts' } : {}),
    },
    outdir: out,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: nodeExternal,
    banner: esmRequireBanner,
    tsconfig: 'tsconfig.node.json',
  }),
  build({
    ...common,
    entryPoints: { 'preload/preload': 'preload/preload.ts' },
    outdir: out,
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron'],
    tsconfig: 'tsconfig.preload.json',
  }),
  build({
    ...common,
    entryPoints: { 'renderer/app': 'renderer/app.ts' },
    outdir: out,
    platform: 'browser',
    format: 'esm',
    target: 'chrome130',
    tsconfig: 'tsconfig.web.json',
  }),
]);
cpSync(path.join(root, 'renderer/index.html'), path.join(out, 'renderer/index.html'));
cpSync(path.join(root, 'renderer/styles.css'), path.join(out, 'renderer/styles.css'));
