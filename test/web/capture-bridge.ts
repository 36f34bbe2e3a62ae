// The browser test harness's stand-in for the capture context's preload: the same two calls
// (frames out, configuration in) over HTTP. The harness tells this page's requests from the
// UI page's by the page they come from, as main tells WebContents apart.
import type { CaptureApi, CaptureConfig } from '../../preload/contract/capture.js';

const listeners = new Set<(config: CaptureConfig) => void>();
let config: CaptureConfig | null = null;
void fetch('/__bridge/capture-config')
  .then((response) => response.json() as Promise<CaptureConfig>)
  .then((next) => {
    config = next;
    for (const listener of listeners) listener(next);
  });

const api: CaptureApi = {
  sendFrame(frame) {
    void fetch(`/__bridge/frame?id=${frame.id}&width=${frame.width}&height=${frame.height}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Blob([frame.data]),
    });
  },
  onConfig(listener) {
    listeners.add(listener);
    if (config) listener(config);
  },
};

window.tobiraCapture = api;
