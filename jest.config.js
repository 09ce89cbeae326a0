/** Unit and integration tests: real sockets on loopback, no browser. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/e2e/'],

  testTimeout: 30000,
  // After every test file: no justification a bot wrote to the Graph sandbox was made up.
  setupFilesAfterEnv: ['<rootDir>/tests/support/patch-scan.ts'],
};
