// Judge each frame once: which face counts, whether it is the only person, and whether it is
// good enough to recognise (size, pose, sharpness, light). The unlock flow calls this once per
// frame and passes the judgement on; the decision engine never judges the same frame again.
import type { Face, PixelImage } from '../insightface/types.js';
import { checkQuality, type QualityConfig, type QualityReport } from './quality.js';
import { selectSubject } from './subject.js';
import type { GateResult } from './types.js';

export interface FrameJudgement {
  /** The face that counts (subject.ts), or null for none. */
  subject: Face | null;
  /** Its index in the frame's faces; -1 for none. */
  index: number;
  /** The one-person gate: other faces nearly as large as the subject's refuse the frame. */
  onePerson: GateResult;
  /** The subject's quality gates; null without a subject, or when a second person already refused it. */
  quality: QualityReport | null;
  /** True when the subject may be recognised: one person, every quality gate passed. */
  passed: boolean;
}

export interface JudgeConfig {
  secondFaceRatio: number;
  quality: QualityConfig;
}

export function judgeFrame(
  faces: readonly Face[],
  image: PixelImage | null,
  frame: { width: number; height: number },
  config: JudgeConfig,
): FrameJudgement {
  const selection = selectSubject(faces, frame, { secondFaceRatio: config.secondFaceRatio });
  const others = selection.competing.length;
  const onePerson: GateResult = {
    name: 'one_person',
    passed: others === 0,
    value: others + 1,
    guidance: others === 0 ? null : 'one_person',
  };
  if (!selection.subject) return { subject: null, index: -1, onePerson, quality: null, passed: false };
  const quality = onePerson.passed ? checkQuality(selection.subject, image, config.quality) : null;
  return {
    subject: selection.subject,
    index: selection.index,
    onePerson,
    quality,
    passed: onePerson.passed && quality !== null && quality.passed,
  };
}
