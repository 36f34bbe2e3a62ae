// Head pose from the 5 SCRFD keypoints (left eye, right eye, nose, left and right
// mouth corner) when no landmark model gives one. A weak-perspective model: the nose
// tip sits in front of the eye/mouth plane, so turning the head moves it sideways
// relative to the eyes (yaw) or up/down between eyes and mouth (pitch).
import type { Face, Point, Pose } from '../insightface/types.js';

/**
 * Nose-tip depth over inter-ocular distance and over eye-to-mouth height: ~0.55 and ~0.5
 * for adult faces (nose protrusion ~35 mm, pupils ~63 mm apart, eyes to mouth ~68 mm).
 */
const NOSE_DEPTH_PER_EYE_DISTANCE = 0.55;
const NOSE_DEPTH_PER_FACE_HEIGHT = 0.5;
/** Where the nose sits between eye line and mouth line in a frontal face: ArcFace's
 *  template (face_align.py arcface_dst: eyes y 51.5, nose 71.7, mouth 92.2). */
const FRONTAL_NOSE_POSITION = (71.7369 - 51.5) / (92.2041 - 51.5);

const deg = (rad: number) => (rad * 180) / Math.PI;

/** Degrees; yaw > 0 when the nose points to image-right, pitch > 0 when looking down. */
export function poseFromKeypoints(kps: readonly Point[]): Pose | null {
  if (kps.length < 5) return null;
  const [le, re, nose, lm, rm] = kps as [Point, Point, Point, Point, Point];
  const eyeMid: Point = [(le[0] + re[0]) / 2, (le[1] + re[1]) / 2];
  const mouthMid: Point = [(lm[0] + rm[0]) / 2, (lm[1] + rm[1]) / 2];
  const roll = Math.atan2(re[1] - le[1], re[0] - le[0]);
  // Work in the face's own frame (undo roll) so a tilted head is not read as a turn.
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  const rot = (p: Point): Point => [
    (p[0] - eyeMid[0]) * cos - (p[1] - eyeMid[1]) * sin,
    (p[0] - eyeMid[0]) * sin + (p[1] - eyeMid[1]) * cos,
  ];
  const eyeDistance = Math.hypot(re[0] - le[0], re[1] - le[1]);
  const n = rot(nose);
  const m = rot(mouthMid);
  if (eyeDistance <= 0 || m[1] <= 0) return null;
  const yaw = Math.atan(n[0] / eyeDistance / NOSE_DEPTH_PER_EYE_DISTANCE);
  const pitch = Math.atan((n[1] / m[1] - FRONTAL_NOSE_POSITION) / NOSE_DEPTH_PER_FACE_HEIGHT);
  return { yaw: deg(yaw), pitch: deg(pitch), roll: deg(roll) };
}

/** The landmark model's pose when the pack has one, else the keypoint estimate. */
export function facePose(face: Face): Pose | null {
  return face.pose ?? poseFromKeypoints(face.kps);
}
