// Builds dist/: the Electron main process and CLI (ESM, Node), the sandboxed
// preload (CommonJS, as sandboxed preloads must be), and the renderer bundle.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist');
// Native or Electron-provided packages stay outside the bundles.
const nodeExternal = [
  'electron',
  'onnxruntime-node',
  'sharp',
  'electron-store',
  'conf',
  'undici',
  'pg',
  'mqtt',
];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root };
// ESM bundles that still hold CommonJS dependencies need a require().
const esmRequireBanner = {
  js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
};

const nodeEsm = {
  ...common,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  external: nodeExternal,
  banner: esmRequireBanner,
  tsconfig: 'tsconfig.node.json',
};
const hasCli = existsSync(path.join(root, 'main/cli/tobira.ts'));

await Promise.all([
  // The Electron main process: one file (electron-builder packs dist/main/** only).
  build({ ...nodeEsm, entryPoints: { 'main/main': 'main/electron/main.ts' }, outdir: out }),
  // The CLI: each subcommand is loaded on demand (main/cli/tobira.ts), and split into chunks of
  // its own, so the bench sections and their throwaway servers (main/cli/bench/) are read only
  // when `tobira bench-suite` runs.
  ...(hasCli
    ? [
        build({
          ...nodeEsm,
          entryPoints: { tobira: 'main/cli/tobira.ts' },
          outdir: path.join(out, 'cli'),
          splitting: true,
          chunkNames: 'chunks/[name]-[hash]',
        }),
      ]
    : []),
  build({
    ...common,
    entryPoints: {
      'preload/preload': 'preload/preload.ts',
      // The capture context's preload (main/frames/frame-routing.ts): frames out, config in.
      'preload/capture-preload': 'preload/capture-preload.ts',
    },
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
    entryPoints: {
      'renderer/app': 'renderer/app.ts',
      'renderer/capture/capture': 'renderer/capture/capture.ts',
    },
    outdir: out,
    platform: 'browser',
    format: 'esm',
    target: 'chrome130',
    tsconfig: 'tsconfig.web.json',
  }),
]);
cpSync(path.join(root, 'renderer/index.html'), path.join(out, 'renderer/index.html'));
cpSync(path.join(root, 'renderer/styles.css'), path.join(out, 'renderer/styles.css'));
cpSync(path.join(root, 'renderer/capture/capture.html'), path.join(out, 'renderer/capture/capture.html'));

// The Japanese UI must not depend on a system font: a fresh Debian has no CJK
// font and shows tofu boxes. BIZ UDPGothic (SIL OFL 1.1, from @fontsource) is a
// universal-design face made for public signage, with Latin and kana/kanji. Its
// CSS splits the glyphs into unicode-range subsets, so the page loads only the
// subsets it draws. Only the woff2 files are copied (Chromium reads woff2), and
// they are served from the app's own origin, as the CSP's font-src 'self' wants.
const fontPackage = path.join(root, 'node_modules/@fontsource/biz-udpgothic');
const fontsOut = path.join(out, 'renderer/fonts');
mkdirSync(fontsOut, { recursive: true });
const faces = ['400.css', '700.css'].map((name) =>
  readFileSync(path.join(fontPackage, name), 'utf8')
    // Keep the woff2 source only; point it at dist/renderer/fonts/.
    .replace(
      /url\(\.\/files\/([\w-]+\.woff2)\) format\('woff2'\)(, url\([^)]*\) format\('woff'\))?/g,
      (_, file) => {
        cpSync(path.join(fontPackage, 'files', file), path.join(fontsOut, file));
        return `url(./fonts/${file}) format('woff2')`;
      },
    ),
);
if (faces.some((css) => /format\('woff'\)|\.\/files\//.test(css))) {
  throw new Error('build: unexpected @fontsource CSS layout; update the font step in scripts/build.mjs');
}
writeFileSync(path.join(out, 'renderer/fonts.css'), faces.join('\n'));
cpSync(path.join(fontPackage, 'LICENSE'), path.join(fontsOut, 'LICENSE-BIZ-UDPGothic.txt'));
