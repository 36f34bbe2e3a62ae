// The sandboxed preload: exposes named methods built from the contract, never
// ipcRenderer itself. Frames go over a dedicated MessagePort so their pixels
// are transferred instead of serialised through invoke.
import { contextBridge, ipcRenderer } from 'electron';
import { createApi, type Transport } from './api.js';
import { EVENT_NAMES, FRAME_PORT_CHANNEL, IPC_PREFIX } from './contract/index.js';
import type { Outcome } from './contract/define.js';
import type { EventName, FrameResult } from './contract/index.js';

const framePort = (() => {
  const { port1, port2 } = new MessageChannel();
  ipcRenderer.postMessage(FRAME_PORT_CHANNEL, null, [port2]);
  return port1;
})();

const frameListeners = new Set<(payload: unknown) => void>();
framePort.onmessage = (event: MessageEvent) => {
  for (const listener of frameListeners) listener(event.data as FrameResult);
};

const transport: Transport = {
  invoke: (channel, arg) => ipcRenderer.invoke(IPC_PREFIX + channel, arg) as Promise<Outcome<unknown>>,
  subscribe(event: EventName, listener) {
    if (!EVENT_NAMES.includes(event)) throw new Error(`unknown event: ${String(event)}`);
    if (event === 'frameResult') {
      frameListeners.add(listener);
      return () => frameListeners.delete(listener);
    }
    const wrapped = (_e: Electron.IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_PREFIX + event, wrapped);
    return () => ipcRenderer.removeListener(IPC_PREFIX + event, wrapped);
  },
  sendFrame(frame) {
    framePort.postMessage(frame, [frame.data]);
  },
};

contextBridge.exposeInMainWorld('tobira', createApi(transport));
