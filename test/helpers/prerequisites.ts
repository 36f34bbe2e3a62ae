// The servers and tools some tests start. On a developer's machine a missing one
// skips those tests and says why; in CI (CI=true, set by .ci/run, which installs
// them all) a missing one is a failure: a skip there would hide that a whole
// group of tests never ran.
import { mosquittoBinary } from './mosquitto-server.js';
import { opensslAvailable, postgresBinDir } from './postgres-server.js';

const CHECKS = {
  postgresql: () => postgresBinDir() !== null,
  mosquitto: () => mosquittoBinary() !== null,
  openssl: opensslAvailable,
} as const;

export type Prerequisite = keyof typeof CHECKS;

/**
 * `false` when every prerequisite is installed; otherwise the skip reason
 * (`node:test`'s `skip` option). Throws in CI.
 */
export function skipWithout(...needs: Prerequisite[]): string | false {
  const missing = needs.filter((need) => !CHECKS[need]());
  if (missing.length === 0) return false;
  const reason = `${missing.join(' and ')} not installed (apt-get install ${missing.join(' ')})`;
  if (process.env.CI === 'true') throw new Error(`CI must not skip: ${reason}; .ci/run installs them`);
  return reason;
}
