// Synthetic galleries of random unit vectors (Gaussian coordinates, normalised, seeded): what the
// matching bench and tests use to stand in for 1,000-100,000 enrolled people. Random templates of
// different people sit closer to cosine 0 than real ones do; the time per probe does not depend on
// the values.
import { lazyGalleryEntry, type GalleryEntry } from '../../store/enrollment-store.js';
import { mulberry32 } from '../../util/seeded-random.js';

/** mulberry32's increment: its state moves by this much a draw. */
const MULBERRY_STEP = 0x6d2b79f5;

/**
 * Person `p`'s templates: the draws of `seed`'s stream from p × (draws a person) on, so any person
 * is made alone and the values are those of drawing everyone in order.
 */
function personTemplates(p: number, templates: number, dim: number, seed: number): Float32Array[] {
  const draws = templates * 2 * Math.ceil(dim / 2);
  const random = mulberry32((seed + Math.imul(p * draws, MULBERRY_STEP)) | 0);
  // (0, 1]: Box-Muller takes a logarithm.
  const uniform = (): number => 1 - random();
  const rows: Float32Array[] = [];
  for (let t = 0; t < templates; t++) {
    const v = new Float32Array(dim);
    let n = 0;
    for (let i = 0; i < dim; i += 2) {
      // Box-Muller: two Gaussians from two uniforms.
      const r = Math.sqrt(-2 * Math.log(uniform()));
      const th = 2 * Math.PI * uniform();
      v[i] = r * Math.cos(th);
      if (i + 1 < dim) v[i + 1] = r * Math.sin(th);
    }
    for (let i = 0; i < dim; i++) n += v[i]! * v[i]!;
    const inv = 1 / Math.sqrt(n);
    for (let i = 0; i < dim; i++) v[i]! *= inv;
    rows.push(v);
  }
  return rows;
}

/** `people` entries of `templates` random unit vectors of `dim` each, the same for the same seed. */
export function randomUnitGallery(
  people: number,
  templates: number,
  dim: number,
  seed: number,
): GalleryEntry[] {
  return Array.from({ length: people }, (_, p) => ({
    personId: `synthetic-${seed}-${p}`,
    name: `Synthetic ${p}`,
    templates: personTemplates(p, templates, dim, seed),
  }));
}

/**
 * The same people, as a door's entries are: their templates made again each time they are read
 * (lazyGalleryEntry), so a bench packs 100,000 without holding their float32 copies, and an int4
 * gallery's exact step pays for making a person's templates as a door pays for opening them.
 */
export function* randomUnitPeople(
  people: number,
  templates: number,
  dim: number,
  seed: number,
): Generator<GalleryEntry> {
  for (let p = 0; p < people; p++) {
    yield lazyGalleryEntry(`synthetic-${seed}-${p}`, `Synthetic ${p}`, templates, () =>
      personTemplates(p, templates, dim, seed),
    );
  }
}
