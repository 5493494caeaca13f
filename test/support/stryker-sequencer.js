/**
 * Jest test sequencer for mutation runs (jest.stryker.config.js; see docs/testing.md).
 *
 * Stryker's jest runner runs each mutant with a `testNamePattern` naming the tests that cover it, but Jest still
 * loads every test file to find them; loading a file (the SDK clients, the rule catalogue) costs far more than the
 * few tests a mutant needs. This sequencer remembers, from the unfiltered initial run, which file holds which test
 * (full names, as Jest matches them), and when a pattern is given it runs only the files holding a matching test.
 * It never drops a file it knows nothing about, and without an index it runs everything, so a mutant can only be
 * tested by more files than needed, never fewer.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/** One index per project directory (each Stryker sandbox has its own), outside the repository. */
function indexFile(rootDir) {
  const hash = crypto.createHash('sha256').update(rootDir).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `exclusive-desk-stryker-tests-${hash}.json`);
}

function readIndex(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

class MutationTestSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.pattern = options.globalConfig.testNamePattern;
    this.index = indexFile(options.globalConfig.rootDir);
  }

  sort(tests) {
    const sorted = super.sort(tests);
    if (!this.pattern) return sorted;
    const known = readIndex(this.index);
    if (!known) return sorted;
    // Jest matches testNamePattern case-insensitively against each test's full name.
    const re = new RegExp(this.pattern, 'i');
    const wanted = sorted.filter((t) => !(t.path in known) || known[t.path].some((name) => re.test(name)));
    return wanted.length > 0 ? wanted : sorted;
  }

  cacheResults(tests, results) {
    super.cacheResults(tests, results);
    if (this.pattern) return;
    const index = {};
    for (const file of results.testResults) index[file.testFilePath] = file.testResults.map((t) => t.fullName);
    fs.writeFileSync(this.index, JSON.stringify(index));
  }
}

module.exports = MutationTestSequencer;
