// Audit decisions for the shipping tests: a stranger refused at second `i` of 1 June 2026, each
// one distinct by its time, as a door writes them.
import type { AuditInput } from '../../main/audit/types.js';

export const strangerRefused = (i: number, recognizerId = 'w600k_r50', threshold = 0.4): AuditInput => ({
  mode: 'identify',
  outcome: 'rejected',
  reason: 'unknown_face',
  personId: null,
  personName: null,
  score: 0.1,
  threshold,
  recognizerId,
  gates: [],
  liveness: null,
  door: null,
  time: new Date(Date.UTC(2026, 5, 1, 0, 0, i)).toISOString(),
});
