// Latest-frame-wins: while a frame is being processed, a newer one replaces the
// pending one. Nothing queues up, and the sender never waits.

export class LatestFrameQueue<F, R> {
  private pending: F | null = null;
  private busy = false;
  private replaced = 0;

  constructor(
    private readonly process: (frame: F, dropped: number) => Promise<R>,
    private readonly deliver: (result: R) => void,
    private readonly onError: (error: unknown, frame: F) => void,
  ) {}

  submit(frame: F): void {
    if (this.pending !== null) this.replaced += 1;
    this.pending = frame;
    if (!this.busy) void this.drain();
  }

  /** True while a frame is in the engine. */
  get isBusy(): boolean {
    return this.busy;
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.pending !== null) {
        const frame = this.pending;
        const dropped = this.replaced;
        this.pending = null;
        this.replaced = 0;
        try {
          this.deliver(await this.process(frame, dropped));
        } catch (error) {
          this.onError(error, frame);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
