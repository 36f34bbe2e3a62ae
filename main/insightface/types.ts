// Shared shapes of the face engine. The engine itself (model_zoo, scrfd, arcface,
// landmark, attribute, face_align, face_analysis) lives beside this file.

/** Raw pixels. `rgba` comes from the renderer's canvas; `rgb`/`bgr` from decoders. */
export interface PixelImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  format: 'rgba' | 'rgb' | 'bgr';
}

export type Point = [number, number];

/** Pitch, yaw, roll in degrees, as InsightFace's transform.matrix2angle. */
export interface Pose {
  pitch: number;
  yaw: number;
  roll: number;
}

/** One face, as InsightFace's `Face` dict: fields are filled by whichever models the pack holds. */
export interface Face {
  bbox: [number, number, number, number];
  kps: Point[];
  detScore: number;
  embedding?: Float32Array;
  normedEmbedding?: Float32Array;
  landmark2d106?: Point[];
  landmark3d68?: [number, number, number][];
  pose?: Pose;
  gender?: 0 | 1;
  age?: number;
  /**
   * Tobira's own, not InsightFace's: found only by the close-face retry on a shrunk, padded
   * frame (main/recognition/close-face.ts), so the face fills the picture.
   */
  tooClose?: true;
}
