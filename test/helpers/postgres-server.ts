// The fleet tests' PostgreSQL: main/fleet/throwaway-postgres.ts (shared with the scale benchmark).
export { postgresBinDir, startPostgres, type PostgresServer } from '../../main/fleet/throwaway-postgres.js';
