// Checks on what callers hand the store: names and embeddings.
import { StoreError } from './errors.js';

export function validateName(name: unknown): string {
  if (typeof name !== 'string') throw new StoreError('invalid_input', 'name must be a string');
  const clean = name.trim();
  // eslint-disable-next-line no-control-regex
  if (clean.length === 0 || clean.length > 100 || /[\u0000-\u001f\u007f]/.test(clean)) {
    throw new StoreError('invalid_input', 'name must be 1 to 100 printable characters');
  }
  return clean;
}

/** Copies `embedding` scaled to unit length, refusing empty, non-finite or all-zero input. */
export function normaliseEmbedding(embedding: unknown): Float32Array {
  if (!(embedding instanceof Float32Array) || embedding.length === 0) {
    throw new StoreError('invalid_input', 'template: embedding must be a non-empty Float32Array');
  }
  let sum = 0;
  for (const v of embedding) {
    if (!Number.isFinite(v))
      throw new StoreError('invalid_input', 'template: embedding holds NaN or Infinity');
    sum += v * v;
  }
  if (sum === 0) throw new StoreError('invalid_input', 'template: embedding is all zeros');
  const norm = Math.sqrt(sum);
  return embedding.map((v) => v / norm);
}
