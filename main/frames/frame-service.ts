// Frames from the capture context and the UI renderer: checked by the gate, routed by
// frame-routing.ts (decision frames only from the capture context), then latest-frame-wins
// into the analyser. Results go back through `reply`, tagged with the frame's id and source;
// the transport decides who hears them (the UI draws results of both).
import type { ChallengeView, FrameResult, Guidance, FaceView } from '../../preload/contract/frames.js';
import { LatestFrameQueue } from './latest-frame-queue.js';
import { meanLuma } from './pixels.js';
import { routeFrame, type FrameRoute, type FrameSource } from './frame-routing.js';
import { messageOf } from '../util/message-of.js';

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

/** Why a frame was turned away, as the gate words it. */
export type FrameRefusal = { ok: false; code: string; message: string };

/** The gate's frame check (ipc/gate.ts: sender, metadata, byte length), as this service uses it. */
export interface FrameGate<S> {
  checkFrame(sender: S, message: unknown): ({ ok: true; source: FrameSource } & CheckedFrame) | FrameRefusal;
}

interface Queued {
  frame: CheckedFrame;
  source: FrameSource;
  route: Exclude<FrameRoute, 'refuse'>;
  reply: Reply;
}

export class FrameService<S> {
  private readonly queue: LatestFrameQueue<Queued, { result: FrameResult; reply: Reply }>;

  constructor(
    private readonly gate: FrameGate<S>,
    private readonly analyzer: () => FrameAnalyzer | null,
    private readonly adminActive: () => boolean,
    log: (message: string) => void,
  ) {
    this.queue = new LatestFrameQueue(
      async (queued, dropped) => ({ result: await this.analyze(queued, dropped), reply: queued.reply }),
      ({ result, reply }) => reply(result),
      (error, { frame }) => log(`frame ${frame.id} failed: ${messageOf(error)}`),
    );
  }

  /** Returns a refusal for a bad or unwanted frame; a good one is queued and answered through `reply`. */
  submit(sender: S, message: unknown, reply: Reply): FrameRefusal | null {
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
