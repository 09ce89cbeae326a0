// Mutation testing of the core (npm run test:mutation): every mutant of these files must make a test fail.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: false },
  coverageAnalysis: 'perTest',
  // No type checker: a mutant that does not compile fails its tests anyway, and checking each one costs a
  // whole tsc run on this two-core machine.
  mutate: [
    'src/graph/**/*.ts',
    'src/decisions/**/*.ts',
    'src/bot/actions/**/*.ts',
    'src/bot/action-data.ts',
    'src/bot/commands/**/*.ts',
    'src/notify/commands.ts',
    'src/notify/push.ts',
    'src/notify/delivery-worker.ts',
    'src/notify/entries.ts',
    'src/store/rules.ts',
    'src/store/coordination.ts',
    'src/cards/safe-text.ts',
    'src/cards/size-guard.ts',
    '!src/**/index.ts',
  ],
  ignoreStatic: true,
  concurrency: 2,
  disableTypeChecks: 'src/**/*.ts',
  timeoutMS: 20_000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
