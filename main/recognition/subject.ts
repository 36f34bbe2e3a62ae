// Only one person may be in front of the door. The subject is the face
// InsightFace's max_num would keep first: large and central. Another face counts as a second
// person when it is nearly as large as the subject's (relative, so a faint face far behind
// does not block the person at the door). `faceThatCounts` is the one answer to "which face
// counts" for the kiosk, Compare and the CLI.
import type { Face } from '../insightface/types.js';

/**
 * Another face at 0.6 × the subject's size (shorter box side) or more is a second person at
 * the door. Someone right behind the subject's shoulder shows at about 0.7–0.9 × (a head 20–40%
 * further from the camera); a passer-by a few metres back shows at 0.2–0.3 ×. The trade-off:
 * a higher ratio lets a tailgater who stands further back go unnoticed; a lower one refuses
 * more people because of someone in the background. It is a setting (recognition.secondFaceRatio).
 */
export const DEFAULT_SECOND_FACE_RATIO = 0.6;

export interface SubjectOptions {
  /** Another face whose side is at least this fraction of the subject's side is a second person. */
  secondFaceRatio: number;
}

export interface SubjectSelection {
  subject: Face | null;
  /** Index of the subject in the input array; -1 when none. */
  index: number;
  /** Other faces near or above the size threshold: the frame must not unlock. */
  competing: Face[];
}

/** The shorter side of the box: the size that limits recognition. */
export function faceSide(face: Face): number {
  return Math.min(face.bbox[2] - face.bbox[0], face.bbox[3] - face.bbox[1]);
}

/** InsightFace's max_num ranking (face_analysis.py / scrfd.py): area minus 2 × squared offset from centre. */
function rank(face: Pick<Face, 'bbox'>, width: number, height: number): number {
  const [x1, y1, x2, y2] = face.bbox;
  const dx = (x1 + x2) / 2 - width / 2;
  const dy = (y1 + y2) / 2 - height / 2;
  return (x2 - x1) * (y2 - y1) - 2 * (dx * dx + dy * dy);
}

/** Index of the face that counts (InsightFace's max_num order), or -1 for none. */
function subjectIndex(faces: readonly Pick<Face, 'bbox'>[], width: number, height: number): number {
  let index = -1;
  for (let i = 0; i < faces.length; i++) {
    if (index < 0 || rank(faces[i]!, width, height) > rank(faces[index]!, width, height)) index = i;
  }
  return index;
}

/**
 * The face with the largest box area, or null: for still photos whose framing is unknown
 * (liveness data sets, the PAD evaluation). A live frame uses `faceThatCounts`, which also
 * weighs the distance from the centre as InsightFace's max_num does.
 */
export function largestFace<F extends Pick<Face, 'bbox'>>(faces: readonly F[]): F | null {
  let best: F | null = null;
  let bestArea = -1;
  for (const f of faces) {
    const area = (f.bbox[2] - f.bbox[0]) * (f.bbox[3] - f.bbox[1]);
    if (area > bestArea) {
      best = f;
      bestArea = area;
    }
  }
  return best;
}

/** Which face counts: the kiosk, Compare and the CLI (`liveness`, `identify`) all use this. */
export function faceThatCounts<F extends Pick<Face, 'bbox'>>(
  faces: readonly F[],
  frame: { width: number; height: number },
): F | null {
  const index = subjectIndex(faces, frame.width, frame.height);
  return index < 0 ? null : faces[index]!;
}

export function selectSubject(
  faces: readonly Face[],
  frame: { width: number; height: number },
  options: SubjectOptions = { secondFaceRatio: DEFAULT_SECOND_FACE_RATIO },
): SubjectSelection {
  const index = subjectIndex(faces, frame.width, frame.height);
  if (index < 0) return { subject: null, index: -1, competing: [] };
  const subject = faces[index]!;
  const limit = faceSide(subject) * options.secondFaceRatio;
  const competing = faces.filter((f, i) => i !== index && faceSide(f) >= limit);
  return { subject, index, competing };
}
