// The door screen's own requests: the Call button, and the camera it shows (for the audit).
import { z } from 'zod';
import { channel } from './define.js';
import { NoArgs } from './app.js';

/** The camera states the door screen reports (renderer/components/camera-view). */
export const DOOR_CAMERA_STATES = ['live', 'missing', 'unplugged', 'denied', 'error'] as const;
export type DoorCameraState = (typeof DOOR_CAMERA_STATES)[number];

export interface CallResult {
  /** Someone was told: the doorbell went out on MQTT or to the HTTP door, or both. */
  delivered: boolean;
  via: ('mqtt' | 'door')[];
}

export const doorChannels = {
  /** The idle screen's Call button: a doorbell event, audited. Anyone at the door may press it. */
  callReception: channel<CallResult>()(NoArgs, 'public'),
  /** The door screen's camera went away or came back: audited once per change. */
  reportCamera: channel<{ logged: boolean }>()(
    z.object({ state: z.enum(DOOR_CAMERA_STATES) }).strict(),
    'public',
  ),
};
