// The engine's figures: FPS at det sizes 160/320/640, the frame path against bare
// session.run, per-stage medians, and resident memory over 1,000 frames with the pack loaded.
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { decodeImageFile } from '../../image/decode.js';
import { FaceAnalysis } from '../../insightface/face_analysis.js';
import { resizeLinear } from '../../insightface/opencv.js';
import type { PixelImage } from '../../insightface/types.js';
import { benchFramePath } from './frame-bench.js';
import type { BenchSection } from './types.js';

// A single-face portrait, cut to 4:3 and scaled to 640×480 RGBA: what the kiosk's camera gives.
const BENCH_PHOTO = 'photos/face_recognition/obama.jpg';

/** The top 4:3 part of a photo, resized to 640×480 and laid out as RGBA (a camera frame). */
export function cameraFrame(photo: PixelImage): PixelImage {
  const h = Math.min(photo.height, Math.round((photo.width * 3) / 4));
  const top = {
    data: (photo.data as Uint8Array).subarray(0, photo.width * h * 3),
    width: photo.width,
    height: h,
  };
  const bgr = resizeLinear(top, 640, 480);
  const rgba = new Uint8Array(640 * 480 * 4);
  for (let i = 0, j = 0; i < bgr.length; i += 3, j += 4) {
    rgba[j] = bgr[i + 2]!;
    rgba[j + 1] = bgr[i + 1]!;
    rgba[j + 2] = bgr[i]!;
    rgba[j + 3] = 255;
  }
  return { data: rgba, width: 640, height: 480, format: 'rgba' };
}

const mb = (bytes: number): number => Number((bytes / 2 ** 20).toFixed(1));

/** A full garbage collection, so RSS samples show what is kept rather than what is not yet collected. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

export const engineSection: BenchSection = {
  title: 'Face engine (detect, align, embed)',
  async run(ctx) {
    if (!ctx.facesDir)
      throw new Error('bench photo not found: set TOBIRA_TEST_FACES or provide ../shared/faces');
    const image = cameraFrame(await decodeImageFile(path.join(ctx.facesDir, BENCH_PHOTO)));
    const fa = await FaceAnalysis.load(ctx.modelsDir, {
      allowedModules: ['detection', 'recognition'],
      intraOpNumThreads: ctx.threads,
    });
    try {
      const fps: Record<string, number> = {};
      let at640: Awaited<ReturnType<typeof benchFramePath>> | null = null;
      for (const side of [160, 320, 640]) {
        fa.prepare({ detSize: [side, side] });
        const r = await benchFramePath(fa, image, { frames: 200 });
        fps[String(side)] = r.fps;
        ctx.log(
          `det ${side}: ${r.median_ms} ms/frame, ${r.fps} fps, ×${r.overhead_ratio} of bare session.run`,
        );
        if (side === 640) at640 = r;
      }
      // Memory: 1,000 frames at 640 with the sessions loaded once; RSS sampled every 100 frames.
      fa.prepare({ detSize: [640, 640] });
      const gc = collector();
      gc();
      const rss: number[] = [process.memoryUsage().rss];
      const heap: number[] = [process.memoryUsage().heapUsed];
      await benchFramePath(fa, image, {
        frames: 1000,
        warmup: 0,
        onFrame: (i) => {
          if ((i + 1) % 100 !== 0) return;
          gc();
          rss.push(process.memoryUsage().rss);
          heap.push(process.memoryUsage().heapUsed);
        },
      });
      return {
        frame: `${BENCH_PHOTO}, top 4:3 scaled to 640×480 RGBA`,
        pack: fa.info.detector.file + ' + ' + (fa.info.recognizer?.file ?? '(no recognizer)'),
        provider: fa.info.provider,
        threads: ctx.threads,
        fps_by_det_size: fps,
        frame_640: at640,
        // Sampled after a full GC, every 100 frames (index 0: before the first frame).
        rss_mb_every_100_frames: rss.map(mb),
        js_heap_mb_every_100_frames: heap.map(mb),
        rss_growth_mb_frames_100_to_1000: mb(rss.at(-1)! - rss[1]!),
      };
    } finally {
      await fa.release();
    }
  },
};
