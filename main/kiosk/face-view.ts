// Faces as the overlay draws them, and which capture hints are screen guidance.
import type { Face } from '../insightface/types.js';
import type { FaceView, Guidance } from '../../preload/contract/frames.js';

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

const GUIDANCE: ReadonlySet<string> = new Set<Guidance>([
  'come_closer',
  'look_at_camera',
  'one_person',
  'hold_still',
  'too_dark',
  'too_bright',
  'turn_left',
  'turn_right',
]);
export const isGuidance = (hint: string): hint is Guidance => GUIDANCE.has(hint);
