// Quality gates run before any matching: a face too small, blurred, badly lit,
// turned away, or weakly detected gives unreliable embeddings, so it is not
// matched at all and the person is told what to change.
import type { Face, PixelImage } from '../insightface/types.js';
import { cropStats } from './image-stats.js';
import { facePose } from './pose.js';
import { faceSide } from './subject.js';
import type { GateResult, Guidance } from './types.js';

export interface QualityConfig {
  /** Shorter box side in px. 80: below this the 112 px ArcFace crop is mostly upsampled. */
  minFacePx: number;
  /** SCRFD score. 0.6: a margin over InsightFace's 0.5 detection threshold. */
  minDetScore: number;
  /** Laplacian variance on the 112×112 grey crop. Measured on ../shared/faces: sharp photos 100–1800,
   *  the same faces Gaussian-blurred (σ = face side / 40) 4–26. */
  minSharpness: number;
  /** Mean grey of the face crop, 0..255. */
  minBrightness: number;
  maxBrightness: number;
  /** Degrees. */
  maxYaw: number;
  maxPitch: number;
}

export const DEFAULT_QUALITY: QualityConfig = {
  minFacePx: 80,
  minDetScore: 0.6,
  minSharpness: 40,
  minBrightness: 50,
  maxBrightness: 215,
  maxYaw: 35,
  maxPitch: 25,
};

export interface QualityReport {
  passed: boolean;
  gates: GateResult[];
  /** The first failed gate's advice, in the gates' order. */
  guidance: Guidance | null;
}

const round = (v: number, digits = 3) => Number(v.toFixed(digits));

/** Runs every gate (so the admin screen can show all values), in the order people should fix them. */
export function checkQuality(face: Face, image: PixelImage | null, config: QualityConfig): QualityReport {
  const gates: GateResult[] = [];
  const side = faceSide(face);
  // A face that fills the picture is found only by the close-face retry (close-face.ts): its
  // box runs past the frame and its crop is cut off, so it is not matched; the person steps back.
  gates.push({
    name: 'face_size',
    passed: side >= config.minFacePx && !face.tooClose,
    value: round(side, 1),
    guidance: face.tooClose ? 'step_back' : 'come_closer',
  });
  gates.push({
    name: 'det_score',
    passed: face.detScore >= config.minDetScore,
    value: round(face.detScore),
    guidance: 'look_at_camera',
  });
  const pose = facePose(face);
  const worst = pose
    ? Math.max(Math.abs(pose.yaw) / config.maxYaw, Math.abs(pose.pitch) / config.maxPitch)
    : null;
  gates.push({
    name: 'pose',
    passed: worst !== null && worst <= 1,
    value: pose ? round(Math.max(Math.abs(pose.yaw), Math.abs(pose.pitch)), 1) : null,
    guidance: 'look_at_camera',
  });
  // Without pixels (a caller that only has boxes) brightness and blur cannot be measured: fail closed.
  const stats = image ? cropStats(image, face.bbox) : null;
  const grey = stats?.meanGrey ?? null;
  gates.push({
    name: 'brightness',
    passed: grey !== null && grey >= config.minBrightness && grey <= config.maxBrightness,
    value: grey === null ? null : round(grey, 1),
    guidance: grey !== null && grey > config.maxBrightness ? 'too_bright' : 'too_dark',
  });
  const sharpness = stats?.laplacianVariance ?? null;
  gates.push({
    name: 'blur',
    passed: sharpness !== null && sharpness >= config.minSharpness,
    value: sharpness === null ? null : round(sharpness, 1),
    guidance: 'hold_still',
  });
  const failed = gates.find((g) => !g.passed);
  return {
    passed: !failed,
    gates: gates.map((g) => ({ ...g, guidance: g.passed ? null : g.guidance })),
    guidance: failed?.guidance ?? null,
  };
}
