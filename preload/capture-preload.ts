// The capture context's sandboxed preload: it forwards camera frames to main over a port of its
// own and hears which camera to open. It exposes nothing else: no invoke, no events, no
// ipcRenderer (see main/frames/frame-routing.ts for why this page exists).
import { contextBridge, ipcRenderer } from 'electron';
import {
  CAPTURE_CONFIG_CHANNEL,
  CAPTURE_PORT_CHANNEL,
  type CaptureApi,
  type CaptureConfig,
} from './contract/capture.js';

const framePort = (() => {
  const { port1, port2 } = new MessageChannel();
  ipcRenderer.postMessage(CAPTURE_PORT_CHANNEL, null, [port2]);
  return port1;
})();

let config: CaptureConfig | null = null;
const listeners = new Set<(config: CaptureConfig) => void>();
ipcRenderer.on(CAPTURE_CONFIG_CHANNEL, (_event, next: CaptureConfig) => {
  config = next;
  for (const listener of listeners) listener(next);
});

const api: CaptureApi = {
  sendFrame(frame) {
    framePort.postMessage(frame, [frame.data]);
  },
  onConfig(listener) {
    listeners.add(listener);
    if (config) listener(config);
  },
};

contextBridge.exposeInMainWorld('tobiraCapture', api);
