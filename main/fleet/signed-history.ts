// The record of admin actions (issue 17): every signed change as signed_changes keeps it (append
// only), newest first, each signature checked again here against the admin keys this door trusts.
// The record holds the SHA-256 of the sealed bytes the admin signed, so a change is checked even
// after its row was replaced or deleted. `tobira fleet changes --data-dir DIR` prints it.
// A change signed through a manifest (migration 6) is checked against its manifest: the
// manifest's signature, and the change's envelope digest at its position.
import type { KeyObject } from 'node:crypto';
import { DIGEST_BYTES, envelopeDigest, verifyEnvelope, verifyManifest } from './admin-key.js';
import type { FleetContext } from './cli-context.js';
import { withClient } from './db.js';
import type { EntityKind } from './entities.js';

export interface SignedChangeLine {
  version: number;
  at: string;
  kind: EntityKind;
  id: string;
  revision: number;
  signer: string;
  /** The admin key's name as its row says; null when the key was removed (or never added). */
  signerName: string | null;
  /** ok: the signature holds; bad: it does not (an altered record); unknown_key: not checked. */
  signature: 'ok' | 'bad' | 'unknown_key';
}

interface Row {
  version: string;
  recorded_at: Date;
  kind: EntityKind;
  id: string;
  parent: string | null;
  revision: string;
  digest: Buffer | null;
  signer: string;
  signature: Buffer | null;
  manifest: string | null;
  manifest_pos: number | null;
  m_signer: string | null;
  m_digests: Buffer | null;
  m_signature: Buffer | null;
}

export async function signedHistory(ctx: FleetContext, limit: number): Promise<SignedChangeLine[]> {
  const keys: Map<string, KeyObject> = ctx.verified.trustedKeys();
  const names = ctx.view().admins;
  const rows = await withClient(ctx.config.databaseUrl, async (c) =>
    c.query<Row>(
      `SELECT s.version, s.recorded_at, s.kind, s.id, s.parent, s.revision, s.digest, s.signer,
         s.signature, s.manifest, s.manifest_pos, m.signer AS m_signer, m.digests AS m_digests,
         m.signature AS m_signature
       FROM signed_changes s LEFT JOIN manifests m ON m.id = s.manifest
       ORDER BY s.version DESC LIMIT $1`,
      [limit],
    ),
  );
  /** Each manifest's signature, checked once for all its rows shown. */
  const manifestOk = new Map<string, boolean>();
  const holds = (r: Row, envelope: Parameters<typeof envelopeDigest>[0], key: KeyObject): boolean => {
    if (r.signature) return verifyEnvelope(envelope, r.signature, key);
    if (!r.manifest || r.manifest_pos === null || !r.m_digests || !r.m_signature) return false;
    if (r.m_signer !== r.signer) return false;
    let ok = manifestOk.get(r.manifest);
    if (ok === undefined) {
      const m = { fleet: ctx.config.fleet, id: r.manifest, signer: r.m_signer, digests: r.m_digests };
      manifestOk.set(r.manifest, (ok = verifyManifest(m, r.m_signature, key)));
    }
    const at = r.manifest_pos * DIGEST_BYTES;
    return (
      ok &&
      at + DIGEST_BYTES <= r.m_digests.length &&
      envelopeDigest(envelope).equals(r.m_digests.subarray(at, at + DIGEST_BYTES))
    );
  };
  return rows.rows.map((r) => {
    const key = keys.get(r.signer);
    const envelope = {
      fleet: ctx.config.fleet,
      kind: r.kind,
      id: r.id,
      parent: r.parent,
      revision: Number(r.revision),
      digest: r.digest,
      signer: r.signer,
    };
    return {
      version: Number(r.version),
      at: r.recorded_at.toISOString(),
      kind: r.kind,
      id: r.id,
      revision: Number(r.revision),
      signer: r.signer,
      signerName: names.get(r.signer)?.name ?? null,
      signature: !key ? 'unknown_key' : holds(r, envelope, key) ? 'ok' : 'bad',
    };
  });
}
