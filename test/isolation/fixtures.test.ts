/** Vendor-style layouts, genuine and fake, verified end to end through the template reader. */
import * as path from 'node:path';
import { verifyTemplates } from '../../lib/cli/verify';
import { FIXTURES } from './support';

const run = (name: string) => {
  const result = verifyTemplates([path.join(FIXTURES, name)]);
  expect(result.errors).toEqual([]);
  return result.tenants[0]!;
};

test('the genuine hardware layout verifies clean at its promised level, from its template metadata', () => {
  const v = run('genuine-hardware.yaml');
  expect(v).toMatchObject({ tenant: 'globex-health', account: '555555555555', required: 'hardware', achieved: 'hardware', verdict: 'pass' });
});

describe.each([
  ['fake-shared-ecs-schema.yaml', ['ISO-DATA-1', 'ISO-DATA-2', 'ISO-DATA-4', 'ISO-COMP-1', 'ISO-NET-2', 'ISO-REF-1'], ['TenantSchema', 'TenantIndex', 'Service', 'TaskDefinition']],
  ['fake-aws-managed-keys.yaml', ['ISO-KMS-1'], ['Database', 'Search', 'AppLogs', 'SharedKeyLogs']],
  ['fake-peered-to-vendor.yaml', ['ISO-NET-3', 'ISO-NET-4', 'ISO-NET-5'], ['ToPlatform', 'TgwAttachment', 'ShareSubnets', 'OpsSg', 'VendorEndpoint']],
  ['fake-key-policy-and-clusters.yaml', ['ISO-DATA-3', 'ISO-DATA-5', 'ISO-COMP-2', 'ISO-KMS-2'], ['TenantKey', 'TenantDbInstance', 'Workload', 'Collection']],
])('%s', (file, rules, resources) => {
  test('fails at the pooled level', () => {
    const v = run(file);
    expect(v.verdict).toBe('fail');
    expect(v.achieved).toBe('pooled');
  });
  test('names each fake-exclusivity pattern and resource', () => {
    const v = run(file);
    const fired = new Set(v.findings.filter((f) => f.severity === 'error').map((f) => f.rule));
    for (const r of rules) expect(fired).toContain(r);
    const named = new Set(v.findings.map((f) => f.resource));
    for (const r of resources) expect(named).toContain(r);
  });
});
