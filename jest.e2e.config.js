/** Browser end-to-end suite: the Agents Playground driven by headless Chromium (Debian's /usr/bin/chromium). */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  testTimeout: 60000,
  maxWorkers: 1,
  // After the suite: no justification the bot wrote to the Graph sandbox was made up.
  setupFilesAfterEnv: ['<rootDir>/tests/support/patch-scan.ts'],
};
