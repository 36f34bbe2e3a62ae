// The admin screen's audit, door test, calibration and Compare use cases. Moved out of the IPC
// handlers (now thin: ipc/handlers/audit.ts). The audit log is the kiosk's own chained log in
// both modes (a fleet door writes it locally first and ships it, kiosk/kiosk-fleet.ts);
// calibration reads the gallery of whichever people the kiosk uses (the store or the fleet).
import { writeFile } from 'node:fs/promises';
import { encodeJpeg } from '../image/jpeg.js';
import type {
  AuditView,
  Calibration,
  CompareFace,
  CompareResult,
  StrangerRateView,
} from '../../preload/contract/audit.js';
import type { AppServices } from '../services.js';
import type { AuditEntry } from './types.js';
import { calibrate } from '../recognition/calibration.js';
import { estimateStrangerRate } from '../recognition/stranger-rate.js';
import { computeSim } from '../insightface/face_analysis.js';
import { decodeImageFile } from '../image/decode.js';
import type { Face, PixelImage } from '../insightface/types.js';
import type { Kiosk } from '../kiosk/kiosk.js';
import { requireKiosk, requirePeople } from '../people/people-service.js';

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The Compare tool's two camera frames are this far apart, like the seed's sample. */
const COMPARE_GAP_MS = 1000;

/** An admin's door test, in the door's words: the `none` door only logs; a failure is red. */
function doorTestWords(ok: boolean, detail: Record<string, unknown>) {
  const kind = typeof detail.kind === 'string' ? detail.kind : null;
  const reason = typeof detail.reason === 'string' ? detail.reason : '';
  const doorState: AuditView['doorState'] = !ok ? 'failed' : kind === 'none' ? 'logged' : 'opened';
  return { result: 'door_test' as const, reason, doorState, doorKind: kind };
}

function adminWords(record: { action: string; ok: boolean }) {
  return {
    result: 'admin' as const,
    reason: record.ok ? record.action : `${record.action}: failed`,
    doorState: null,
    doorKind: null,
  };
}

export function auditView(record: AuditEntry): AuditView {
  if (record.kind === 'admin') {
    const detail = Object.entries(record.detail)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return {
      time: record.time,
      mode: `admin (${record.actor})`,
      person: typeof record.detail.name === 'string' ? record.detail.name : null,
      score: null,
      gates: detail,
      liveness: null,
      door: '',
      outcome: record.ok ? record.action : `${record.action}: failed`,
      ...(record.action === 'door_test' ? doorTestWords(record.ok, record.detail) : adminWords(record)),
    };
  }
  const door = record.door;
  // The `none` door only logs: it never "opened" anything.
  const doorState = door ? (!door.ok ? 'failed' : door.kind === 'none' ? 'logged' : 'opened') : null;
  const doorFailed = door !== null && !door.ok;
  return {
    time: record.time,
    mode: record.mode,
    person: record.personName,
    score: record.score,
    gates: record.gates.map((g) => `${g.name}:${g.passed ? 'ok' : 'fail'}`).join(' '),
    liveness: record.liveness?.score ?? null,
    door: door
      ? doorState === 'opened'
        ? `${door.kind}: opened`
        : doorState === 'logged'
          ? 'none: logged only'
          : `${door.kind}: ${door.reason}`
      : '',
    // An unlock whose door failed must never read as a success.
    outcome:
      record.outcome === 'unlocked'
        ? doorFailed
          ? `door failed: ${door.reason ?? 'unknown error'}`
          : 'unlocked'
        : `${record.outcome}: ${record.reason}`,
    result:
      record.outcome === 'door_test'
        ? 'door_test'
        : record.outcome === 'locked_out'
          ? 'locked_out'
          : record.outcome === 'unlocked'
            ? doorFailed
              ? 'door_failed'
              : 'unlocked'
            : 'refused',
    reason: doorFailed ? (door.reason ?? 'unknown error') : record.reason,
    doorState,
    doorKind: door?.kind ?? null,
  };
}

/** The largest face of an image with its embedding, and the image as a JPEG for the screen. */
async function compareSide(
  kiosk: Kiosk,
  image: PixelImage,
): Promise<{ face: Face; view: CompareFace } | null> {
  const face = await kiosk.engine.exclusive(async () => {
    const [first] = await kiosk.engine.analysis.detect(image, { maxNum: 1 });
    return first ? kiosk.engine.analysis.analyze(image, first, { modules: ['recognition'] }) : null;
  });
  if (!face) return null;
  const jpeg = await encodeJpeg(image, { maxWidth: 480 });
  return {
    face,
    view: {
      bbox: [face.bbox[0], face.bbox[1], face.bbox[2], face.bbox[3]],
      image: `data:image/jpeg;base64,${jpeg.toString('base64')}`,
      width: image.width,
      height: image.height,
    },
  };
}

export class AuditService {
  constructor(private readonly services: AppServices) {}

  async list(offset: number, limit: number): Promise<{ records: AuditView[]; total: number }> {
    const page = await this.services.audit.readEntries({ offset, limit });
    return { records: page.records.map(auditView), total: page.total };
  }

  async export(): Promise<{ path: string | null }> {
    const picked = await this.services.options.pickFiles({ kind: 'save', defaultName: 'tobira-audit.csv' });
    const target = picked?.[0];
    if (!target) return { path: null };
    await writeFile(target, await this.services.audit.exportCsv(), 'utf8');
    return { path: target };
  }

  async testDoor(): Promise<{ ok: boolean; message: string; elapsedMs: number }> {
    try {
      const result = await this.services.door().test();
      await this.services.auditAdmin(
        'door_test',
        { kind: result.kind, reason: result.reason, attempts: result.attempts },
        result.ok,
      );
      return {
        ok: result.ok,
        message: result.ok
          ? `${result.kind}: opened (${result.reason ?? 'ok'})`
          : `${result.kind}: ${result.reason}`,
        elapsedMs: result.durationMs,
      };
    } catch (error) {
      return { ok: false, message: messageOf(error), elapsedMs: 0 };
    }
  }

  calibration(targetFar: number): Calibration {
    const kiosk = requireKiosk(this.services);
    const recognizer = kiosk.engine.recognizerId;
    const gallery = recognizer ? requirePeople(this.services).gallery(recognizer) : [];
    const floor = kiosk.engine.defaultThreshold;
    const result = calibrate(gallery, { targetFar, floor });
    return {
      recognizer: kiosk.engine.analysis.info.recognizer?.file ?? null,
      genuine: result.genuine,
      impostor: result.impostor,
      suggested: result.suggestedThreshold,
      targetFar,
      current: kiosk.threshold,
      roc: result.roc,
      defaultThreshold: floor,
      pairsNeeded: result.pairsNeeded,
      refusedBelowDefault: result.refusedBelowFloor,
    };
  }

  strangerRate(targetFpir: number): StrangerRateView {
    const kiosk = requireKiosk(this.services);
    const recognizer = kiosk.engine.recognizerId;
    const gallery = recognizer ? requirePeople(this.services).gallery(recognizer) : [];
    const rate = estimateStrangerRate(gallery, {
      threshold: kiosk.threshold,
      defaultThreshold: kiosk.engine.defaultThreshold,
      targetFpir,
    });
    return {
      people: rate.people,
      threshold: rate.threshold,
      fpir: rate.fpir,
      targetFpir: rate.targetFpir,
      suggestedThreshold: rate.suggestedThreshold,
      refusalsAtSuggested: rate.refusalsAtSuggested,
      genuinePairs: rate.genuinePairs,
      tooLargeForFaceAlone: rate.tooLargeForFaceAlone,
    };
  }

  async compare(source: 'camera' | 'photos'): Promise<CompareResult> {
    const kiosk = requireKiosk(this.services);
    const threshold = kiosk.threshold;
    /** No comparison, and why; with the face found on either side, if any. */
    const undecided = (reason: string, a: CompareResult['a'] = null, b: CompareResult['b'] = null) =>
      ({ a, b, similarity: null, threshold, same: null, reason }) satisfies CompareResult;
    let images: PixelImage[];
    if (source === 'camera') {
      const first = kiosk.latestFrame;
      if (!first) return undecided('no camera frame yet');
      await new Promise((resolve) => setTimeout(resolve, COMPARE_GAP_MS));
      const second = kiosk.latestFrame;
      if (!second || second === first) return undecided('the camera stopped sending frames');
      images = [first.image, second.image];
    } else {
      const files = await this.services.options.pickFiles({ kind: 'images' });
      if (!files || files.length !== 2) return undecided('choose exactly two photos');
      try {
        images = await Promise.all(files.map((f) => decodeImageFile(f)));
      } catch (error) {
        return undecided(messageOf(error));
      }
    }
    const a = await compareSide(kiosk, images[0]!);
    const b = await compareSide(kiosk, images[1]!);
    if (!a || !b) return undecided('no face found in one of the images', a?.view ?? null, b?.view ?? null);
    const similarity = computeSim(a.face.normedEmbedding!, b.face.normedEmbedding!);
    return { a: a.view, b: b.view, similarity, threshold, same: similarity >= threshold, reason: null };
  }
}
