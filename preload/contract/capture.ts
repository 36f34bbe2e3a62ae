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

/** 100 ms: the door's 10 fps, which the decision's agreeing frames and liveness window assume. */
export const CAPTURE_INTERVAL_MS = 100;

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
