// Ephemeral ports and readiness lines for the servers the fleet tests start.
export { freePort, waitForOutput } from '../../main/cli/bench/throwaway-postgres.js';
