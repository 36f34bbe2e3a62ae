import type { LivenessLevelsTable } from './liveness-levels-table.js';

export const MEASURED: LivenessLevelsTable = { rows: [] };
