/**
 * Jest configuration for mutation testing (`npm run mutate`, see stryker.config.json and docs/testing.md).
 * Only the suites that exercise the verifier's core (lib/isolation and the live evaluation in lib/live) run, and
 * without the global setup: these suites build their templates and inventories by hand and never read the
 * synthesized example fleet, so the ~20 s fleet synth per Stryker run would buy nothing.
 */
const fs = require('node:fs');
const path = require('node:path');
const base = require('./jest.config.js');

// Some rule tests read the shared corpus beside the repository (<repo>/../shared/corpus). Stryker runs them in a
// sandbox one level deeper (<repo>/.stryker-tmp/sandbox-*), so <repo>/.stryker-tmp/shared points at the same one.
const sandboxParent = path.dirname(__dirname);
const sharedBesideRepo = path.resolve(sandboxParent, '..', '..', 'shared');
const sharedBesideSandbox = path.join(sandboxParent, 'shared');
if (path.basename(sandboxParent) === '.stryker-tmp' && fs.existsSync(sharedBesideRepo) && !fs.existsSync(sharedBesideSandbox)) {
  try {
    fs.symlinkSync(sharedBesideRepo, sharedBesideSandbox, 'dir');
  } catch (e) {
    if (e.code !== 'EEXIST') throw e; // the other test runner process made it first
  }
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: base.testEnvironment,
  transform: base.transform,
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/isolation/**/*.test.ts', '<rootDir>/test/live/**/*.test.ts'],
  // corpus.test.ts runs the whole catalogue over every corpus file and only asserts that nothing crashes: it would
  // cover nearly every mutant (and run for each) without telling one verdict from another.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/isolation/corpus.test.ts'],
  // Runs only the test files that hold the tests covering a mutant (Stryker passes their names).
  testSequencer: '<rootDir>/test/support/stryker-sequencer.js',
  testTimeout: 60000,
};
