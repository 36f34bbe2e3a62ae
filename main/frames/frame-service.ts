// Frames from the capture context and the UI renderer: checked by the gate, routed by
// frame-routing.ts (decision frames only from the capture context), then latest-frame-wins
// into the analyser. Results go back through `reply`, tagged with the frame's id and source;
// the transport decides who hears them (the UI draws results of both).
import type { ChallengeView, FrameResult, Guidance, FaceView } from '../../preload/contract/frames.js';
import type { IpcGate, Refusal, Sender } from '../ipc/gate.js';
import { LatestFrameQueue } from './latest-frame-queue.js';
import { meanLuma } from './pixels.js';
import { routeFrame, type FrameRoute, type FrameSource } from './frame-routing.js';

export interface CheckedFrame {
  id: number;
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface FrameAnalysis {
  faces: FaceView[];
  guidance: Guidance | null;
  challenge?: ChallengeView;
  lockedForMs?: number;
}

/** What turns a frame into faces (and, on the unlock route, a decision); null while no engine is loaded. */
export type FrameAnalyzer = (
  frame: CheckedFrame,
  route: Exclude<FrameRoute, 'refuse'>,
) => Promise<FrameAnalysis>;

type Reply = (result: FrameResult) => void;

interface Queued {
  frame: CheckedFrame;
  source: FrameSource;
  route: Exclude<FrameRoute, 'refuse'>;
  reply: Reply;
}

export class FrameService {
  private readonly queue: LatestFrameQueue<Queued, { result: FrameResult; reply: Reply }>;

  constructor(
    private readonly gate: IpcGate,
    private readonly analyzer: () => FrameAnalyzer | null,
    private readonly adminActive: () => boolean,
    log: (message: string) => void,
  ) {
    this.queue = new LatestFrameQueue(
      async (queued, dropped) => ({ result: await this.analyze(queued, dropped), reply: queued.reply }),
      ({ result, reply }) => reply(result),
      (error, { frame }) =>
        log(`frame ${frame.id} failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Returns a refusal for a bad or unwanted frame; a good one is queued and answered through `reply`. */
  submit(sender: Sender, message: unknown, reply: Reply): Refusal | null {
    const checked = this.gate.checkFrame(sender, message);
    if (!checked.ok) return checked;
    const { id, width, height, rgba, source } = checked;
    const route = routeFrame(source, this.adminActive());
    if (route === 'refuse') {
      return {
        ok: false,
        code: 'FRAME_NOT_ROUTED',
        message:
          source === 'ui'
            ? 'frames from the UI drive an admin preview only, and no admin session is live'
            : 'door frames wait while an admin session is live',
      };
    }
    this.queue.submit({ frame: { id, width, height, rgba }, source, route, reply });
    return null;
  }

  private async analyze({ frame, source, route }: Queued, dropped: number): Promise<FrameResult> {
    const started = performance.now();
    const analyzer = this.analyzer();
    const analysis = analyzer ? await analyzer(frame, route) : { faces: [], guidance: null };
    return {
      id: frame.id,
      source,
      width: frame.width,
      height: frame.height,
      meanLuma: meanLuma(frame.rgba, frame.width, frame.height),
      ...analysis,
      elapsedMs: performance.now() - started,
      dropped,
    };
  }
}
