// Tests are named by what they start (scripts/test.mjs): `npm run test:unit` sets
// TOBIRA_TEST_SUITE=unit, and a unit test that starts PostgreSQL, Mosquitto or Chromium fails
// here, naming where it belongs, instead of quietly making the unit suite slow.
export function mayStartServer(server: 'PostgreSQL' | 'Mosquitto' | 'Chromium'): void {
  if (process.env.TOBIRA_TEST_SUITE !== 'unit') return;
  throw new Error(
    `a unit test started ${server}: tests that start a server live in test/integration/ ` +
      '(npm run test:integration), or test/e2e/ for the screens',
  );
}
