// InsightFace's app/face_analysis.py: every .onnx in a pack folder routed by signature, one
// model per task, detection first and then the other models on each face.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { normalize, type ArcFaceONNX } from './arcface.js';
import type { Attribute } from './attribute.js';
import { checkPixelImage, toBgr } from './image.js';
import type { Landmark } from './landmark.js';
import { readMeanShape } from './meanshape.js';
import { getModel } from './model_zoo.js';
import { BGR_LAYOUT, RGBA_LAYOUT, RGB_LAYOUT, type LayoutImage, type PackedImage } from './opencv.js';
import { stageClock } from './profile.js';
import { SCRFD_DET_THRESH, type SCRFD, type Size } from './scrfd.js';
import type { SessionOptions } from './session.js';
import type { Face, PixelImage, Point } from './types.js';

export { computeSim } from './arcface.js';

/** A pack without a usable detector, or another reason the pack cannot be used. */
export class PackLoadError extends Error {
  override readonly name = 'PackLoadError';
}

export interface LoadOptions extends SessionOptions {
  /** Task names to load ('detection', 'recognition', 'landmark_2d_106', 'landmark_3d_68', 'genderage'). */
  allowedModules?: string[];
}

export type DetSize = [number, number] | 'auto';

export interface PrepareOptions {
  /** Minimum detection score; 0.5 as InsightFace. */
  detThresh?: number;
  /** Detector input [width, height], or 'auto': 128×128 and 640×640 merged (InsightFace 1.0). */
  detSize?: DetSize;
}

/** InsightFace 1.0's 'auto' det sizes (gui/core/constants.py AUTO_DET_SIZES). */
export const AUTO_DET_SIZES: Size[] = [
  [128, 128],
  [640, 640],
];

export interface FaceAnalysisInfo {
  detector: { file: string; inputSize: Size | null; detSizes: Size[] };
  /** `id` tags templates so embeddings of different recognizers are never compared. */
  recognizer?: { file: string; embeddingSize: number; id: string };
  landmark2d106: boolean;
  landmark3d68: boolean;
  /** false when the pack has 1k3d68 but no meanshape_68 to compute pose from. */
  pose: boolean;
  genderage: boolean;
  /** The execution provider the sessions run on ('cpu', 'cuda', 'dml', 'coreml'). */
  provider: string;
}

export interface Skipped {
  file: string;
  reason: string;
}

export class FaceAnalysis {
  readonly skipped: Skipped[];
  private detSizes: Size[] = [];
  private lastImage: PixelImage | null = null;
  private lastBgr: PackedImage | null = null;
  private bgrBuffer = new Uint8Array(0);

  private constructor(
    readonly packDir: string,
    readonly detModel: SCRFD,
    readonly recognition: { model: ArcFaceONNX; id: string } | null,
    readonly landmarks: Landmark[],
    readonly attribute: Attribute | null,
    skipped: Skipped[],
  ) {
    this.skipped = skipped;
  }

  /**
   * Routes every .onnx in `packDir` (sorted by name, as InsightFace globs them). Unrecognised,
   * unloadable, duplicate or disallowed models are listed in `skipped`; a pack with no detector
   * throws PackLoadError. Sessions are created once here and warmed up.
   */
  static async load(packDir: string, opts: LoadOptions = {}): Promise<FaceAnalysis> {
    let names: string[];
    try {
      names = (await readdir(packDir)).filter((n) => n.toLowerCase().endsWith('.onnx')).sort();
    } catch (err) {
      throw new PackLoadError(
        `${packDir}: cannot read the pack folder (${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
    let meanShape68: Float32Array | null;
    try {
      meanShape68 = await readMeanShape(packDir);
    } catch (err) {
      throw new PackLoadError((err as Error).message);
    }
    const skipped: Skipped[] = [];
    const tasks = new Set<string>();
    let det: SCRFD | null = null;
    let rec: { model: ArcFaceONNX; id: string } | null = null;
    const landmarks: Landmark[] = [];
    let attribute: Attribute | null = null;
    for (const name of names) {
      const file = path.join(packDir, name);
      let routed: Awaited<ReturnType<typeof getModel>>;
      try {
        routed = await getModel(file, { ...opts, meanShape68 });
      } catch (err) {
        skipped.push({ file: name, reason: (err as Error).message });
        continue;
      }
      if (routed.kind === null) {
        skipped.push(routed.skipped);
        continue;
      }
      const task = routed.model.taskname;
      const allowed = !opts.allowedModules || opts.allowedModules.includes(task);
      if (!allowed || tasks.has(task)) {
        await routed.model.session.release();
        skipped.push({
          file: name,
          reason: allowed ? `duplicate ${task} model` : `${task} not in allowedModules`,
        });
        continue;
      }
      tasks.add(task);
      if (routed.kind === 'detection') det = routed.model;
      else if (routed.kind === 'recognition') rec = { model: routed.model, id: routed.id };
      else if (routed.kind === 'landmark') landmarks.push(routed.model);
      else attribute = routed.model;
    }
    if (!det) {
      const why = skipped.length
        ? `; skipped: ${skipped.map((s) => `${s.file} (${s.reason})`).join('; ')}`
        : '';
      throw new PackLoadError(
        `${packDir}: no face detector (SCRFD) among ${names.length} .onnx file(s)${why}`,
      );
    }
    const fa = new FaceAnalysis(packDir, det, rec, landmarks, attribute, skipped);
    fa.prepare({});
    for (const m of fa.sessions()) {
      await (m === det.session ? m.warmUp(fa.detSizes.at(-1)?.slice().reverse() ?? [640, 640]) : m.warmUp());
    }
    return fa;
  }

  private sessions(): SCRFD['session'][] {
    return [
      this.detModel.session,
      ...(this.recognition ? [this.recognition.model.session] : []),
      ...this.landmarks.map((l) => l.session),
      ...(this.attribute ? [this.attribute.session] : []),
    ];
  }

  /** prepare(det_thresh, det_size): 0.5 and 640×640 unless given. */
  prepare(opts: PrepareOptions): void {
    const detSize = opts.detSize ?? [640, 640];
    const sizes: Size[] = detSize === 'auto' ? AUTO_DET_SIZES : [[detSize[0], detSize[1]]];
    this.detModel.prepare({ inputSizes: sizes, detThresh: opts.detThresh ?? SCRFD_DET_THRESH });
    this.detSizes = this.detModel.inputSizes;
  }

  /**
   * One detector run at each prepared det size (and one run of every other model), so the first
   * camera frame after prepare() does not pay onnxruntime's per-shape set-up.
   */
  async warmUp(): Promise<void> {
    for (const [w, h] of this.detSizes)
      await this.detModel.session.warmUp(this.detModel.fixedSize ? [] : [h, w]);
    for (const s of this.sessions().slice(1)) await s.warmUp();
  }

  get info(): FaceAnalysisInfo {
    const lm3d = this.landmarks.find((l) => l.taskname === 'landmark_3d_68');
    return {
      detector: {
        file: path.basename(this.detModel.file),
        inputSize: this.detModel.fixedSize,
        detSizes: this.detSizes,
      },
      ...(this.recognition
        ? {
            recognizer: {
              file: path.basename(this.recognition.model.file),
              embeddingSize: this.recognition.model.embeddingSize,
              id: this.recognition.id,
            },
          }
        : {}),
      landmark2d106: this.landmarks.some((l) => l.taskname === 'landmark_2d_106'),
      landmark3d68: Boolean(lm3d),
      pose: Boolean(lm3d?.canEstimatePose),
      genderage: this.attribute?.taskname === 'genderage',
      provider: this.detModel.session.provider,
    };
  }

  /**
   * The frame as packed BGR, converted at most once per detect(): detect() reads the frame in
   * place and forgets any earlier conversion (a caller may refill one PixelImage per frame);
   * analyze() and bgrOf() convert on first use and then reuse it for the same object. A frame
   * with no face is never converted.
   */
  private bgr(image: PixelImage): PackedImage {
    checkPixelImage(image);
    if (this.lastImage === image && this.lastBgr) return this.lastBgr;
    if (image.format !== 'bgr' && this.bgrBuffer.length < image.width * image.height * 3) {
      this.bgrBuffer = new Uint8Array(image.width * image.height * 3);
    }
    const t0 = stageClock.start();
    const packed = toBgr(image, this.bgrBuffer);
    stageClock.stop('convert', t0);
    this.lastImage = image;
    this.lastBgr = packed;
    return packed;
  }

  /** Detection only: bbox, kps and detScore of each face (the kiosk's per-frame path). */
  async detect(image: PixelImage, opts: { maxNum?: number } = {}): Promise<Face[]> {
    checkPixelImage(image);
    this.lastImage = image;
    this.lastBgr = null;
    const dets = await this.detModel.detect(inPlace(image), { maxNum: opts.maxNum ?? 0 });
    return dets.map((d) => {
      const kps: Point[] = [];
      if (d.kps) for (let k = 0; k < 10; k += 2) kps.push([d.kps[k]!, d.kps[k + 1]!]);
      return { bbox: d.box, kps, detScore: d.score };
    });
  }

  /**
   * Runs the pack's other models on one detected face (all of them, or those whose task names
   * are in `modules`) and returns the face with their fields filled in.
   */
  async analyze(image: PixelImage, face: Face, opts: { modules?: string[] } = {}): Promise<Face> {
    const img = this.bgr(image);
    const want = (task: string): boolean => !opts.modules || opts.modules.includes(task);
    const out: Face = { ...face };
    if (this.recognition && want('recognition')) {
      if (face.kps.length !== 5) throw new RangeError('analyze: recognition needs the 5 detector keypoints');
      out.embedding = await this.recognition.model.get(img, face.kps);
      out.normedEmbedding = normalize(out.embedding);
    }
    for (const lm of this.landmarks) {
      if (!want(lm.taskname)) continue;
      const r = await lm.get(img, face.bbox);
      if (lm.lmkDim === 3) {
        const pts: [number, number, number][] = [];
        for (let i = 0; i < r.points.length; i += 3)
          pts.push([r.points[i]!, r.points[i + 1]!, r.points[i + 2]!]);
        if (lm.taskname === 'landmark_3d_68') out.landmark3d68 = pts;
        if (r.pose) out.pose = r.pose;
      } else if (lm.taskname === 'landmark_2d_106') {
        const pts: Point[] = [];
        for (let i = 0; i < r.points.length; i += 2) pts.push([r.points[i]!, r.points[i + 1]!]);
        out.landmark2d106 = pts;
      }
    }
    if (this.attribute?.taskname === 'genderage' && want('genderage')) {
      const { gender, age } = await this.attribute.get(img, face.bbox);
      out.gender = gender;
      out.age = age;
    }
    return out;
  }

  /**
   * The frame last given to detect() as a packed BGR PixelImage, converted once and shared with
   * analyze() (e.g. for the liveness models, which read BGR crops). Another frame is converted.
   */
  bgrOf(image: PixelImage): PixelImage {
    const { data, width, height } = this.bgr(image);
    return { data, width, height, format: 'bgr' };
  }

  /** FaceAnalysis.get: detect, then every model on every face. */
  async get(image: PixelImage, opts: { maxNum?: number } = {}): Promise<Face[]> {
    const faces = await this.detect(image, opts);
    const out: Face[] = [];
    for (const f of faces) out.push(await this.analyze(image, f));
    return out;
  }

  async release(): Promise<void> {
    for (const s of this.sessions()) await s.release();
  }
}

/** A checked PixelImage read in place, in its own layout (no conversion, no copy). */
function inPlace(image: PixelImage): LayoutImage {
  const src = image.data;
  const data = src instanceof Uint8Array ? src : new Uint8Array(src.buffer, src.byteOffset, src.length);
  const layout = image.format === 'rgba' ? RGBA_LAYOUT : image.format === 'rgb' ? RGB_LAYOUT : BGR_LAYOUT;
  return { data, width: image.width, height: image.height, layout };
}
