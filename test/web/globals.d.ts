import type { TobiraApi } from '../../preload/contract/index.js';

declare global {
  interface Window {
    tobira: TobiraApi;
    /** The camera a test steers (scripted-camera.ts), on the capture page when the harness has one. */
    scriptedCamera: ScriptedCamera;
  }

  interface ScriptedCamera {
    /** Plays `name` once the segment now playing (if any) has ended; resolves when it has played. */
    play(name: string): Promise<void>;
    /** The segment on screen now, or null for `rest`. */
    readonly playing: string | null;
  }
}
