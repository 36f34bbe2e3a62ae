// The browser test harness: main's services, gate and handlers in this Node
// process; the built renderer served on http://127.0.0.1; Debian's Chromium
// with a fake camera playing a .y4m; and an HTTP bridge standing in for
// Electron's IPC transport only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AppServices } from '../../main/services.js';
import type { ServicesOptions } from '../../main/services-options.js';
import type { PickRequest } from '../../main/util/file-picker.js';
import { createNodeServices } from './node-services.js';
import { LIVENESS_PACK } from '../../main/engine/face-engine.js';
import { ANTI_SPOOF_MODEL_FILES } from '../../main/liveness/anti-spoof.js';
import type { SettingsPatch } from '../../preload/contract/settings.js';
import { wireIpc, type WiredIpc } from '../../main/ipc/wire.js';
import type { Sender } from '../../main/ipc/gate.js';
import { CONTENT_SECURITY_POLICY } from '../../main/security.js';
import { captureConfigOf } from '../../preload/contract/capture.js';
import { modelPath, projectRoot } from './fixtures.js';
import { mayStartServer } from './suite.js';

export const CHROMIUM_PATH = process.env.TOBIRA_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // The capture page is a second tab: keep its timers at full rate, as Electron's hidden
  // capture window does with backgroundThrottling: false.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** The id the harness gives the UI page, as Electron gives the app window its WebContents id. */
export const PAGE_CONTENTS_ID = 1;
/** The capture context's id (main/frames/frame-routing.ts): the capture page's requests carry it. */
export const CAPTURE_CONTENTS_ID = 2;
const CAPTURE_PATH = '/capture/capture.html';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
};

const bridgeSources = new Map<string, Promise<string>>();
function bridgeScript(file = 'test/web/http-bridge.ts'): Promise<string> {
  const cached = bridgeSources.get(file);
  if (cached) return cached;
  const bundled = build({
    entryPoints: [path.join(projectRoot, file)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome130',
    tsconfig: path.join(projectRoot, 'tsconfig.web.json'),
    logLevel: 'warning',
  }).then((result) => result.outputFiles[0]!.text);
  bridgeSources.set(file, bundled);
  return bundled;
}

export interface HarnessOptions {
  /** A .y4m for Chromium's fake camera; omitted: Chromium's own test pattern. */
  y4m?: string;
  dataDir?: string;
  viewport?: { width: number; height: number };
  /** Extra services options, e.g. a fetch for pack downloads. */
  services?: Partial<ServicesOptions>;
  /** Grant the camera (default) or leave it denied. */
  grantCamera?: boolean;
  /** Model files from ../shared/models to import as a face pack before start (once per data folder). */
  facePack?: readonly string[];
  /** Import the MiniFASNet liveness add-on too. */
  livenessPack?: boolean;
  /** Settings to apply before the engine starts. */
  settings?: SettingsPatch;
  /** Command-line flags as main would see them, e.g. `--catalog=FILE`. */
  argv?: string[];
  /** Leave the engine unstarted (the test starts it when it wants). */
  deferStart?: boolean;
  /**
   * A camera the test steers, for the capture page only (test/web/scripted-camera.ts), instead of
   * Chromium's fake one: image files per segment name (`rest`: one still), played at `fps`.
   */
  camera?: ScriptedCameraFrames;
}

export interface ScriptedCameraFrames {
  fps: number;
  /** The least time `rest` shows between two segments, in ms. */
  restMs: number;
  segments: Record<string, readonly string[]>;
}

export interface Harness {
  origin: string;
  services: AppServices;
  ipc: WiredIpc;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** The capture context: a page of its own that only opens the camera and sends door frames. */
  capturePage: Page;
  dataDir: string;
  kioskExits: number;
  /** Answers for main's file dialogs, taken in order; an empty queue is a cancelled dialog. */
  picks: (string[] | null)[];
  /** What main logged. */
  logs: string[];
  pickRequests: PickRequest[];
  /** Open the app page and wait for the shell to render. */
  open(): Promise<void>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Real model files copied into a temp folder: pack import refuses symlinks, as it should. */
function copyModels(files: readonly string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-import-'));
  for (const file of files) copyFileSync(modelPath(file), path.join(dir, file));
  return dir;
}

export const screenshotDir = path.join(projectRoot, 'test-results', 'screenshots');

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'tobira-e2e-'));
  const built = await createNodeServices({
    dataDir,
    ...(options.argv ? { argv: options.argv } : {}),
    ...(options.services ? { services: options.services } : {}),
  });
  const { services, picks, pickRequests } = built;
  const installed = new Set((await services.packs.list()).filter((p) => p.installed).map((p) => p.name));
  if (options.facePack && !installed.has('test-pack')) {
    await services.packs.import(copyModels(options.facePack), { name: 'test-pack' });
  }
  if (options.livenessPack && !installed.has(LIVENESS_PACK)) {
    await services.packs.import(copyModels(ANTI_SPOOF_MODEL_FILES), { name: LIVENESS_PACK });
  }
  if (options.settings) services.settings.update(options.settings);
  if (!options.deferStart) await services.engine.start();
  let origin = '';
  // Wired once the server's port, and so the page's origin, is known.
  let ipc: WiredIpc | null = null;
  const eventStreams = new Set<ServerResponse>();
  services.events.subscribe((event, payload) => {
    for (const res of eventStreams) res.write(`data: ${JSON.stringify({ event, payload })}\n\n`);
  });

  const rendererDir = path.join(projectRoot, 'dist', 'renderer');
  if (!existsSync(path.join(rendererDir, 'app.js'))) {
    throw new Error('dist/renderer is missing: run `npm run build` first');
  }
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });

  const senderOf = (req: IncomingMessage): Sender => {
    const url = req.headers.referer ?? req.headers.origin ?? '';
    let fromCapture = false;
    try {
      fromCapture = new URL(url).pathname === CAPTURE_PATH;
    } catch {
      // Not a URL: the gate refuses the sender by its URL anyway.
    }
    return { contentsId: fromCapture ? CAPTURE_CONTENTS_ID : PAGE_CONTENTS_ID, url, isTopFrame: true };
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    if (!ipc) throw new Error('harness not ready');
    if (url.pathname === '/__bridge/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(':ok\n\n');
      eventStreams.add(res);
      req.on('close', () => eventStreams.delete(res));
      return;
    }
    if (url.pathname.startsWith('/__bridge/invoke/')) {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { arg: unknown };
      const channel = decodeURIComponent(url.pathname.slice('/__bridge/invoke/'.length));
      const outcome = await ipc.gate.handle(channel, senderOf(req), body.arg === null ? undefined : body.arg);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(outcome));
      return;
    }
    if (options.camera && url.pathname.startsWith('/__camera/')) {
      const { fps, restMs, segments } = options.camera;
      if (url.pathname === '/__camera/manifest.json') {
        const counts = Object.fromEntries(
          Object.entries(segments).map(([name, files]) => [name, files.length]),
        );
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ fps, restMs, segments: counts }));
        return;
      }
      const [, , name = '', index = ''] = url.pathname.split('/');
      const file = segments[name]?.[Number(index)];
      if (!file) {
        res.writeHead(404).end('no such camera frame');
        return;
      }
      const type = MIME[path.extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(await readFile(file));
      return;
    }
    if (url.pathname === '/__bridge/capture-config') {
      const config = captureConfigOf(services.settings.get().camera);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config));
      return;
    }
    if (url.pathname === '/__bridge/frame') {
      const data = await readBody(req);
      const message = {
        id: Number(url.searchParams.get('id')),
        width: Number(url.searchParams.get('width')),
        height: Number(url.searchParams.get('height')),
        data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      };
      const refused = ipc.frames.submit(senderOf(req), message, (result) =>
        services.events.emit('frameResult', result),
      );
      res.writeHead(refused ? 400 : 204).end(refused ? JSON.stringify(refused) : undefined);
      return;
    }
    // The UI page loading again is a reload: its admin session ends, as Electron's shell ends it.
    if (url.pathname === '/' || url.pathname === '/index.html') {
      services.adminSession.end('reloaded', PAGE_CONTENTS_ID);
    }
    const file = path.normalize(path.join(rendererDir, url.pathname === '/' ? 'index.html' : url.pathname));
    if (!file.startsWith(rendererDir + path.sep) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
    });
    res.end(await readFile(file));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('harness server has no port');
  origin = `http://127.0.0.1:${address.port}`;
  // The gate's allow-list holds exactly the page's origin, as main's holds app://tobira.
  const wired = wireIpc(
    services,
    [origin],
    () => PAGE_CONTENTS_ID,
    () => CAPTURE_CONTENTS_ID,
  );
  ipc = wired;

  const grant = options.grantCamera !== false;
  const cameraFlags = [
    // Without the fake UI the permission prompt stays unanswered: the camera is denied.
    ...(grant ? ['--use-fake-ui-for-media-stream'] : ['--deny-permission-prompts']),
    '--use-fake-device-for-media-stream',
    ...(options.y4m ? [`--use-file-for-fake-video-capture=${options.y4m}`] : []),
  ];
  mayStartServer('Chromium');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_FLAGS, ...cameraFlags],
  });
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  if (grant) await context.grantPermissions(['camera'], { origin });
  const page = await context.newPage();
  await page.addInitScript({ content: await bridgeScript() });
  const capturePage = await context.newPage();
  await capturePage.addInitScript({ content: await bridgeScript('test/web/capture-bridge.ts') });
  if (options.camera) {
    await capturePage.addInitScript({ content: await bridgeScript('test/web/scripted-camera.ts') });
  }

  const harness: Harness = {
    origin,
    services,
    ipc: wired,
    browser,
    context,
    page,
    capturePage,
    dataDir,
    get kioskExits() {
      return built.kioskExits();
    },
    picks,
    logs: built.logs,
    pickRequests,
    async open() {
      await page.goto(`${origin}/index.html`);
      await page.waitForSelector('tobira-app');
      if (capturePage.url() === 'about:blank') await capturePage.goto(`${origin}${CAPTURE_PATH}`);
      await page.bringToFront();
    },
    async screenshot(name) {
      const file = path.join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      for (const res of eventStreams) res.end();
      await services.close();
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
  return harness;
}

function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
