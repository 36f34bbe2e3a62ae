// Head yaw for the active challenge: InsightFace's 3d68 pose when the pack has it, otherwise
// an estimate from the detector's 5 keypoints.
//
// Sign convention (InsightFace's, from transform.matrix2angle on a camera fitted to a y-up
// mean shape): yaw = atan2(-R[2][0], sy), so a head turned so that the nose moves towards
// +x in the (unmirrored) camera image has a NEGATIVE yaw. That is the person turning to their
// own left. The keypoint estimate below follows the same sign.
import type { Face, Point } from '../insightface/types.js';

/**
 * Depth of the nose tip in front of the eye centres, as a fraction of the distance between
 * the eye centres: ≈ 135 / 300 in the generic 3-D face model used for head pose with OpenCV
 * (eye centres at ±150, 135 behind the nose tip). With orthographic projection a yaw θ moves
 * the nose by D·sinθ and shrinks the eye distance to E·cosθ, so offset / eyeDist = (D/E)·tanθ.
 */
export const NOSE_DEPTH_RATIO = 0.45;

/**
 * Yaw in degrees from SCRFD's 5 keypoints (left eye, right eye, nose, mouth left, mouth right,
 * in image order). The nose offset is measured along the eye axis, so head roll does not leak
 * into yaw. Rough (±10° or so) but monotonic and of InsightFace's sign.
 */
export function yawFromKeypoints(kps: readonly Point[]): number {
  if (kps.length < 3) throw new RangeError(`yawFromKeypoints: need 5 keypoints, got ${kps.length}`);
  const [le, re, nose] = kps as [Point, Point, Point];
  const ex = re[0] - le[0];
  const ey = re[1] - le[1];
  const eyeDist = Math.hypot(ex, ey);
  if (!(eyeDist > 0)) throw new RangeError('yawFromKeypoints: the two eye keypoints coincide');
  const mx = (le[0] + re[0]) / 2;
  const my = (le[1] + re[1]) / 2;
  // Nose offset from the eye midpoint, projected on the unit eye axis.
  const along = ((nose[0] - mx) * ex + (nose[1] - my) * ey) / eyeDist;
  const ratio = along / eyeDist;
  return -(Math.atan(ratio / NOSE_DEPTH_RATIO) * 180) / Math.PI;
}

/** The face's yaw: the 3d68 pose when present, else the keypoint estimate; null without either. */
export function faceYaw(face: Pick<Face, 'pose' | 'kps'>): number | null {
  if (face.pose && Number.isFinite(face.pose.yaw)) return face.pose.yaw;
  if (face.kps.length >= 3) return yawFromKeypoints(face.kps);
  return null;
}
