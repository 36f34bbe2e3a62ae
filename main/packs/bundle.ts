// The default setup as one step: the catalog's default face pack and the liveness add-on,
// downloaded one after the other behind a single progress figure. Liveness is on by default,
// so a face pack alone would leave every face refused as "not live" (issue 10).
import type { PackManager, PackPhase, PackInfo } from './manager.js';

export interface BundleProgress {
  /** The pack being transferred now. */
  pack: string;
  phase: PackPhase;
  /** Overall 0..100 across every pack of the bundle, weighted by size; monotonic. */
  percent: number;
}

export interface BundleOptions {
  signal?: AbortSignal;
  onProgress?: (progress: BundleProgress) => void;
}

/**
 * What the default setup installs that is not installed yet, in order: the catalog's
 * default face pack (unless any face pack is installed), then the add-on named `addon` if
 * the catalog lists it.
 */
export function defaultSetupPacks(packs: readonly PackInfo[], addon: string): PackInfo[] {
  const out: PackInfo[] = [];
  const face = packs.find((p) => p.default && p.kind === 'face' && p.source === 'catalog');
  if (face && !packs.some((p) => p.kind === 'face' && p.installed)) out.push(face);
  const extra = packs.find((p) => p.name === addon && p.source === 'catalog');
  if (extra && !extra.installed) out.push(extra);
  return out;
}

/**
 * Downloads `packs` in order, reporting one overall percentage. A pack of unknown size
 * weighs as 1 MB, so it still moves the bar. The first failure stops the bundle: packs
 * installed before it stay installed (each install is whole or nothing).
 */
export async function downloadBundle(
  manager: PackManager,
  packs: readonly PackInfo[],
  options: BundleOptions = {},
): Promise<void> {
  const weights = packs.map((p) => Math.max(1, p.size ?? 1_000_000));
  const total = weights.reduce((a, b) => a + b, 0);
  let before = 0;
  let shown = 0;
  for (const [i, pack] of packs.entries()) {
    const weight = weights[i]!;
    await manager.download(pack.name, {
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (p) => {
        const percent = (100 * (before + (weight * (p.percent ?? 0)) / 100)) / total;
        shown = Math.max(shown, Math.min(100, percent));
        options.onProgress?.({ pack: pack.name, phase: p.phase, percent: shown });
      },
    });
    before += weight;
  }
  options.onProgress?.({ pack: packs.at(-1)?.name ?? '', phase: 'done', percent: 100 });
}
