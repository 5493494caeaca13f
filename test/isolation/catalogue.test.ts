import * as fs from 'node:fs';
import * as path from 'node:path';
import { LEVELS } from '../../lib/isolation/levels';
import { RULES } from '../../lib/isolation/rules';
import { renderRulesDoc } from '../../lib/isolation/rules-doc';

const PINNED = [
  'ISO-ACCT-1', 'ISO-ACCT-2', 'ISO-DATA-1', 'ISO-DATA-2', 'ISO-DATA-3', 'ISO-DATA-4', 'ISO-DATA-5',
  'ISO-COMP-1', 'ISO-COMP-2', 'ISO-KMS-1', 'ISO-KMS-2', 'ISO-KMS-3', 'ISO-NET-1', 'ISO-NET-2', 'ISO-NET-3',
  'ISO-NET-4', 'ISO-NET-5', 'ISO-NET-6', 'ISO-FLEET-1', 'ISO-REF-1', 'ISO-REF-2', 'ISO-SRCH-1', 'ISO-TPL-1', 'ISO-TPL-2',
  'ISO-HW-1', 'ISO-HSM-1', 'ISO-HYG-1', 'ISO-HYG-2', 'ISO-HYG-3', 'ISO-HYG-4', 'ISO-DATA-7', 'ISO-DATA-8', 'ISO-NET-7',
];

test('the catalogue keeps every pinned id (ids are never renamed or reused)', () => {
  const ids = RULES.map((r) => r.id);
  for (const id of PINNED) expect(ids).toContain(id);
  expect(new Set(ids).size).toBe(ids.length);
});

test.each(RULES.map((r) => [r.id, r] as const))('%s is complete', (_id, rule) => {
  expect(rule.title.length).toBeGreaterThan(10);
  expect(rule.rationale.length).toBeGreaterThan(40);
  expect(rule.remediation.length).toBeGreaterThan(10);
  expect(rule.controls.length).toBeGreaterThan(0);
  expect(rule.checkTemplate ?? rule.checkFleet).toBeDefined();
  if (rule.proves) expect(LEVELS).toContain(rule.proves);
  // Hygiene never decides isolation: warnings prove no level.
  if (rule.severity === 'warning') expect(rule.proves).toBeUndefined();
  else expect(rule.proves).toBeDefined();
});

test('docs/rules.md documents every rule of the catalogue and no other', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8');
  for (const r of RULES) expect(doc).toContain(`### ${r.id}`);
  const documented = [...doc.matchAll(/^### (ISO-[A-Z]+-\d+)/gm)].map((m) => m[1]);
  expect(documented.sort()).toEqual(RULES.map((r) => r.id).sort());
});

test('docs/rules.md is the generated catalogue (run `npm run docs:rules` after changing a rule)', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8');
  expect(doc).toBe(renderRulesDoc());
});
