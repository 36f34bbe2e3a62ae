// The browser test harness's stand-in for Electron's IPC transport. Only the
// transport differs: the API object is built by the preload's own createApi,
// and the server calls the same gate and handler table main registers.
import { createApi, type Transport } from '../../preload/api.js';
import type { EventName } from '../../preload/contract/events.js';
import type { Outcome } from '../../preload/contract/define.js';

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
const source = new EventSource('/__bridge/events');
source.onmessage = (message: MessageEvent<string>) => {
  const { event, payload } = JSON.parse(message.data) as { event: EventName; payload: unknown };
  for (const listener of listeners.get(event) ?? []) listener(payload);
};

const transport: Transport = {
  async invoke(channel, arg) {
    const response = await fetch(`/__bridge/invoke/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ arg: arg ?? null }),
    });
    return (await response.json()) as Outcome<unknown>;
  },
  subscribe(event, listener) {
    const set = listeners.get(event) ?? new Set();
    set.add(listener);
    listeners.set(event, set);
    return () => set.delete(listener);
  },
  sendFrame(frame) {
    void fetch(`/__bridge/frame?id=${frame.id}&width=${frame.width}&height=${frame.height}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      // A Blob body keeps DevTools from copying every frame into its network log.
      body: new Blob([frame.data]),
    });
  },
};

window.tobira = createApi(transport);
