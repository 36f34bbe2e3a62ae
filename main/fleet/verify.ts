// Every change a door applies is checked here first (issue 17): signed by an admin key the door
// trusts, over exactly these bytes, and newer than the revision of that entity the door holds.
// A refused row is never applied and never crashes the door: it is counted and named (the door's
// log and `tobira fleet status`), and the feed moves past it, so the next good change still lands.
//
// Whom the door trusts: the admin key bound to its join token (the first admin, from
// `fleet init`), plus every admin row it applied, each itself signed by a key trusted when it
// arrived; an admin row's deletion stops the trust in that key. The database operator holds no
// admin key, so it can withhold changes, but not add, widen, disable or roll back anything.
//
// A row signed through a manifest (migration 6) is checked the same way, in two steps: the
// manifest's signature by a key trusted when the row arrives (verified once, then kept for the
// next rows of the same manifest), and the row's envelope digest against the manifest's entry at
// the position the row names. A row altered, moved to another position or manifest, or whose
// manifest is missing or not signed by a trusted key, is refused like a bad signature.
import type { KeyObject } from 'node:crypto';
import {
  DIGEST_BYTES,
  envelopeDigest,
  keyIdOf,
  publicKeyFrom,
  verifyEnvelope,
  verifyManifest,
} from './admin-key.js';
import { openDoc } from './entities.js';
import { FleetError } from './errors.js';
import type { EntityRow, Replica } from './replica.js';
import type { ChangeSink, StoredManifest } from './sync.js';

/**
 * Manifests kept after their batch, verified, for the rows of the same manifest in the next
 * batch (a manifest of 10,000 rows spans two pages). 64 × 10,000 digests × 32 B is at most 20 MB;
 * a manifest not kept is read again.
 */
const KEPT_MANIFESTS = 64;

interface CheckedManifest {
  stored: StoredManifest;
  /** Whether its signature holds (checked with its signer's key, whose id is that key's hash). */
  valid: boolean | null;
}

export interface DoorTrust {
  fleet: string;
  fleetKey: Buffer;
  /** The first admin's raw public key (base64url) from the join token; null: joined before admin keys, trusts nobody. */
  rootAdmin: string | null;
}

export const doorTrust = (config: {
  fleet: string;
  fleetKey: Buffer;
  rootAdmin: string | null;
}): DoorTrust => ({ fleet: config.fleet, fleetKey: config.fleetKey, rootAdmin: config.rootAdmin });

export interface Refusal {
  kind: EntityRow['kind'];
  id: string;
  version: number;
  reason: string;
}

export const describeRefusal = (r: Refusal) =>
  `refused ${r.kind} ${r.id} (change ${r.version}): ${r.reason}; not applied`;

/** The door's Replica behind the checks above: what FleetSync and the CLI's catch-up apply to. */
export class VerifiedReplica implements ChangeSink {
  refused = 0;
  lastRefusal: Refusal | null = null;
  private admins: Map<string, KeyObject> | null = null;
  private kept = new Map<string, CheckedManifest>();

  constructor(
    readonly replica: Replica,
    private readonly trust: DoorTrust,
    private readonly onRefused: (refusal: Refusal) => void = () => undefined,
  ) {}

  get version(): number {
    return this.replica.version;
  }

  markSynced(at: number): Promise<void> {
    return this.replica.markSynced(at);
  }

  holdsManifest(id: string): boolean {
    return this.kept.has(id);
  }

  /** The keys trusted now: the root unless its admin row was deleted, and every admin row held. */
  trustedKeys(): Map<string, KeyObject> {
    if (this.admins) return this.admins;
    const keys = new Map<string, KeyObject>();
    if (this.trust.rootAdmin) keys.set(keyIdOf(this.trust.rootAdmin), publicKeyFrom(this.trust.rootAdmin));
    for (const row of this.replica.rows('admin').sort((a, b) => a.version - b.version)) {
      if (!row.sealed) keys.delete(row.id);
      else
        keys.set(row.id, publicKeyFrom(openDoc(this.trust.fleetKey, 'admin', row.id, row.sealed).publicKey));
    }
    return (this.admins = keys);
  }

  /** Refuses, before anything is written, a change signed with a key the doors would refuse. */
  assertTrusted(admin: { keyId: string; name: string }): void {
    if (!this.trustedKeys().has(admin.keyId))
      throw new FleetError(
        'permission_denied',
        `admin key ${admin.keyId} ('${admin.name}') is not one the doors trust (never added, or removed): ` +
          'its changes would be refused',
      );
  }

  async apply(
    rows: readonly EntityRow[],
    syncedAt: number,
    given?: ReadonlyMap<string, StoredManifest>,
  ): Promise<number> {
    const keys = new Map(this.trustedKeys());
    /** This batch's manifests: those given, and those kept from earlier batches. */
    const manifests = new Map<string, CheckedManifest>();
    for (const [id, stored] of given ?? []) manifests.set(id, { stored, valid: null });
    /**
     * Revisions accepted earlier in this batch, per kind by id (the row's own id string as the key:
     * a first sync keeps 600,000 of these until its one batch is written).
     */
    const revisions = new Map<EntityRow['kind'], Map<string, number>>();
    const accepted: EntityRow[] = [];
    let through = 0;
    for (const row of rows) {
      through = Math.max(through, row.version);
      let ofKind = revisions.get(row.kind);
      if (!ofKind) revisions.set(row.kind, (ofKind = new Map()));
      const held = this.replica.get(row.kind, row.id);
      if (held && held.version >= row.version) continue; // a row pulled again: the replica has it
      const heldRevision = ofKind.get(row.id) ?? held?.signed?.revision ?? 0;
      const reason = this.check(row, keys, heldRevision, manifests);
      if (reason) {
        this.refuse({ kind: row.kind, id: row.id, version: row.version, reason });
        continue;
      }
      accepted.push(row);
      ofKind.set(row.id, row.signed!.revision);
      if (row.kind !== 'admin') continue;
      if (row.sealed)
        keys.set(row.id, publicKeyFrom(openDoc(this.trust.fleetKey, 'admin', row.id, row.sealed).publicKey));
      else keys.delete(row.id);
    }
    const changed = await this.replica.apply(accepted, syncedAt, through);
    this.admins = keys;
    // Only manifests whose signature held are kept: a bad one is read again with its next row.
    for (const [id, m] of manifests) {
      if (m.valid !== true) continue;
      this.kept.delete(id);
      this.kept.set(id, m);
      if (this.kept.size > KEPT_MANIFESTS) this.kept.delete(this.kept.keys().next().value!);
    }
    return changed;
  }

  /** Why `row` may not be applied; null when it may. */
  private check(
    row: EntityRow,
    keys: Map<string, KeyObject>,
    heldRevision: number,
    manifests: Map<string, CheckedManifest>,
  ): string | null {
    const s = row.signed;
    if (!s) return 'it carries no admin signature';
    const key = keys.get(s.signer);
    if (!key) return `its signer ${s.signer} is not an admin key this door trusts (unknown or removed)`;
    const envelope = {
      fleet: this.trust.fleet,
      kind: row.kind,
      id: row.id,
      parent: row.parent,
      revision: s.revision,
      sealed: row.sealed,
      signer: s.signer,
    };
    if (s.manifest) {
      const wrong = this.checkInManifest(envelope, s.manifest, key, manifests);
      if (wrong) return wrong;
    } else if (!verifyEnvelope(envelope, s.signature, key)) return 'its signature does not match the change';
    if (s.revision <= heldRevision)
      return `revision ${s.revision} is not newer than revision ${heldRevision} held (a rollback or replay)`;
    if (row.kind === 'admin' && row.sealed) {
      try {
        const doc = openDoc(this.trust.fleetKey, 'admin', row.id, row.sealed);
        if (keyIdOf(doc.publicKey) !== row.id) return 'the admin row holds another key than its id names';
      } catch (error) {
        return `the admin row does not open (${(error as Error).message})`;
      }
    }
    return null;
  }

  /** Why a row signed through manifest `at` does not hold; null when it does. */
  private checkInManifest(
    envelope: Parameters<typeof envelopeDigest>[0],
    at: { id: string; position: number },
    key: KeyObject,
    manifests: Map<string, CheckedManifest>,
  ): string | null {
    let m = manifests.get(at.id);
    if (!m) {
      m = this.kept.get(at.id);
      if (m) manifests.set(at.id, m);
    }
    if (!m) return `its manifest ${at.id} is not in the database`;
    const { stored } = m;
    if (stored.signer !== envelope.signer)
      return `its manifest ${at.id} is signed by ${stored.signer}, not by its signer`;
    m.valid ??= verifyManifest(
      { fleet: this.trust.fleet, id: stored.id, signer: stored.signer, digests: stored.digests },
      stored.signature,
      key,
    );
    if (!m.valid) return `the signature of its manifest ${at.id} does not match`;
    const count = stored.digests.length / DIGEST_BYTES;
    if (!Number.isInteger(at.position) || at.position < 0 || at.position >= count)
      return `position ${at.position} is not in its manifest ${at.id} (${count} rows)`;
    const entry = stored.digests.subarray(at.position * DIGEST_BYTES, (at.position + 1) * DIGEST_BYTES);
    if (!envelopeDigest(envelope).equals(entry))
      return `the change is not the one its manifest ${at.id} lists at position ${at.position}`;
    return null;
  }

  private refuse(refusal: Refusal): void {
    this.refused++;
    this.lastRefusal = refusal;
    this.onRefused(refusal);
  }
}
