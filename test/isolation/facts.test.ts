/** Which strings the shared property walk keeps for the rules. */
import { interestingString } from '../../lib/isolation/facts';

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
});
