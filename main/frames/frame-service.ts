// Frames from the renderer: checked by the gate, then latest-frame-wins into
// the analyser. Results go back to whoever sent the frame, tagged with its id.
import type { FrameResult, Guidance, FaceView } from '../../preload/contract/frames.js';
import type { IpcGate, Refusal, Sender } from '../ipc/gate.js';
import { LatestFrameQueue } from './latest-frame-queue.js';
import { meanLuma } from './pixels.js';

export interface CheckedFrame {
  id: number;
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface FrameAnalysis {
  faces: FaceView[];
  guidance: Guidance | null;
}

/** What turns a frame into faces and a decision; null while no engine is loaded. */
export type FrameAnalyzer = (frame: CheckedFrame) => Promise<FrameAnalysis>;

type Reply = (result: FrameResult) => void;

export class FrameService {
  private readonly queue: LatestFrameQueue<
    { frame: CheckedFrame; reply: Reply },
    { result: FrameResult; reply: Reply }
  >;

  constructor(
    private readonly gate: IpcGate,
    private readonly analyzer: () => FrameAnalyzer | null,
    log: (message: string) => void,
  ) {
    this.queue = new LatestFrameQueue(
      async ({ frame, reply }, dropped) => ({ result: await this.analyze(frame, dropped), reply }),
      ({ result, reply }) => reply(result),
      (error, { frame }) =>
        log(`frame ${frame.id} failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Returns a refusal for a bad frame; a good one is queued and answered through `reply`. */
  submit(sender: Sender, message: unknown, reply: Reply): Refusal | null {
    const checked = this.gate.checkFrame(sender, message);
    if (!checked.ok) return checked;
    const { id, width, height, rgba } = checked;
    this.queue.submit({ frame: { id, width, height, rgba }, reply });
    return null;
  }

  private async analyze(frame: CheckedFrame, dropped: number): Promise<FrameResult> {
    const started = performance.now();
    const analyzer = this.analyzer();
    const analysis = analyzer ? await analyzer(frame) : { faces: [], guidance: null };
    return {
      id: frame.id,
      width: frame.width,
      height: frame.height,
      meanLuma: meanLuma(frame.rgba, frame.width, frame.height),
      ...analysis,
      elapsedMs: performance.now() - started,
      dropped,
    };
  }
}
