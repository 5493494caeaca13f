/**
 * Jest configuration for mutation testing (`npm run mutate`, see stryker.config.json and docs/testing.md).
 * Only the suites that exercise the verifier's core (lib/isolation and the live evaluation in lib/live) run, and
 * without the global setup: these suites build their templates and inventories by hand and never read the
 * synthesized example fleet, so the ~20 s fleet synth per Stryker run would buy nothing.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/isolation/**/*.test.ts', '<rootDir>/test/live/**/*.test.ts'],
  // These read the shared corpus outside the repository (../shared/corpus), which is not beside Stryker's sandbox.
  // corpus.test.ts only asserts that nothing crashes; public-nested.test.ts pins nested-stack findings on AWS's
  // VPCPeering solution that nested.test.ts also pins on hand-written templates.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/isolation/corpus.test.ts', '<rootDir>/test/isolation/public-nested.test.ts'],
  // Runs only the test files that hold the tests covering a mutant (Stryker passes their names).
  testSequencer: '<rootDir>/test/support/stryker-sequencer.js',
  testTimeout: 60000,
};
