// A stand-in for a relay controller / home-automation webhook on loopback: it
// records every request, and can be told to fail.
import { createServer } from 'node:http';
import type { Settings } from '../../preload/contract/settings.js';

/** The relay stand-in's shared HMAC key (X-Tobira-Signature). */
export const RELAY_HMAC_KEY = 'relay-stand-in-hmac-key-0001';

export interface RelayCall {
  method: string;
  path: string;
  body: string;
  at: number;
}

export interface Relay {
  url: string;
  /** The door setting that calls this relay: one POST, no retries, so every call is counted. */
  door: Settings['door'];
  calls: RelayCall[];
  /** HTTP status to answer with (200 by default). */
  status: number;
  close(): Promise<void>;
}

export async function startRelay(): Promise<Relay> {
  const calls: RelayCall[] = [];
  const answer = { status: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      calls.push({ method: req.method ?? '', path: req.url ?? '', body, at: Date.now() });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end('{"relay":"ok"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('relay has no port');
  const url = `http://127.0.0.1:${address.port}/relay/1`;
  return {
    url,
    door: {
      kind: 'http',
      holdMs: 1000,
      method: 'POST',
      url,
      // Loopback plain HTTP: the test's own network, so the insecure switch is on.
      insecureNetwork: true,
      headers: {},
      hmacKey: RELAY_HMAC_KEY,
      pinSha256: [],
      caPem: null,
      timeoutMs: 2000,
      retries: 0,
      backoffMs: 0,
    },
    calls,
    get status() {
      return answer.status;
    },
    set status(value: number) {
      answer.status = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
