/** Mean Rec. 601 luma of RGBA pixels, sampled on a grid: cheap enough for every frame. */
export function meanLuma(rgba: Uint8Array, width: number, height: number, step = 4): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < height; y += step) {
    let i = y * width * 4;
    for (let x = 0; x < width; x += step, i += 4 * step) {
      sum += 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
      count += 1;
    }
  }
  return count === 0 ? 0 : sum / count;
}
