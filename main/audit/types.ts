// One line of the audit log: a final decision of the kiosk (not every frame).

export type DecisionMode = 'identify' | 'verify';
export type AuditOutcome = 'unlocked' | 'rejected' | 'locked_out' | 'door_test';

export interface GateRecord {
  name: string;
  passed: boolean;
  /** The measured value (face height in px, blur variance, …); null when not measurable. */
  value: number | null;
}

export interface AuditRecord {
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
}

export type AuditInput = Omit<AuditRecord, 'id' | 'time' | 'snapshot'> & { time?: string };
