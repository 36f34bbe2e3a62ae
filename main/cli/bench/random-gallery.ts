// Synthetic galleries of random unit vectors (Gaussian coordinates, normalised, seeded): what the
// matching bench and tests use to stand in for 1,000-100,000 enrolled people. Random templates of
// different people sit closer to cosine 0 than real ones do; the time per probe does not depend on
// the values.
import type { GalleryEntry } from '../../store/enrollment-store.js';
import { mulberry32 } from '../../util/seeded-random.js';

/** `people` entries of `templates` random unit vectors of `dim` each, the same for the same seed. */
export function randomUnitGallery(
  people: number,
  templates: number,
  dim: number,
  seed: number,
): GalleryEntry[] {
  return [...randomUnitPeople(people, templates, dim, seed)];
}

/** The same people one at a time, so a bench can pack 100,000 without holding their float32 copies. */
export function* randomUnitPeople(
  people: number,
  templates: number,
  dim: number,
  seed: number,
): Generator<GalleryEntry> {
  const random = mulberry32(seed);
  // (0, 1]: Box-Muller takes a logarithm.
  const uniform = (): number => 1 - random();
  for (let p = 0; p < people; p++) {
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
    yield { personId: `synthetic-${seed}-${p}`, name: `Synthetic ${p}`, templates: rows };
  }
}
