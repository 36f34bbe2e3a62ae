// Faces as the overlay draws them, and which capture hints are screen guidance.
import type { Face } from '../insightface/types.js';
import { GUIDANCE, type FaceView, type Guidance } from '../../preload/contract/frames.js';

/** One face as the overlay draws it; `counts` marks the face that counts (main chose it). */
export function toView(face: Face, counts = false): FaceView {
  const view: FaceView = {
    bbox: [face.bbox[0], face.bbox[1], face.bbox[2], face.bbox[3]],
    kps: face.kps.map(([x, y]) => [x, y] as [number, number]),
    detScore: face.detScore,
  };
  if (counts) view.counts = true;
  if (face.landmark2d106) view.landmarks = face.landmark2d106.map(([x, y]) => [x, y] as [number, number]);
  return view;
}

/** A frame's faces as the overlay draws them, the one at `subjectIndex` (-1: none) marked as the one that counts. */
export function toViews(faces: readonly Face[], subjectIndex: number): FaceView[] {
  return faces.map((face, i) => toView(face, i === subjectIndex));
}

/**
 * The capture hints that are screen guidance: every guidance but `no_face` and `not_live`,
 * which the kiosk decides for itself (no subject; the liveness verdict).
 */
const CAPTURE_GUIDANCE: ReadonlySet<string> = new Set(
  GUIDANCE.filter((g) => g !== 'no_face' && g !== 'not_live'),
);
export const isCaptureGuidance = (hint: string): hint is Guidance => CAPTURE_GUIDANCE.has(hint);
