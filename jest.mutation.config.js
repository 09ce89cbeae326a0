/**
 * The suites the mutation run (npm run test:mutation) draws on: everything that runs the core in the test
 * process. Suites that run the bot in child processes (their coverage cannot reach Stryker), the browser
 * suite, and the long load tests are left out: they add minutes per mutant and kill nothing the others miss.
 */
const base = require('./jest.config');

/** MUTATION_TESTS (comma-separated paths under the repo) narrows the suites, for a quicker run on one part. */
const only = (process.env.MUTATION_TESTS ?? '')
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);

module.exports = {
  ...base,
  ...(only.length > 0
    ? {
        testMatch: only.map((p) =>
          p.endsWith('.ts') ? `<rootDir>/${p}` : `<rootDir>/${p.replace(/\/$/, '')}/**/*.test.ts`,
        ),
      }
    : {}),
  // Transpile only: the type check is npm test's job, and Stryker marks mutated files @ts-nocheck anyway.
  preset: undefined,
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    '<rootDir>/tests/sandbox/',
    '<rootDir>/tests/scale/',
    '<rootDir>/tests/infra/',
    '<rootDir>/tests/manifest/',
    '<rootDir>/tests/runtime/',
    '<rootDir>/tests/server/edge-fuzz.test.ts',
    '<rootDir>/tests/server/bounded-memory.test.ts',
    '<rootDir>/tests/bot/races.test.ts',
    '<rootDir>/tests/notify/crash-recovery.test.ts',
    '<rootDir>/tests/store/startup.test.ts',
    '<rootDir>/tests/store/azure',
    '<rootDir>/tests/telemetry/',
    '<rootDir>/tests/notify/rate-limited-delivery.test.ts',
    '<rootDir>/tests/e2e/',
  ],
};
