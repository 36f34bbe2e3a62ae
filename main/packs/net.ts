// The CLI's fetch: undici with EnvHttpProxyAgent, so HTTPS_PROXY / HTTP_PROXY / NO_PROXY are
// honoured as curl does. The Electron app passes its own `net.fetch` (the system proxy) instead.
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';
import type { FetchLike } from './download.js';

let agent: EnvHttpProxyAgent | null = null;

export const envProxyFetch: FetchLike = async (url, init) => {
  agent ??= new EnvHttpProxyAgent();
  const response = await undiciFetch(url, { headers: init.headers, signal: init.signal, dispatcher: agent });
  // undici's Response is the WHATWG Response the global type describes.
  return response as unknown as Response;
};
