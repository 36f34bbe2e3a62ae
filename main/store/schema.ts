// On-disk shapes of the enrollment store. The envelope is plain JSON; everything
// about people (names, PIN hashes, templates, thumbnails) is inside the sealed payload.
import { z } from 'zod';
import { pinHashSchema } from '../admin/pin-hash.js';

export const STORE_FORMAT = 'tobira-enrollment-store';
export const STORE_VERSION = 1;
export const STORE_FILE = 'store.json';

export const envelopeSchema = z.object({
  format: z.literal(STORE_FORMAT),
  version: z.number().int(),
  keyWrapper: z.string().min(1),
  wrappedKey: z.base64(),
  payload: z.base64(),
  savedAt: z.string(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export const templateSchema = z.object({
  id: z.string().min(1),
  recognizerId: z.string().min(1),
  createdAt: z.string(),
  /** Little-endian float32, L2-normalised. */
  embedding: z.base64(),
  thumbnail: z.base64().optional(),
  /** Raw photo: only kept when the admin opted in. */
  photo: z.base64().optional(),
});
export type TemplateRecord = z.infer<typeof templateSchema>;

export const personSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  createdAt: z.string(),
  pin: pinHashSchema.optional(),
  templates: z.array(templateSchema),
});
export type PersonRecord = z.infer<typeof personSchema>;

export const payloadSchema = z.object({ people: z.array(personSchema) });
export type Payload = z.infer<typeof payloadSchema>;

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

export function encodeEmbedding(embedding: Float32Array): string {
  const copy = new Float32Array(embedding); // own buffer; avoids a view over a larger one
  return Buffer.from(copy.buffer).toString('base64');
}

export function decodeEmbedding(base64: string, where: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0 || bytes.length % 4 !== 0) {
    throw new Error(`${where}: embedding byte length ${bytes.length} is not a positive multiple of 4`);
  }
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}
