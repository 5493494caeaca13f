/** Every public template of the shared corpus gets a verdict or a clean input error, never a crash. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyTemplates } from '../../lib/cli/verify';

const CORPUS = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus');

test('the corpus is present', () => {
  expect(fs.existsSync(CORPUS)).toBe(true);
});

test('every corpus file gets a verdict or an input error, and no rule crashes', () => {
  const files = execFileSync('find', [CORPUS, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n').sort();
  expect(files.length).toBeGreaterThan(250);
  // One tenant per file so fleet rules do not mix unrelated templates.
  let verdicts = 0;
  let inputErrors = 0;
  for (const file of files) {
    const result = verifyTemplates([], { tenantInputs: [{ tenant: path.relative(CORPUS, file), path: file }] });
    inputErrors += result.errors.length;
    for (const e of result.errors) expect(e.message.length).toBeGreaterThan(5);
    for (const t of result.tenants) {
      verdicts++;
      expect(['pass', 'fail']).toContain(t.verdict);
      for (const f of t.findings) expect(f.message).not.toMatch(/the rule failed/);
    }
    expect(result.tenants.length + result.errors.length).toBe(1);
  }
  expect(verdicts).toBeGreaterThan(250);
  expect(inputErrors).toBeGreaterThan(0);
});
