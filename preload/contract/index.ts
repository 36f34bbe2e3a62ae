// The whole IPC contract: every invoke channel and every event. Domains add
// their channels in their own file and spread them here.
import { adminChannels } from './admin.js';
import { appChannels } from './app.js';
import { auditChannels } from './audit.js';
import { doorChannels } from './door.js';
import { engineChannels } from './engine.js';
import { fleetChannels } from './fleet.js';
import { packsChannels } from './packs.js';
import { peopleChannels } from './people.js';
import { settingsChannels } from './settings.js';
import type { Outcome, RequestOf, ResultOf } from './define.js';
import type { EventName, Events } from './events.js';
import type { FrameMessage } from './frames.js';

export const channels = {
  ...appChannels,
  ...settingsChannels,
  ...engineChannels,
  ...adminChannels,
  ...packsChannels,
  ...peopleChannels,
  ...auditChannels,
  ...fleetChannels,
  ...doorChannels,
};

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

/** Prefix of every Electron IPC channel, so no foreign channel can collide. */
export const IPC_PREFIX = 'tobira:';
export const FRAME_PORT_CHANNEL = 'tobira-frames:port';

export type InvokeMethods = {
  [K in ChannelName]: (arg: RequestOf<Channels[K]>) => Promise<Outcome<ResultOf<Channels[K]>>>;
};

/** What the preload exposes as `window.tobira`. */
export interface TobiraApi extends InvokeMethods {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** Fire-and-forget: main keeps only the latest pending frame. */
  sendFrame(frame: FrameMessage): void;
}

export type * from './define.js';
export type * from './events.js';
export { EVENT_NAMES } from './events.js';
export type * from './frames.js';
export type * from './app.js';
export type * from './settings.js';
export type * from './admin.js';
export type * from './packs.js';
export type * from './people.js';
export type * from './audit.js';
export type * from './fleet.js';
