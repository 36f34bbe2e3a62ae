// Which sender may feed which flow: the one rule that keeps a compromised UI from opening the
// door. Decision frames come only from the capture context, a hidden window of its own that
// runs no UI code (capture.html and its preload: open the camera, forward frames, nothing
// else). The UI renderer shows the camera and draws results, but any XSS or dependency bug
// lands there, so its frames can at most drive what an admin already may do: the preview,
// Compare, and enrollment, and only while an admin session is live.
//
// Why a hidden window and not native capture in main: Chromium's capture stack already
// handles every camera, permission and unplug case the kiosk relies on (and the test bridge's
// fake camera), whereas a native capture in main would add a platform-specific addon and move
// camera I/O into the process that must stay responsive for the door.

/** Where a frame came from, as the gate saw its sender. */
export type FrameSource = 'capture' | 'ui';

/**
 * - `unlock`: decided on: the unlock flow, which may open the door;
 * - `admin`: an admin's preview, Compare or enrollment; never a decision;
 * - `refuse`: not taken at all.
 */
export type FrameRoute = 'unlock' | 'admin' | 'refuse';

export function routeFrame(source: FrameSource, adminActive: boolean): FrameRoute {
  if (source === 'capture') {
    // While an admin works at the screen nothing is decided: the door frames wait.
    return adminActive ? 'refuse' : 'unlock';
  }
  return adminActive ? 'admin' : 'refuse';
}
