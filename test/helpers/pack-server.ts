// A model-pack server on 127.0.0.1 for the pack tests: serves buffers with Range support and can
// cut a connection halfway, stall, or 404. Every request is recorded.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import yazl from 'yazl';
import { modelPath, TEST_PACK_FILES } from './fixtures.js';

export interface Route {
  body: Buffer;
  /** Cut the connection after half the body, for the first `cuts` requests. */
  cuts?: number;
  /** Send headers, then nothing. */
  stall?: boolean;
  /** Delay each 64 KiB chunk by this many ms (to give cancel a window). */
  chunkDelayMs?: number;
  /** Answer every request with the whole body (200), as servers without Range support do. */
  ignoreRange?: boolean;
}

export interface RequestLog {
  path: string;
  range: string | null;
}

export interface PackServer {
  url: (p: string) => string;
  routes: Map<string, Route>;
  requests: RequestLog[];
  close: () => Promise<void>;
}

export async function startPackServer(): Promise<PackServer> {
  const routes = new Map<string, Route>();
  const requests: RequestLog[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0]!;
    requests.push({ path: p, range: req.headers.range ?? null });
    const route = routes.get(p);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    const size = route.body.length;
    let start = 0;
    const m = req.headers.range?.match(/^bytes=(\d+)-$/);
    if (m && Number(m[1]) < size && !route.ignoreRange) start = Number(m[1]);
    const headers: http.OutgoingHttpHeaders = {
      'content-length': String(size - start),
      'content-type': 'application/zip',
      etag: `"${createHash('sha256').update(route.body).digest('hex').slice(0, 16)}"`,
      'accept-ranges': 'bytes',
    };
    if (start > 0) headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    if (route.stall) return; // headers only; the client's idle timeout must fire
    const body = route.body.subarray(start);
    if (route.cuts && route.cuts > 0) {
      route.cuts--;
      res.write(body.subarray(0, Math.floor(body.length / 2)), () =>
        setTimeout(() => req.socket.destroy(), 20),
      );
      return;
    }
    if (route.chunkDelayMs) {
      let offset = 0;
      const next = () => {
        if (res.destroyed) return;
        if (offset >= body.length) return void res.end();
        res.write(body.subarray(offset, offset + 65536));
        offset += 65536;
        setTimeout(next, route.chunkDelayMs);
      };
      next();
      return;
    }
    res.end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    routes,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ZipEntrySpec {
  name: string;
  data: Buffer;
  mode?: number;
}

/** Builds a zip in memory (stored, not deflated: the models barely compress and tests stay fast). */
export function buildZip(entries: ZipEntrySpec[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries)
    zip.addBuffer(e.data, e.name, { compress: false, ...(e.mode ? { mode: e.mode } : {}) });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** Renames entries after the fact (yazl refuses unsafe names): every occurrence of `from`, same length. */
export function patchName(zip: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('patchName needs equal lengths');
  const out = Buffer.from(zip);
  const needle = Buffer.from(from);
  let at = out.indexOf(needle);
  if (at < 0) throw new Error(`${from} not in zip`);
  while (at >= 0) {
    Buffer.from(to).copy(out, at);
    at = out.indexOf(needle, at + needle.length);
  }
  return out;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The buffalo_sc-like test pack: real det_500m + the 8-bit w600k_mbf. */
export async function testPackFiles(): Promise<ZipEntrySpec[]> {
  return Promise.all(TEST_PACK_FILES.map(async (name) => ({ name, data: await readFile(modelPath(name)) })));
}

export function catalogEntry(name: string, url: string, zip: Buffer, files: ZipEntrySpec[], pinFiles = true) {
  return {
    name,
    url,
    sha256: sha256(zip),
    size: zip.length,
    license: 'test licence',
    files: files.map((f) => ({
      name: f.name,
      role: f.name.startsWith('det') ? 'detection' : 'recognition',
      ...(pinFiles ? { sha256: sha256(f.data) } : {}),
    })),
  };
}

/** The MiniFASNet liveness add-on as the catalog lists it (file by file), served by `server` from ../shared/models. */
export async function serveLivenessAddon(server: PackServer, name = 'minifasnet', chunkDelayMs = 0) {
  const live = ['2.7_80x80_MiniFASNetV2.onnx', '4_0_0_80x80_MiniFASNetV1SE.onnx'];
  const bodies = await Promise.all(live.map((n) => readFile(modelPath(n))));
  return {
    name,
    kind: 'addon',
    license: 'Apache-2.0',
    // The bundled catalog gives the add-on's total size too: the setup's progress bar is shared by size.
    size: bodies.reduce((sum, b) => sum + b.length, 0),
    files: live.map((n, i) => {
      server.routes.set(`/${name}/${n}`, { body: bodies[i]!, ...(chunkDelayMs ? { chunkDelayMs } : {}) });
      return {
        name: n,
        role: 'liveness',
        sha256: sha256(bodies[i]!),
        size: bodies[i]!.length,
        url: server.url(`/${name}/${n}`),
      };
    }),
  };
}

/** Serves the test pack's zip at `route`; its files and bytes, for a catalog entry. */
export async function serveTestPack(server: PackServer, route: string) {
  const files = await testPackFiles();
  const zip = await buildZip(files);
  server.routes.set(route, { body: zip });
  return { files, zip };
}
