// A printed photo moved before the camera, rendered in software, for measuring the 3-D layer
// (the benchmark and the tests): the photo is a sheet of paper (flat, or bent gently around a
// vertical axis), turned about the vertical and horizontal axes, and seen through a pinhole
// camera. The sheet is cut into a grid of triangles; each is projected and filled by inverse
// affine mapping with bilinear sampling.
import type { PixelImage } from '../insightface/types.js';

export interface PaperPose {
  /** Turn about the vertical axis, degrees (positive: the sheet's right edge moves away). */
  yawDeg: number;
  /** Turn about the horizontal axis, degrees. */
  pitchDeg: number;
  /**
   * Cylinder bend as the angle the sheet's half width wraps around the cylinder, degrees;
   * 0 is flat. 30°: a sheet held at its sides and bowed gently toward the camera.
   */
  bendDeg?: number;
}

export interface CameraSetup {
  width: number;
  height: number;
  /** Sheet width as a share of the frame width when flat and facing the camera. */
  sheetShare: number;
  /**
   * Camera distance in sheet widths. 1.5: a sheet held at arm's length before a webcam whose
   * field of view is about 1.5 sheet widths at that distance, strong perspective.
   */
  distance: number;
}

export const WEBCAM: CameraSetup = { width: 640, height: 480, sheetShare: 0.6, distance: 1.5 };

/** The paper-motion sequence each photo goes through: straight, ±25° both ways, bends, corners. */
export const PAPER_SEQUENCE: readonly PaperPose[] = [
  { yawDeg: 0, pitchDeg: 0 },
  { yawDeg: 25, pitchDeg: 0 },
  { yawDeg: -25, pitchDeg: 0 },
  { yawDeg: 0, pitchDeg: 25 },
  { yawDeg: 0, pitchDeg: -25 },
  { yawDeg: 18, pitchDeg: 18 },
  { yawDeg: -18, pitchDeg: -18 },
  { yawDeg: 0, pitchDeg: 0, bendDeg: 30 },
  { yawDeg: 25, pitchDeg: 0, bendDeg: 30 },
  { yawDeg: -25, pitchDeg: 0, bendDeg: 30 },
];

/** Packed RGB of any PixelImage. */
function rgbOf(img: PixelImage): Uint8Array {
  const n = img.width * img.height;
  const c = img.format === 'rgba' ? 4 : 3;
  const out = new Uint8Array(n * 3);
  const [r, b] = img.format === 'bgr' ? [2, 0] : [0, 2];
  for (let i = 0; i < n; i++) {
    out[i * 3] = img.data[i * c + r]!;
    out[i * 3 + 1] = img.data[i * c + 1]!;
    out[i * 3 + 2] = img.data[i * c + b]!;
  }
  return out;
}

type V3 = [number, number, number];

/** Renders `photo` as a sheet in `pose`, on a mid-grey background, as an RGB frame. */
export function renderPaper(photo: PixelImage, pose: PaperPose, cam: CameraSetup = WEBCAM): PixelImage {
  const src = rgbOf(photo);
  const { width: W, height: H } = cam;
  const out = new Uint8Array(W * H * 3).fill(128);
  // Sheet coordinates in sheet widths: u ∈ [-0.5, 0.5], v ∈ [-h/2, h/2].
  const aspect = photo.height / photo.width;
  const yaw = (pose.yawDeg * Math.PI) / 180;
  const pitch = (pose.pitchDeg * Math.PI) / 180;
  const wrap = ((pose.bendDeg ?? 0) * Math.PI) / 180;
  // A flat sheet facing the camera at `distance` spans sheetShare of the frame: the focal length.
  // A tall photo is shrunk so that, facing the camera, it fills at most 80% of the frame height.
  const share = Math.min(cam.sheetShare, (0.8 * H) / (W * aspect));
  const focal = share * W * cam.distance;
  const toCamera = (u: number, v: number): V3 => {
    let x = u;
    let z = 0;
    if (wrap > 0) {
      const radius = 0.5 / wrap;
      x = radius * Math.sin(u / radius);
      z = -radius * (1 - Math.cos(u / radius)); // the sides bow away from the camera
    }
    // Yaw about y, then pitch about x.
    const x1 = x * Math.cos(yaw) + z * Math.sin(yaw);
    const z1 = -x * Math.sin(yaw) + z * Math.cos(yaw);
    const y2 = v * Math.cos(pitch) - z1 * Math.sin(pitch);
    const z2 = v * Math.sin(pitch) + z1 * Math.cos(pitch);
    return [x1, y2, z2 + cam.distance];
  };
  const project = ([x, y, z]: V3): [number, number] => [W / 2 + (focal * x) / z, H / 2 + (focal * y) / z];
  const N = 24;
  const grid: [number, number][][] = [];
  for (let j = 0; j <= N; j++) {
    const row: [number, number][] = [];
    for (let i = 0; i <= N; i++) row.push(project(toCamera(i / N - 0.5, (j / N - 0.5) * aspect)));
    grid.push(row);
  }
  const texel = (i: number, j: number): [number, number] => [
    (i / N) * (photo.width - 1),
    (j / N) * (photo.height - 1),
  ];
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) {
      fillTriangle(out, W, H, src, photo.width, photo.height, [
        [grid[j]![i]!, texel(i, j)],
        [grid[j]![i + 1]!, texel(i + 1, j)],
        [grid[j + 1]![i]!, texel(i, j + 1)],
      ]);
      fillTriangle(out, W, H, src, photo.width, photo.height, [
        [grid[j]![i + 1]!, texel(i + 1, j)],
        [grid[j + 1]![i + 1]!, texel(i + 1, j + 1)],
        [grid[j + 1]![i]!, texel(i, j + 1)],
      ]);
    }
  }
  return { data: out, width: W, height: H, format: 'rgb' };
}

type Corner = [[number, number], [number, number]];

function fillTriangle(
  out: Uint8Array,
  W: number,
  H: number,
  src: Uint8Array,
  sw: number,
  sh: number,
  tri: [Corner, Corner, Corner],
): void {
  const [[p0, t0], [p1, t1], [p2, t2]] = tri;
  const det = (p1[0] - p0[0]) * (p2[1] - p0[1]) - (p2[0] - p0[0]) * (p1[1] - p0[1]);
  if (Math.abs(det) < 1e-9) return;
  const minX = Math.max(0, Math.floor(Math.min(p0[0], p1[0], p2[0])));
  const maxX = Math.min(W - 1, Math.ceil(Math.max(p0[0], p1[0], p2[0])));
  const minY = Math.max(0, Math.floor(Math.min(p0[1], p1[1], p2[1])));
  const maxY = Math.min(H - 1, Math.ceil(Math.max(p0[1], p1[1], p2[1])));
  for (let y = minY; y <= maxY; y++) {
    for (let x = minX; x <= maxX; x++) {
      const px = x + 0.5 - p0[0];
      const py = y + 0.5 - p0[1];
      // Barycentric coordinates of the pixel centre.
      const b1 = (px * (p2[1] - p0[1]) - py * (p2[0] - p0[0])) / det;
      const b2 = (py * (p1[0] - p0[0]) - px * (p1[1] - p0[1])) / det;
      const b0 = 1 - b1 - b2;
      if (b0 < -1e-6 || b1 < -1e-6 || b2 < -1e-6) continue;
      const u = b0 * t0[0] + b1 * t1[0] + b2 * t2[0];
      const v = b0 * t0[1] + b1 * t1[1] + b2 * t2[1];
      const x0 = Math.min(sw - 2, Math.max(0, Math.floor(u)));
      const y0 = Math.min(sh - 2, Math.max(0, Math.floor(v)));
      const fx = Math.min(1, Math.max(0, u - x0));
      const fy = Math.min(1, Math.max(0, v - y0));
      const o = (y * W + x) * 3;
      for (let c = 0; c < 3; c++) {
        const a = src[(y0 * sw + x0) * 3 + c]!;
        const b = src[(y0 * sw + x0 + 1) * 3 + c]!;
        const d = src[((y0 + 1) * sw + x0) * 3 + c]!;
        const e = src[((y0 + 1) * sw + x0 + 1) * 3 + c]!;
        out[o + c] = Math.round((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
      }
    }
  }
}
