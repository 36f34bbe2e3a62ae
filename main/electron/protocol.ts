// app://tobira/ serves the built renderer with the CSP as a header (it is also
// a meta tag in index.html, so it holds however the page is loaded).
import { net, protocol } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_SCHEME, appFileFor, appResponseHeaders } from '../security.js';

const rendererDir = path.resolve(import.meta.dirname, '../renderer');

export function setupProtocolPrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function setupAppProtocol(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFileFor(request.url, rendererDir);
    if (!file) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    return new Response(response.body, {
      status: response.status,
      headers: appResponseHeaders(response.headers),
    });
  });
}
