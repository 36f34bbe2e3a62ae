// The capture context's whole surface (see main/frames/frame-routing.ts): it receives which
// camera to open and sends frames. No invoke channel, no event but its configuration.
import type { FrameMessage } from './frames.js';

/** Main → capture page: which camera, what size, how often to send a frame. */
export interface CaptureConfig {
  deviceId: string | null;
  width: number;
  height: number;
  /** Milliseconds between frames sent to main. */
  intervalMs: number;
}

export const CAPTURE_CONFIG_CHANNEL = 'tobira-capture:config';
/** The capture page's own frame port; main tells it apart from the UI's by its WebContents. */
export const CAPTURE_PORT_CHANNEL = 'tobira-capture:port';

/** What the capture preload exposes as `window.tobiraCapture`. */
export interface CaptureApi {
  /** Fire-and-forget: main keeps only the latest pending frame. */
  sendFrame(frame: FrameMessage): void;
  /** Called with the configuration now and whenever it changes. */
  onConfig(listener: (config: CaptureConfig) => void): void;
}

/**
 * 80 ms (12.5 frames/s): the overlay's goal is 10 results/s or more (issue 10), and at exactly
 * 10/s any late frame puts it under. A frame with a face costs the engine about 40 ms on the
 * 2-core door PC (npm run bench, face_frame_ms_median), so it keeps up; when it does not, main's
 * latest-frame queue drops the stale frame rather than queueing it. While nobody is in view the
 * extra frames are skipped by the idle sampler (main/frames/idle-sampler.ts) for about 1 ms each.
 */
export const CAPTURE_INTERVAL_MS = 80;

export function captureConfigOf(camera: {
  deviceId: string | null;
  width: number;
  height: number;
}): CaptureConfig {
  return {
    deviceId: camera.deviceId,
    width: camera.width,
    height: camera.height,
    intervalMs: CAPTURE_INTERVAL_MS,
  };
}
