// The record of admin actions (issue 17): every signed change as signed_changes keeps it (append
// only), newest first, each signature checked again here against the admin keys this door trusts.
// The record holds the SHA-256 of the sealed bytes the admin signed, so a change is checked even
// after its row was replaced or deleted. `tobira fleet changes --data-dir DIR` prints it.
import type { KeyObject } from 'node:crypto';
import { verifyEnvelope } from './admin-key.js';
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
  signature: Buffer;
}

export async function signedHistory(ctx: FleetContext, limit: number): Promise<SignedChangeLine[]> {
  const keys: Map<string, KeyObject> = ctx.verified.trustedKeys();
  const names = ctx.view().admins;
  const rows = await withClient(ctx.config.databaseUrl, async (c) =>
    c.query<Row>(
      `SELECT version, recorded_at, kind, id, parent, revision, digest, signer, signature
       FROM signed_changes ORDER BY version DESC LIMIT $1`,
      [limit],
    ),
  );
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
      signature: !key ? 'unknown_key' : verifyEnvelope(envelope, r.signature, key) ? 'ok' : 'bad',
    };
  });
}
