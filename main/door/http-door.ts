// A request to a relay controller or home-automation webhook, over HTTPS unless the
// admin switched on "insecure network". Every request is signed (HMAC-SHA256 over
// method, path, timestamp, nonce and body; README "Relay side") and carries one
// Idempotency-Key per opening, the same on every retry.
//
// Retries: a request that never left (no connection: refused, unreachable, DNS,
// connect timeout) is always safe to repeat. One that may have reached the relay
// (a 5xx, a timeout or reset after connecting) is repeated only with the same
// Idempotency-Key, so a relay that honours it pulses once. 4xx and certificate
// failures are final: they will not fix themselves.
//
// The TLS handshake is done first, on its own socket, and the request is written
// only once the relay's certificate (or pinned key) checked out: nothing, not even
// the signed request, goes to a relay that fails the check.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { fillTemplate, jsonStringContent } from './template.js';
import type { DoorConfig, DoorEvent, DoorResult } from './types.js';
import { REDACTED } from '../../preload/contract/settings.js';
import { messageOf } from '../util/message-of.js';

type HttpConfig = Extract<DoorConfig, { kind: 'http' }>;

export const SIGNATURE_HEADERS = {
  timestamp: 'x-tobira-timestamp',
  nonce: 'x-tobira-nonce',
  signature: 'x-tobira-signature',
  idempotencyKey: 'idempotency-key',
} as const;

/** The string the HMAC covers: one field per line, the body last (it may hold newlines). */
export function signingString(
  method: string,
  pathAndQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return [method, pathAndQuery, timestamp, nonce, body].join('\n');
}

export function signRequest(key: string, parts: Parameters<typeof signingString>): string {
  return createHmac('sha256', key)
    .update(signingString(...parts), 'utf8')
    .digest('hex');
}

/** SPKI SHA-256, base64: the form `openssl dgst -sha256 -binary | base64` prints. */
export function spkiSha256(spkiDer: Buffer): string {
  return createHash('sha256').update(spkiDer).digest('base64');
}

/** Failed before a byte of the request left: repeating it cannot open the door twice. */
class NotSentError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Opens the connection and, for https, checks the relay's certificate or pinned key. */
function connectTo(url: URL, config: HttpConfig, timeoutMs: number): Promise<Socket> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tlsConnect({
          host,
          port,
          ...(isIP(host) ? {} : { servername: host }),
          ...(config.caPem ? { ca: config.caPem } : {}),
          // Checked below, before anything is written, so a pin can stand in for the chain.
          rejectUnauthorized: false,
          ALPNProtocols: ['http/1.1'],
        })
      : netConnect({ host, port });
    const fail = (error: NotSentError) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new NotSentError(`could not connect within ${timeoutMs} ms`, true)),
      timeoutMs,
    );
    socket.once('error', (error: NodeJS.ErrnoException) => fail(new NotSentError(error.message, true)));
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      if (secure) {
        const tls = socket as TLSSocket;
        if (config.pinSha256.length > 0) {
          // The SPKI DER (getPeerCertificate().pubkey is the bare key for EC, not SPKI).
          const spki = tls.getPeerX509Certificate()?.publicKey.export({ type: 'spki', format: 'der' });
          const key = spki ? spkiSha256(spki) : 'none';
          if (!config.pinSha256.includes(key)) {
            fail(new NotSentError(`the relay's key ${key} is not one of the pinned keys`, false));
            return;
          }
        } else if (!tls.authorized) {
          fail(
            new NotSentError(
              `the relay's certificate is not trusted: ${String(tls.authorizationError)}`,
              false,
            ),
          );
          return;
        }
      }
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

interface Attempt {
  url: URL;
  body: string;
  idempotencyKey: string;
}

/** One request on a checked connection; resolves with the status line, rejects when no answer came. */
async function sendOnce(config: HttpConfig, attempt: Attempt): Promise<{ status: number; text: string }> {
  const started = performance.now();
  const socket = await connectTo(attempt.url, config, config.timeoutMs);
  const left = Math.max(1, config.timeoutMs - (performance.now() - started));
  const pathAndQuery = attempt.url.pathname + attempt.url.search;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const body = config.method === 'GET' ? '' : attempt.body;
  const signature = signRequest(config.hmacKey, [config.method, pathAndQuery, timestamp, nonce, body]);
  const auth =
    attempt.url.username || attempt.url.password
      ? {
          authorization: `Basic ${Buffer.from(
            `${decodeURIComponent(attempt.url.username)}:${decodeURIComponent(attempt.url.password)}`,
          ).toString('base64')}`,
        }
      : {};
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      createConnection: () => socket,
      method: config.method,
      host: attempt.url.hostname,
      port: attempt.url.port || (attempt.url.protocol === 'https:' ? 443 : 80),
      path: pathAndQuery,
      headers: {
        ...auth,
        ...config.headers,
        [SIGNATURE_HEADERS.timestamp]: timestamp,
        [SIGNATURE_HEADERS.nonce]: nonce,
        [SIGNATURE_HEADERS.signature]: `v1=${signature}`,
        [SIGNATURE_HEADERS.idempotencyKey]: attempt.idempotencyKey,
        ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
        connection: 'close',
      },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${config.timeoutMs} ms`));
    }, left);
    req.once('response', (res: IncomingMessage) => {
      res.resume(); // drain: the answer's body is not needed
      res.once('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: res.statusMessage ?? '' });
      });
      res.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body || undefined);
  });
}

export async function runHttpDoor(config: HttpConfig, event: DoorEvent): Promise<DoorResult> {
  const started = performance.now();
  let attempts = 0;
  const done = (ok: boolean, reason: string | null): DoorResult => ({
    ok,
    kind: 'http',
    reason,
    attempts,
    durationMs: performance.now() - started,
    holdMs: config.holdMs,
  });
  let url: URL;
  let body: string;
  try {
    url = new URL(fillTemplate(config.url, event, config.holdMs, encodeURIComponent));
    body =
      config.body === undefined ? '' : fillTemplate(config.body, event, config.holdMs, jsonStringContent);
  } catch (error) {
    return done(false, messageOf(error));
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && config.insecureNetwork)) {
    return done(false, `refused ${url.protocol}// without the insecure network switch: use https://`);
  }
  const secrets = [config.hmacKey, url.password, ...Object.values(config.headers)];
  if (secrets.includes(REDACTED)) {
    return done(false, 'the door secrets could not be unsealed (is the enrollment store open?)');
  }
  const attempt: Attempt = { url, body, idempotencyKey: randomUUID() };
  let reason = 'not attempted';
  for (let n = 0; n <= config.retries; n++) {
    if (n > 0) await new Promise((r) => setTimeout(r, config.backoffMs * 2 ** (n - 1)));
    attempts++;
    try {
      const { status, text } = await sendOnce(config, attempt);
      if (status >= 200 && status < 300) return done(true, null);
      reason = `HTTP ${status} ${text}`.trim();
      // 4xx (and 3xx: redirects are not followed) will not fix themselves.
      if (status < 500) break;
    } catch (error) {
      reason = messageOf(error);
      if (error instanceof NotSentError && !error.retryable) break;
    }
  }
  return done(false, reason);
}
