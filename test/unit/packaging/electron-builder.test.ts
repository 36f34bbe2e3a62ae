// electron-builder.yml, checked offline with electron-builder's own code: its
// config loader and schema, and the very file matchers it packs app.asar with,
// applied to the built dist/ and the installed native modules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { projectRoot } from '../../helpers/fixtures.js';

interface FileStat {
  isDirectory(): boolean;
  moduleFullFilePath?: string;
}
type Filter = (file: string, stat: FileStat) => boolean;
interface FileMatcher {
  createFilter(): Filter;
}
type Platform = 'linux' | 'win' | 'mac';
interface PlatformOptions {
  target?: unknown;
  files?: unknown;
  desktop?: { entry?: Record<string, string> };
}
interface BuilderConfig extends Record<Platform, PlatformOptions | undefined> {
  appId?: string;
  productName?: string;
  asar?: boolean;
  asarUnpack?: string[];
  electronFuses?: Record<string, boolean>;
  directories?: { output?: string; buildResources?: string };
  [key: string]: unknown;
}
interface PackagerInfo {
  projectDir: string;
  buildResourcesDir: string;
  config: BuilderConfig;
  isPrepackedAppAsar: boolean;
  debugLogger: { isEnabled: boolean };
}
type Expander = (pattern: string) => string;
interface ConfigModule {
  getConfig(projectDir: string, configPath: string, fromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, logger: unknown): Promise<void>;
}
interface FileMatcherModule {
  getMainFileMatchers(
    appDir: string,
    destination: string,
    expand: Expander,
    platformOptions: PlatformOptions,
    packager: { info: PackagerInfo },
    outDir: string,
    isElectronCompile: boolean,
  ): FileMatcher[];
  getNodeModuleFileMatcher(
    appDir: string,
    destination: string,
    expand: Expander,
    platformOptions: PlatformOptions,
    packager: PackagerInfo,
  ): FileMatcher;
  getFileMatchers(
    config: BuilderConfig,
    name: 'asarUnpack',
    destination: string,
    options: {
      macroExpander: Expander;
      customBuildOptions: PlatformOptions;
      globalOutDir: string;
      defaultSrc: string;
    },
  ): FileMatcher[] | null;
}

// app-builder-lib is electron-builder's engine; load the copy electron-builder uses.
const requireFromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder'));
const configModule = requireFromBuilder('app-builder-lib/out/util/config/config.js') as ConfigModule;
const matcherModule = requireFromBuilder('app-builder-lib/out/fileMatcher.js') as FileMatcherModule;
const { DebugLogger, log } = requireFromBuilder('builder-util') as {
  DebugLogger: new (enabled: boolean) => unknown;
  log: { stream: NodeJS.WritableStream };
};
const asar = requireFromBuilder('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  extractFile(archive: string, file: string): Buffer;
};
// electron-builder logs "loaded configuration" to stdout, which node:test's runner reads as its own
// channel; the packing test below captures its child's output itself.
log.stream = new Writable({ write: (_chunk, _encoding, done) => done() });

const root = projectRoot;
const appDest = '/packaged/resources/app';
const ORT_OS: Record<Platform, string> = { linux: 'linux', mac: 'darwin', win: 'win32' };

const loadConfig = () => configModule.getConfig(root, 'electron-builder.yml', null);

const asDir: FileStat = { isDirectory: () => true };
const asFile: FileStat = { isDirectory: () => false };

/** The app's own files (outside node_modules) that electron-builder would put in app.asar. */
function packedAppFiles(config: BuilderConfig, platform: Platform): string[] {
  const info: PackagerInfo = {
    projectDir: root,
    buildResourcesDir: path.resolve(root, config.directories?.buildResources ?? 'build'),
    config,
    isPrepackedAppAsar: false,
    debugLogger: { isEnabled: false },
  };
  const outDir = path.resolve(root, config.directories?.output ?? 'dist');
  const matchers = matcherModule.getMainFileMatchers(
    root,
    appDest,
    (p) => p,
    config[platform] ?? {},
    { info },
    outDir,
    false,
  );
  const skipped = new Set(['node_modules', '.git']);
  const out = new Set<string>();
  // electron-builder copies the union of all its matchers' files.
  for (const matcher of matchers) {
    const filter = matcher.createFilter();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        const isDir = statSync(full).isDirectory();
        if (isDir && skipped.has(name)) continue;
        // Like electron-builder's walker, a folder the filter refuses is not entered.
        if (!filter(full, isDir ? asDir : asFile)) continue;
        if (isDir) walk(full);
        else out.add(path.relative(root, full).split(path.sep).join('/'));
      }
    };
    walk(root);
  }
  return [...out].sort();
}

/** Whether a file of a production dependency is packed, and whether it is unpacked beside the asar. */
function nodeModuleFilters(config: BuilderConfig, platform: Platform) {
  const info: PackagerInfo = {
    projectDir: root,
    buildResourcesDir: path.resolve(root, 'build'),
    config,
    isPrepackedAppAsar: false,
    debugLogger: { isEnabled: false },
  };
  const options = config[platform] ?? {};
  const packed = matcherModule
    .getNodeModuleFileMatcher(root, appDest, (p) => p, options, info)
    .createFilter();
  const unpackMatchers = matcherModule.getFileMatchers(config, 'asarUnpack', appDest, {
    macroExpander: (p) => p,
    customBuildOptions: options,
    globalOutDir: path.join(root, 'release'),
    defaultSrc: root,
  });
  const unpack = unpackMatchers?.[0]?.createFilter();
  // electron-builder matches dependency files by their destination path inside the app.
  const stat = (relative: string): FileStat => ({
    ...asFile,
    moduleFullFilePath: path.posix.join(appDest, relative),
  });
  return {
    isPacked: (relative: string) => packed(path.join(root, relative), stat(relative)),
    isUnpacked: (relative: string) =>
      unpack !== undefined && unpack(path.join(root, relative), stat(relative)),
  };
}

function filesUnder(relativeDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(root, dir))) {
      const rel = path.posix.join(dir, name);
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk(relativeDir);
  return out;
}

/** Bare module specifiers a bundle loads at run time (esbuild leaves externals as import/require). */
function bareImports(bundle: string): Set<string> {
  const source = readFileSync(path.join(root, bundle), 'utf8');
  const specifiers = new Set<string>();
  for (const match of source.matchAll(
    /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"'./][^"']*)["']/g,
  )) {
    specifiers.add(match[1]!);
  }
  return specifiers;
}

const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;

describe('electron-builder.yml', () => {
  test('passes electron-builder’s own schema validation, which does reject a bad key', async () => {
    const config = await loadConfig();
    await configModule.validateConfiguration(config, new DebugLogger(false));
    await assert.rejects(
      configModule.validateConfiguration(
        { ...config, linux: { ...config.linux, targett: 'deb' } as PlatformOptions },
        new DebugLogger(false),
      ),
      /configuration\.linux/,
    );
    assert.equal(config.productName, 'Tobira');
    assert.match(config.appId ?? '', /^[a-z]+(\.[a-z]+)+$/);
  });

  // Only the Linux dir target is built here (last test); installers need their platforms' tools.
  test('asks for AppImage and deb, nsis, and dmg', async () => {
    const config = await loadConfig();
    assert.deepEqual(config.linux?.target, ['AppImage', 'deb']);
    assert.deepEqual(config.win?.target, ['nsis']);
    assert.deepEqual(config.mac?.target, ['dmg']);
  });

  // electron-builder flips the fuses in the real Electron binary, which cannot be installed here:
  // this checks what the config asks for, not a flipped binary.
  test('asks for the fuses: no run-as-node, no NODE_OPTIONS, no inspect flags, asar integrity, app only from asar, no file:// privileges', async () => {
    const fuses = (await loadConfig()).electronFuses ?? {};
    assert.equal(fuses.runAsNode, false);
    assert.equal(fuses.enableNodeOptionsEnvironmentVariable, false);
    assert.equal(fuses.enableNodeCliInspectArguments, false);
    assert.equal(fuses.enableEmbeddedAsarIntegrityValidation, true);
    assert.equal(fuses.onlyLoadAppFromAsar, true);
    assert.equal(fuses.grantFileProtocolExtraPrivileges, false);
  });

  test('gives Linux a launcher entry that starts the kiosk and matches its window', async () => {
    const config = await loadConfig();
    const entry = config.linux?.desktop?.entry ?? {};
    // electron-builder writes Exec itself (from executableName) and refuses one given here.
    assert.equal(entry.Exec, undefined);
    // Electron's X11 WM_CLASS class is the app name, i.e. productName.
    assert.equal(entry.StartupWMClass, config.productName);
    assert.match(entry.Categories ?? '', /^(\w+;)+$/);
    assert.equal(entry.Terminal, 'false');
  });

  test('packs everything the app loads at run time, and no sources, tests or source maps', async () => {
    const config = await loadConfig();
    assert.ok(
      existsSync(path.join(root, 'dist/main/main.js')),
      'dist/ is missing: run `npm run build` first',
    );
    for (const platform of ['linux', 'win', 'mac'] as const) {
      const packed = packedAppFiles(config, platform);
      const must = [
        'package.json',
        'dist/main/main.js',
        'dist/preload/preload.cjs',
        'models/catalog.json',
        ...filesUnder('dist/renderer').filter((f) => !f.endsWith('.map')),
      ];
      // The page's own references (app.js, styles.css) resolve next to index.html.
      const html = readFileSync(path.join(root, 'dist/renderer/index.html'), 'utf8');
      for (const [, ref] of html.matchAll(/(?:src|href)="(?!https?:|data:)([^"#?]+)"/g)) {
        must.push(path.posix.join('dist/renderer', ref!));
      }
      for (const file of must) assert.ok(packed.includes(file), `${platform}: ${file} is not packed`);
      const stray = packed.filter(
        (f) => /\.(ts|map)$/.test(f) || /^(test|main|renderer|preload|scripts|\.ci|\.cache|build)\//.test(f),
      );
      assert.deepEqual(stray, [], `${platform}: packs files the app does not need`);
    }
  });

  test('every package the bundles load at run time is a production dependency', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const builtins = new Set(builtinModules);
    const loaded = [...bareImports('dist/main/main.js'), ...bareImports('dist/preload/preload.cjs')]
      .filter((s) => !s.startsWith('node:') && !builtins.has(s) && s !== 'electron')
      .map(packageName);
    assert.ok(
      loaded.includes('onnxruntime-node'),
      'the main bundle should load onnxruntime-node at run time',
    );
    for (const name of loaded) {
      assert.ok(pkg.dependencies?.[name], `${name} is loaded at run time but is not in "dependencies"`);
    }
    // electron-builder refuses electron in "dependencies"; it provides the runtime itself.
    assert.equal(pkg.dependencies?.electron, undefined);
  });

  test('native binaries are packed, and unpacked beside app.asar', async () => {
    const config = await loadConfig();
    const ortFiles = filesUnder('node_modules/onnxruntime-node/bin');
    assert.ok(
      ortFiles.some((f) => f.endsWith('.node')),
      'onnxruntime-node has no native binding installed',
    );
    for (const platform of ['linux', 'win', 'mac'] as const) {
      const { isPacked, isUnpacked } = nodeModuleFilters(config, platform);
      for (const file of ortFiles.filter((f) => f.split('/').includes(ORT_OS[platform]))) {
        assert.ok(isPacked(file), `${platform}: ${file} must be packed`);
        assert.ok(isUnpacked(file), `${platform}: ${file} must be unpacked from app.asar`);
      }
      const sharpBinaries = existsSync(path.join(root, 'node_modules/@img'))
        ? filesUnder('node_modules/@img')
        : [];
      for (const file of sharpBinaries.filter((f) => /\.(node|so[.\d]*|dylib|dll)$/.test(f))) {
        assert.ok(isPacked(file) && isUnpacked(file), `${platform}: ${file} must be packed and unpacked`);
      }
      // JavaScript stays inside the archive.
      assert.equal(isUnpacked('node_modules/zod/package.json'), false);
    }
  });

  test('the bundled CLI finds models/catalog.json from dist/, whatever the working directory', () => {
    const cli = path.join(root, 'dist/cli/tobira.js');
    assert.ok(existsSync(cli), 'dist/cli/tobira.js is missing: run `npm run build` first');
    const modelsRoot = mkdtempSync(path.join(os.tmpdir(), 'tobira-pack-'));
    try {
      const run = spawnSync(process.execPath, [cli, 'models', 'list', '--json', '--root', modelsRoot], {
        cwd: os.tmpdir(),
        encoding: 'utf8',
        env: { ...process.env, TOBIRA_CATALOG: '' },
      });
      assert.equal(run.status, 0, run.stderr);
      const names = (JSON.parse(run.stdout) as { packs: { name: string }[] }).packs.map((p) => p.name);
      assert.ok(names.includes('buffalo_l'), `catalog packs: ${names.join(', ')}`);
    } finally {
      rmSync(modelsRoot, { recursive: true, force: true });
    }
  });

  test('a real electron-builder pack holds the app in app.asar and the native binaries beside it', async () => {
    // A stand-in Electron binary, since the real one is not downloadable here. Fuses are left out
    // because they patch that real binary; everything else is the config as written.
    const work = mkdtempSync(path.join(os.tmpdir(), 'tobira-dist-'));
    try {
      const electronDist = path.join(work, 'electron');
      mkdirSync(electronDist);
      writeFileSync(path.join(electronDist, 'electron'), '#!/bin/sh\n');
      chmodSync(path.join(electronDist, 'electron'), 0o755);
      const { electronFuses, ...config } = await loadConfig();
      assert.ok(electronFuses);
      const configFile = path.join(work, 'electron-builder.json');
      const output = path.join(work, 'release');
      const electronVersion = (
        JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
      writeFileSync(
        configFile,
        JSON.stringify({
          ...config,
          electronDist,
          electronVersion,
          directories: { ...config.directories, output },
        }),
      );
      const cli = requireFromBuilder.resolve('electron-builder/cli.js');
      const run = spawnSync(
        process.execPath,
        [cli, '--linux', 'dir', '--x64', '--projectDir', root, '--config', configFile],
        {
          encoding: 'utf8',
          env: { ...process.env, CI: 'true' },
        },
      );
      assert.equal(run.status, 0, `electron-builder failed:\n${run.stdout}\n${run.stderr}`);

      const resources = path.join(output, 'linux-unpacked', 'resources');
      const archive = path.join(resources, 'app.asar');
      const entries = asar
        .listPackage(archive, { isPack: false })
        .map((e) => e.split(path.sep).join('/').replace(/^\//, ''));
      for (const file of [
        'package.json',
        'dist/main/main.js',
        'dist/preload/preload.cjs',
        'dist/renderer/index.html',
        'dist/renderer/app.js',
        'dist/renderer/styles.css',
        'models/catalog.json',
      ]) {
        assert.ok(entries.includes(file), `app.asar lacks ${file}`);
      }
      const stray = entries.filter(
        (e) =>
          !e.startsWith('node_modules/') && /\.(ts|map)$|^(test|main|renderer|preload|scripts)\//.test(e),
      );
      assert.deepEqual(stray, []);
      const packedPkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as {
        main: string;
        dependencies: Record<string, string>;
      };
      assert.ok(entries.includes(packedPkg.main), `package.json's main ${packedPkg.main} is not packed`);
      for (const dep of Object.keys(packedPkg.dependencies)) {
        assert.ok(
          entries.includes(`node_modules/${dep}/package.json`),
          `production dependency ${dep} is not packed`,
        );
      }
      assert.ok(
        !entries.some((e) => e.startsWith('node_modules/electron/')),
        'electron itself must not be packed',
      );

      // Native code is loaded from app.asar.unpacked: it must be there as real files.
      const unpacked = path.join(resources, 'app.asar.unpacked', 'node_modules');
      const ortDir = path.join(unpacked, 'onnxruntime-node/bin/napi-v6/linux/x64');
      for (const file of ['onnxruntime_binding.node', 'libonnxruntime.so.1']) {
        assert.ok(existsSync(path.join(ortDir, file)), `${file} is not unpacked`);
      }
      if (process.platform === 'linux' && process.arch === 'x64') {
        assert.ok(
          existsSync(path.join(unpacked, '@img/sharp-linux-x64/lib/sharp-linux-x64.node')),
          'sharp is not unpacked',
        );
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
