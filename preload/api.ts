// Builds `window.tobira` from the contract over any transport. Electron's
// preload passes an ipcRenderer transport; the browser test harness passes an
// HTTP one. Everything above the transport is the same code.
import { CHANNEL_NAMES } from './contract/index.js';
import type { ChannelName, InvokeMethods, TobiraApi } from './contract/index.js';
import type { Outcome } from './contract/define.js';
import type { EventName, Events } from './contract/events.js';
import type { FrameMessage } from './contract/frames.js';

export interface Transport {
  invoke(channel: ChannelName, arg: unknown): Promise<Outcome<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
  sendFrame(frame: FrameMessage): void;
}

export function createApi(transport: Transport): TobiraApi {
  const methods = Object.fromEntries(
    CHANNEL_NAMES.map((name) => [name, (arg: unknown) => transport.invoke(name, arg)]),
  ) as unknown as InvokeMethods;
  return {
    ...methods,
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      return transport.subscribe(event, listener as (payload: unknown) => void);
    },
    sendFrame(frame: FrameMessage) {
      transport.sendFrame(frame);
    },
  };
}
