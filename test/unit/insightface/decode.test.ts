// decodeImageFile reads files the way cv2.imread(path) does: BGR, EXIF orientation applied,
// alpha dropped, grey replicated, no colour management. The oracle is OpenCV itself: the table
// below is what cv2.imread gives for every photo in ../shared/faces/photos, made by
// scripts/opencv-imread-reference.py with Debian's python3-opencv (the OpenCV InsightFace's
// reference outputs used). Among them: 32bit.png has an alpha channel, solvay_conference_1927.png
// is greyscale, image_T1.jpeg is stored 640×480 with EXIF orientation 6, woman.png carries a
// non-sRGB colour profile.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImageFile } from '../../../main/image/decode.js';
import { facePath } from '../../helpers/fixtures.js';

// OpenCV 4.6.0: cv2.imread(path) -> [width, height, sha256 of the BGR bytes]
const OPENCV_IMREAD: Record<string, [number, number, string] | null> = {
  'photos/face_recognition/32bit.png': [
    626,
    1200,
    '9a9d6f5e688158c197ea7a28f83c38795651cbae69bd0c7b1c095e850720532e',
  ],
  'photos/face_recognition/biden.jpg': [
    970,
    2204,
    'd03974922fc34186317d0de984ff115a2dcde98ddf54148d5dcbfeedf46740c6',
  ],
  'photos/face_recognition/ex_alex-lacamoire.png': [
    424,
    394,
    '0c671eb92337491d714da424d235143e3733a44546a947f86bac1a16005a2d3f',
  ],
  'photos/face_recognition/ex_lin-manuel-miranda.png': [
    704,
    612,
    'e2210cf04748d25409ae62c6872f1a33883744e8ae2b99b4aed8cc5ebebd7e70',
  ],
  'photos/face_recognition/ex_obama-240p.jpg': [
    427,
    240,
    '2833c0eb5536637d1b7bd73801c82b679d9fbba1abe806b0ab0491d613b48820',
  ],
  'photos/face_recognition/ex_obama_small.jpg': [
    320,
    240,
    'eca122fd791380ff14da27d36a597ea1621234d4d7ecb17c87c88f68d367c0de',
  ],
  'photos/face_recognition/ex_two_people.jpg': [
    1126,
    661,
    'e40459ebb0cff3339d856071d7060945501b33f09638b547a0eca8139854e15f',
  ],
  'photos/face_recognition/knn_examples/test/alex_lacamoire1.jpg': [
    1548,
    1024,
    '3c2c7b05c6cced4d54812f67426e8c09b768a66b336c6bf56f8a77d00e0c8360',
  ],
  'photos/face_recognition/knn_examples/test/johnsnow_test1.jpg': [
    768,
    1154,
    '4262a6398a3d794a6ef51a1c1842b05d8c32c00b6f52aa3e20911e0ef7bdf150',
  ],
  'photos/face_recognition/knn_examples/test/kit_with_rose.jpg': [
    501,
    700,
    '8fa2b3ec7c0cda26737fe727a23fac87c6447cb40aeb17d9c69bed1d7c6a7f60',
  ],
  'photos/face_recognition/knn_examples/test/obama1.jpg': [
    1480,
    832,
    '959aa30b8a2b98e6672dffe9a2acdab485157c5053371d0582fd824780dca026',
  ],
  'photos/face_recognition/knn_examples/test/obama_and_biden.jpg': [
    2000,
    1428,
    '09b71ebafa28c7c57719942e83a45e43e05c68fff48e0e45969eedfbda12dfb0',
  ],
  'photos/face_recognition/knn_examples/train/alex_lacamoire/img1.jpg': [
    874,
    1200,
    '32b10266f0eacdc184a0b1382f2dda9ba3db1e24fad18c787bdd5466addb8dbf',
  ],
  'photos/face_recognition/knn_examples/train/biden/biden.jpg': [
    970,
    2204,
    'd03974922fc34186317d0de984ff115a2dcde98ddf54148d5dcbfeedf46740c6',
  ],
  'photos/face_recognition/knn_examples/train/biden/biden2.jpg': [
    1200,
    1200,
    '1aee0c2360d9d7faf333df245b5a07e5921f76d93730f29e4b2bffd952c56aff',
  ],
  'photos/face_recognition/knn_examples/train/kit_harington/john1.jpeg': [
    1200,
    599,
    'dba7bf09595c25ae6cfad8e77925e7619188b75a4d9ececc8e02d3a62cd3f28f',
  ],
  'photos/face_recognition/knn_examples/train/kit_harington/john2.jpeg': [
    630,
    374,
    '6e3b6b74b7d4d89de3d1460e8b2c7e3e4600286a0f51b5667ffaf08d9117bf33',
  ],
  'photos/face_recognition/knn_examples/train/obama/obama.jpg': [
    910,
    1137,
    '5fde33a5d4968f0d549cbd3743cea24e741b0241786ec813c23830cc5dea9601',
  ],
  'photos/face_recognition/knn_examples/train/obama/obama2.jpg': [
    626,
    1200,
    '7f6e589acbf9b7bbd71ae4610da21e56f3ede5efc7bf5dc70c8fceaf15060e31',
  ],
  'photos/face_recognition/knn_examples/train/rose_leslie/img1.jpg': [
    1280,
    799,
    '4c0aa2d913a97183d12a64596f73c950979251a438fbb841a3029c751eb891bf',
  ],
  'photos/face_recognition/knn_examples/train/rose_leslie/img2.jpg': [
    577,
    880,
    'fedea3da7ba9c202c50328ca1e732cf7b71b398dddea7dea59cb4e140b1cc7fd',
  ],
  'photos/face_recognition/obama.jpg': [
    910,
    1137,
    '5fde33a5d4968f0d549cbd3743cea24e741b0241786ec813c23830cc5dea9601',
  ],
  'photos/face_recognition/obama2.jpg': [
    626,
    1200,
    '7f6e589acbf9b7bbd71ae4610da21e56f3ede5efc7bf5dc70c8fceaf15060e31',
  ],
  'photos/face_recognition/obama3.jpg': [
    1434,
    2333,
    '34590d370ce33c7fdd01c7fc2d66cc1c83f22b26bf8d72412aee4d34064066e5',
  ],
  'photos/face_recognition/obama_partial_face.jpg': [
    491,
    1137,
    '0d7103635133cdc79c9991227db72466f6736f9fdb00a96382a259599959c154',
  ],
  'photos/face_recognition/obama_partial_face2.jpg': [
    551,
    1137,
    'eec1503ede894968134769d82eeaf11511ebea5fc54e31d9d498c30a5285b14b',
  ],
  'photos/insightface/Tom_Hanks_54745.png': [
    112,
    112,
    'b89d56da7dc3cc534114ccaff77a95fad85bbb5dedf5c660e190da799be511d7',
  ],
  'photos/insightface/t1.jpg': [
    1280,
    886,
    '584a1a854fda4ec4aabd9c30792db4f91e7e5ab04f620b243297e9301083debb',
  ],
  'photos/inspireface/Mary_Katherine_Smart_0001_5k.jpg': [
    250,
    250,
    '48f59125bb2e044c6a0061a81929c726d3306eac15fe5f2ab34e622e12e9f88f',
  ],
  'photos/inspireface/Nathalie_Baye_0002.jpg': [
    250,
    250,
    '12721ca1ec43cf0bc29b3fc5cbd90332bd66728b976cd9aea962bb654955cfa3',
  ],
  'photos/inspireface/Rob_Lowe_0001.jpg': [
    250,
    250,
    '95552542ecc9af3f59cc1ce4d690e430ce963804fb700dc57e9a9f4de75ba0fa',
  ],
  'photos/inspireface/Rob_Lowe_0002.jpg': [
    250,
    250,
    '26b7b0c5bd4f82dee36136da6693469d1c34bd85b87bdf5fa7481eb1d23942da',
  ],
  'photos/inspireface/Teresa_Williams_0001_1k.jpg': [
    250,
    250,
    '2b0ff6d2fc805ae8d04a18afef8617468ead7500e64aaeb91b2f9e2556da3182',
  ],
  'photos/inspireface/image_T1.jpeg': [
    480,
    640,
    'ef12a66d06a3bd85e67a37f08edcca7e7489abdcb0cbed4e692bb9c0344d06ba',
  ],
  'photos/inspireface/jntm.jpg': [
    539,
    667,
    '369984f699490d7629c3f7462d7fe30ee0e5761c53dcb2cb5229f2ec5aa84018',
  ],
  'photos/inspireface/kun.jpg': [
    325,
    402,
    '4a8b8504d39e437d1350c7827d478449bf9419d9b373b8925ca37acbff3f7ece',
  ],
  'photos/inspireface/view.jpg': [
    1080,
    641,
    'f817085bc41ac20cca32453782eef22cdc4b74600fa4b55f6685bb4b3288e70f',
  ],
  'photos/inspireface/woman.png': [
    870,
    1018,
    '1198ff3de3740c99425ee3b49c1c9dfc4205b24d75b901bc3c0badcea2229677',
  ],
  'photos/inspireface/woman_search.jpeg': [
    1024,
    1536,
    '35ad0e46d12fcd8837f9b9f8c5c66b714841f29de2b3c8fca0e2914533a1baf2',
  ],
  'photos/inspireface/yifei.jpg': [
    1080,
    1439,
    '21ecfd13b2dbd59abf0f5d57640235a6019bf01c65b93a333f7931dbde629e43',
  ],
  'photos/scrfd_portraits/gauss.png': [
    1024,
    1305,
    '1f67fd7dad316e13f6c4ec3ba9a09747b309cbd29537c219f7b035e328f96a41',
  ],
  'photos/scrfd_portraits/newton.png': [
    768,
    432,
    '6854367f2736924bb298d76dcd4d7b1588233f23f3a33b9c06cd32ae9e69a8e5',
  ],
  'photos/scrfd_portraits/solvay_conference_1927.png': [
    3000,
    2171,
    'f529dbb2416c7a4a496e5a51456353ff9a611ef8f835bd9ffb641537475364a2',
  ],
};

const sha = (b: Uint8Array | Uint8ClampedArray): string => createHash('sha256').update(b).digest('hex');

/** Every file under ../shared/faces/photos, relative to ../shared/faces. */
function photos(dir = 'photos'): string[] {
  return readdirSync(facePath(dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    return statSync(facePath(rel)).isDirectory() ? photos(rel) : [rel];
  });
}

describe('decodeImageFile gives what cv2.imread gives', () => {
  it('the table covers every photo', () => {
    assert.deepEqual(photos().sort(), Object.keys(OPENCV_IMREAD).sort());
  });

  for (const [rel, expected] of Object.entries(OPENCV_IMREAD)) {
    it(rel, async () => {
      assert.ok(expected, 'OpenCV reads it');
      const img = await decodeImageFile(facePath(rel));
      assert.equal(img.format, 'bgr');
      assert.deepEqual([img.width, img.height, sha(img.data)], expected);
    });
  }

  it('applies the EXIF orientation (image_T1.jpeg is stored 640×480, orientation 6)', async () => {
    const meta = await sharp(facePath('photos/inspireface/image_T1.jpeg')).metadata();
    assert.deepEqual([meta.width, meta.height, meta.orientation], [640, 480, 6]);
    assert.deepEqual(OPENCV_IMREAD['photos/inspireface/image_T1.jpeg']?.slice(0, 2), [480, 640]);
  });

  it('reads lossless WebP to the very pixels it holds', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-webp-'));
    try {
      // kun.jpg as OpenCV reads it (checked above), stored as lossless WebP.
      const jpg = await decodeImageFile(facePath('photos/inspireface/kun.jpg'));
      const rgb = Buffer.alloc(jpg.data.length);
      for (let i = 0; i < rgb.length; i += 3) {
        rgb[i] = jpg.data[i + 2]!;
        rgb[i + 1] = jpg.data[i + 1]!;
        rgb[i + 2] = jpg.data[i]!;
      }
      const file = path.join(dir, 'kun.webp');
      writeFileSync(
        file,
        await sharp(rgb, { raw: { width: jpg.width, height: jpg.height, channels: 3 } })
          .webp({ lossless: true })
          .toBuffer(),
      );
      const img = await decodeImageFile(file);
      assert.deepEqual([img.width, img.height, sha(img.data)], OPENCV_IMREAD['photos/inspireface/kun.jpg']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
