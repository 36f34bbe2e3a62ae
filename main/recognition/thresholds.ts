// Default match thresholds (cosine similarity) per recognizer. A threshold
// belongs to the model that made the embeddings: scores of different models
// are not on the same scale. The admin can override it after calibration.

export interface ThresholdEntry {
  /** Model file name as packs ship it. */
  file: string;
  /** Content id (model_zoo modelId) when this exact file was measured. */
  id?: string;
  threshold: number;
  source: string;
}

/** InsightFace's own default for its recognizers: Evaluation Studio's DEFAULT_THRESHOLD
 *  (python-package/insightface/gui/core/constants.py, cosine 0.4). */
export const INSIGHTFACE_DEFAULT_THRESHOLD = 0.4;
const INSIGHTFACE_SOURCE = 'InsightFace gui/core/constants.py DEFAULT_THRESHOLD';

export const RECOGNIZER_THRESHOLDS: readonly ThresholdEntry[] = [
  {
    file: 'w600k_mbf_int8_dynq.onnx',
    id: 'sha256:7caa7fb0ad6c37b3',
    threshold: 0.29,
    source:
      'calibrated here on the fitting half of ../shared/faces (8 of its 15 identities, 16 distinct single-face ' +
      'photos, 10 genuine / 110 impostor pairs): target FAR 1e-4 from a normal fit of the impostor scores ' +
      '(mean 0.020, sd 0.070); max impostor 0.192, min genuine 0.549. Tested on the other half (7 identities, ' +
      '37 genuine / 83 impostor pairs): min genuine 0.569, max impostor 0.127',
  },
  {
    file: 'w600k_r50.onnx',
    threshold: INSIGHTFACE_DEFAULT_THRESHOLD,
    source: `buffalo_l; ${INSIGHTFACE_SOURCE}`,
  },
  {
    file: 'w600k_mbf.onnx',
    threshold: INSIGHTFACE_DEFAULT_THRESHOLD,
    source: `buffalo_s/sc; ${INSIGHTFACE_SOURCE}`,
  },
  {
    file: 'glintr100.onnx',
    threshold: INSIGHTFACE_DEFAULT_THRESHOLD,
    source: `antelopev2; ${INSIGHTFACE_SOURCE}`,
  },
];

/** The table's entry for a recognizer (by content id first, then file name); InsightFace's 0.4 otherwise. */
export function defaultThreshold(recognizer: { file: string; id?: string }): ThresholdEntry {
  const byId = recognizer.id ? RECOGNIZER_THRESHOLDS.find((e) => e.id === recognizer.id) : undefined;
  const byFile = RECOGNIZER_THRESHOLDS.find((e) => e.file === recognizer.file);
  return (
    byId ??
    byFile ?? {
      file: recognizer.file,
      threshold: INSIGHTFACE_DEFAULT_THRESHOLD,
      source: `unknown recognizer; ${INSIGHTFACE_SOURCE}`,
    }
  );
}
