import { channel } from './define.js';
import { NoArgs } from './app.js';
import type { EngineStatus } from './events.js';

export const engineChannels = {
  getEngineStatus: channel<EngineStatus>()(NoArgs, 'public'),
};
