// Only one person may be in front of the door. The subject is the face
// InsightFace's max_num would keep first: large and central. Any other face big
// enough to almost pass the size gate makes the frame ambiguous.
import type { Face } from '../insightface/types.js';

export interface SubjectOptions {
  /** The size gate's minimum face side in px. */
  minFacePx: number;
  /** A second face at this share of minFacePx or more counts as a second person (0.8: "comes close"). */
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
function rank(face: Face, width: number, height: number): number {
  const [x1, y1, x2, y2] = face.bbox;
  const dx = (x1 + x2) / 2 - width / 2;
  const dy = (y1 + y2) / 2 - height / 2;
  return (x2 - x1) * (y2 - y1) - 2 * (dx * dx + dy * dy);
}

export function selectSubject(
  faces: readonly Face[],
  frame: { width: number; height: number },
  options: SubjectOptions,
): SubjectSelection {
  if (faces.length === 0) return { subject: null, index: -1, competing: [] };
  let index = 0;
  for (let i = 1; i < faces.length; i++) {
    if (rank(faces[i]!, frame.width, frame.height) > rank(faces[index]!, frame.width, frame.height))
      index = i;
  }
  const limit = options.minFacePx * options.secondFaceRatio;
  const competing = faces.filter((f, i) => i !== index && faceSide(f) >= limit);
  return { subject: faces[index]!, index, competing };
}
