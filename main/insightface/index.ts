// The face engine's public surface. Import from here; the files beside it mirror InsightFace's
// python-package layout (model_zoo, scrfd, arcface, landmark, attribute, face_align, transform).
export { ArcFaceONNX, computeSim, MATCH_THRESHOLD, normalize } from './arcface.js';
export {
  AUTO_DET_SIZES,
  FaceAnalysis,
  PackLoadError,
  type DetSize,
  type FaceAnalysisInfo,
  type LoadOptions,
  type PrepareOptions,
  type Skipped,
} from './face_analysis.js';
export { checkPixelImage, ImageError, toBgr } from './image.js';
export { getModel, modelId, routeBySignature, type ModelKind } from './model_zoo.js';
export { FeedError, ModelLoadError, ModelSession, resolveProviders, type SessionOptions } from './session.js';
export type { Face, PixelImage, Point, Pose } from './types.js';
