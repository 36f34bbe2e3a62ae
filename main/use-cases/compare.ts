// The Compare tool: two camera frames a second apart, or two photos from a file dialog, and the
// similarity of the largest face in each at the kiosk's threshold.
import type { CompareFace, CompareResult } from '../../preload/contract/audit.js';
import { encodeJpeg } from '../image/jpeg.js';
import { decodeImageFile } from '../image/decode.js';
import { computeSim } from '../insightface/face_analysis.js';
import type { Face, PixelImage } from '../insightface/types.js';
import type { Kiosk } from '../kiosk/kiosk.js';
import { messageOf } from '../util/message-of.js';
import type { FilePicker } from '../util/file-picker.js';
import { requireKiosk } from './require.js';

/** The Compare tool's two camera frames are this far apart, like the seed's sample. */
const COMPARE_GAP_MS = 1000;

/** The largest face of an image with its embedding, and the image as a JPEG for the screen. */
async function compareSide(
  kiosk: Kiosk,
  image: PixelImage,
): Promise<{ face: Face; view: CompareFace } | null> {
  const face = await kiosk.engine.exclusive(async () => {
    const [first] = await kiosk.engine.analysis.detect(image, { maxNum: 1 });
    return first ? kiosk.engine.analysis.analyze(image, first, { modules: ['recognition'] }) : null;
  });
  if (!face) return null;
  const jpeg = await encodeJpeg(image, { maxWidth: 480 });
  return {
    face,
    view: {
      bbox: [face.bbox[0], face.bbox[1], face.bbox[2], face.bbox[3]],
      image: `data:image/jpeg;base64,${jpeg.toString('base64')}`,
      width: image.width,
      height: image.height,
    },
  };
}

export async function compare(
  kioskNow: Kiosk | null,
  pickFiles: FilePicker,
  source: 'camera' | 'photos',
): Promise<CompareResult> {
  const kiosk = requireKiosk(kioskNow);
  const threshold = kiosk.threshold;
  /** No comparison, and why; with the face found on either side, if any. */
  const undecided = (reason: string, a: CompareResult['a'] = null, b: CompareResult['b'] = null) =>
    ({ a, b, similarity: null, threshold, same: null, reason }) satisfies CompareResult;
  let images: PixelImage[];
  if (source === 'camera') {
    const first = kiosk.latestFrame;
    if (!first) return undecided('no camera frame yet');
    await new Promise((resolve) => setTimeout(resolve, COMPARE_GAP_MS));
    const second = kiosk.latestFrame;
    if (!second || second === first) return undecided('the camera stopped sending frames');
    images = [first.image, second.image];
  } else {
    const files = await pickFiles({ kind: 'images' });
    if (!files || files.length !== 2) return undecided('choose exactly two photos');
    try {
      images = await Promise.all(files.map((f) => decodeImageFile(f)));
    } catch (error) {
      return undecided(messageOf(error));
    }
  }
  const a = await compareSide(kiosk, images[0]!);
  const b = await compareSide(kiosk, images[1]!);
  if (!a || !b) return undecided('no face found in one of the images', a?.view ?? null, b?.view ?? null);
  const similarity = computeSim(a.face.normedEmbedding!, b.face.normedEmbedding!);
  return { a: a.view, b: b.view, similarity, threshold, same: similarity >= threshold, reason: null };
}
