// The renderer's one frame link: every screen that sends camera frames or draws results does it
// through this controller. Frame ids come from one counter for the whole page, so a panel that
// is closed and reopened never waits for its ids to catch up; each link drops results older
// than the last it showed, and hears only its own source (door frames or admin frames).
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { FrameMessage, FrameResult } from '../../preload/contract/frames.js';
import { api } from '../api.js';

/** One counter for every frame this page sends. */
let nextId = 1;

export class FrameLink implements ReactiveController {
  private lastId = -1;
  private off: (() => void) | null = null;

  constructor(
    host: ReactiveControllerHost,
    /** 'capture': the door's frames (the unlock screen); 'ui': this page's own (admin panels). */
    private readonly source: FrameResult['source'],
    private readonly onResult: (result: FrameResult) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.lastId = -1;
    this.off = api().on('frameResult', (result) => {
      if (result.source !== this.source || result.id < this.lastId) return;
      this.lastId = result.id;
      this.onResult(result);
    });
  }

  hostDisconnected(): void {
    this.off?.();
    this.off = null;
  }

  /** For `@camera-frame`: sends the frame under the page's next id. */
  readonly send = (event: CustomEvent<FrameMessage>): void => {
    api().sendFrame({ ...event.detail, id: nextId++ });
  };
}
