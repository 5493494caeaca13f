/** The hand-written string pre-checks of the shared property walk agree with the patterns they stand for. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { interestingString } from '../../lib/isolation/facts';

const PATTERN = /arn:|-[0-9a-f]{8}|amazonaws|:\/\/|jdbc:|URLSuffix|\{\{resolve:|^\d{12}$/;
const CORPUS = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus');

test.each([
  ['arn:aws:kms:eu-west-1:111111111111:key/x', true],
  ['xx arn: yy', true],
  ['kms:Encrypt', false],
  ['logs:CreateLogStream', false],
  ['vpc-0abc0abc', true],
  ['vpc-0abc0ab', false],
  ['vpc-0ABC0ABC0', false],
  ['name-with-dashes', false],
  ['shared.cluster-abc.eu-west-1.rds.amazonaws.com', true],
  ['postgres://host/db', true],
  ['jdbc:postgresql:db', true],
  ['AWS::URLSuffix', true],
  ['{{resolve:secretsmanager:x}}', true],
  ['111111111111', true],
  ['1111111111112', false],
  ['a1111111111b', false],
  ['short', false],
  ['http://', true],
  ['TenantKeyABC123', false],
])('%s → %s', (s, expected) => {
  expect(interestingString(s)).toBe(expected);
  expect(PATTERN.test(s)).toBe(expected);
});

test('agrees with the pattern on every string of the corpus', () => {
  const files = execFileSync('find', [CORPUS, '-type', 'f', '-name', '*.json'], { encoding: 'utf8' }).trim().split('\n');
  let strings = 0;
  let hits = 0;
  const visit = (n: unknown): void => {
    if (typeof n === 'string') {
      strings++;
      const want = PATTERN.test(n);
      if (want) hits++;
      if (interestingString(n) !== want) throw new Error(`disagree on ${JSON.stringify(n)}`);
    } else if (n && typeof n === 'object') for (const v of Object.values(n)) visit(v);
  };
  for (const f of files) {
    try {
      visit(JSON.parse(fs.readFileSync(f, 'utf8')));
    } catch (e) {
      if (e instanceof SyntaxError) continue;
      throw e;
    }
  }
  expect(strings).toBeGreaterThan(10_000);
  expect(hits).toBeGreaterThan(100);
});
