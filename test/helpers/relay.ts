// A stand-in for a relay controller / home-automation webhook on loopback: it
// records every request, and can be told to fail.
import { createServer, type Server } from 'node:http';

export interface RelayCall {
  method: string;
  path: string;
  body: string;
  at: number;
}

export interface Relay {
  url: string;
  calls: RelayCall[];
  /** HTTP status to answer with (200 by default). */
  status: number;
  close(): Promise<void>;
}

export async function startRelay(): Promise<Relay> {
  const calls: RelayCall[] = [];
  const relay = { url: '', calls, status: 200, close: async () => undefined } as Relay;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({
        method: req.method ?? '',
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      res.writeHead(relay.status, { 'content-type': 'application/json' }).end('{"relay":"ok"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('relay has no port');
  relay.url = `http://127.0.0.1:${address.port}/relay/1`;
  relay.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return relay;
}
