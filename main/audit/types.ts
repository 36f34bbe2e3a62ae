// One line of the audit log: a final decision of the kiosk (not every frame), or
// something an admin did (AdminRecord). Every line written since the chain began
// also carries ChainFields (audit-chain.ts).
import type { AdminAction } from '../../preload/contract/admin-actions.js';

export type DecisionMode = 'identify' | 'verify';
export type AuditOutcome = 'unlocked' | 'rejected' | 'locked_out' | 'door_test';

export interface GateRecord {
  name: string;
  passed: boolean;
  /** The measured value (face height in px, blur variance, …); null when not measurable. */
  value: number | null;
}

export interface AuditRecord {
  /** Absent on decisions (and on every line older than admin events). */
  kind?: 'decision';
  /** A UUID: the key a fleet server stores the event under. */
  id: string;
  /** ISO 8601, UTC. */
  time: string;
  mode: DecisionMode;
  outcome: AuditOutcome;
  /** Why: a decision reason code such as 'unknown_face', 'claim_mismatch', 'not_live'. */
  reason: string;
  /** null when the face was not recognised. */
  personId: string | null;
  personName: string | null;
  /** Best cosine similarity seen; null when no face reached matching. */
  score: number | null;
  threshold: number | null;
  recognizerId: string | null;
  gates: GateRecord[];
  /** Always present; null when liveness was off or not measured. */
  liveness: { live: boolean; score: number } | null;
  /** null when the door was not asked to open. */
  door: { ok: boolean; kind: string; reason: string | null } | null;
  /** File name under the snapshots folder, when opt-in snapshots are on and this attempt failed. */
  snapshot: string | null;
  /** A burst of failures from one source written as this one line (bursts.ts): how many, over how long. */
  burst?: { count: number; seconds: number; since: string };
}

export type AuditInput = Omit<AuditRecord, 'id' | 'time' | 'snapshot'> & { time?: string };

/** What an admin (on the screen, or at the PC through the CLI) can do; each is logged. */
export type { AdminAction } from '../../preload/contract/admin-actions.js';

export type AuditDetailValue =
  string | number | boolean | null | AuditDetailValue[] | { [k: string]: AuditDetailValue };

export interface AdminRecord {
  kind: 'admin';
  id: string;
  time: string;
  action: AdminAction;
  /** The touchscreen, or the CLI on the PC itself. */
  actor: 'screen' | 'cli';
  /** False for refused attempts (wrong PIN, a failed door test). */
  ok: boolean;
  /** What changed; never a secret or a PIN. */
  detail: { [k: string]: AuditDetailValue };
}

export type AdminInput = Omit<AdminRecord, 'kind' | 'id' | 'time'> & { time?: string };

/** An admin action's audit line as its use case reports it: what changed, and whether it worked. */
export interface AuditLine {
  detail: AdminRecord['detail'];
  /** False for a refused or failed attempt; true unless said. */
  ok?: boolean;
}

/**
 * A use case's result with the audit line it calls for (null: nothing was done, no line). The
 * contract declares which channels are audited (preload/contract/define.ts); the gate writes
 * the line, so an audited channel's handler cannot leave it out.
 */
export interface Audited<T> {
  value: T;
  audit: AuditLine | null;
}

/** A line as read back: a decision or an admin event. */
export type AuditEntry = AuditRecord | AdminRecord;

/** Chain fields (audit-chain.ts); absent on lines written before the chain. */
export interface ChainFields {
  /** 1, 2, 3, … across rotated files. */
  seq: number;
  /** SHA-256 (hex) of the line before, exactly as written. */
  prev: string;
  /** HMAC-SHA256 (hex) of this line without `mac`, keyed from the store; null when no key was at hand. */
  mac: string | null;
  /**
   * Ed25519 signature (base64) of the same bytes the MAC covers, with a key derived from the
   * store; checked with the public key alone (`tobira audit verify --public-key FILE`). Null on
   * lines written without a store and on lines from before signing.
   */
  sig: string | null;
}
