/**
 * Inventory collection against aws-sdk-client-mock: scope (account, region, tag and VPC filters), pagination,
 * errors as could-not-verify findings (never a throw, never a pass), level-dependent collection, bounded
 * concurrency and the deadline.
 */
import 'aws-sdk-client-mock-jest';
import { DescribeClustersCommand } from '@aws-sdk/client-cloudhsm-v2';
import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeCustomKeyStoresCommand, DescribeKeyCommand, GetKeyPolicyCommand, ListGrantsCommand } from '@aws-sdk/client-kms';
import { ListTagsCommand } from '@aws-sdk/client-opensearch';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { TenantInventory } from '../../lib/isolation/inventory';
import { createClients, type LiveClients } from '../../lib/live/clients';
import { collectInventory, keyRef } from '../../lib/live/collect';
import type { LiveTarget } from '../../lib/live/config';
import { COMMANDS, MOCKS, mockAccount, serviceError } from './account';
import { ACCOUNT, DATA_VPC, DB_ARN, DB_LOG_GROUP, DB_LOG_GROUP_ARN, KEY_ID, SEARCH_LOG_GROUP, SEARCH_LOG_GROUP_ARN, OTHER, REGION, SEARCH_VPC, TENANT, keyArn, verdictsOf } from './support';

const TARGET: LiveTarget = { tenant: TENANT, account: ACCOUNT, region: REGION, level: 'hardware' };
let clients: LiveClients;

beforeEach(() => {
  mockAccount();
  clients = createClients({ region: REGION, env: {} });
});

const collect = (target: Partial<LiveTarget> = {}, options: { concurrency?: number; signal?: AbortSignal } = {}): Promise<TenantInventory> =>
  collectInventory({ ...TARGET, ...target }, { clients, now: () => new Date('2026-06-01T00:00:00Z'), ...options });

function values<T>(c: { ok: boolean; value?: T }): T {
  if (!c.ok) throw new Error(`not collected: ${JSON.stringify(c)}`);
  return c.value as T;
}

describe('a genuine account', () => {
  test('collects every part the rules need, and the tenant passes at hardware', async () => {
    const inv = await collect();
    expect(values(inv.identity)).toEqual({ account: ACCOUNT, arn: expect.stringContaining(ACCOUNT) });
    expect(values(inv.databases).map((d) => d.arn)).toEqual([DB_ARN]);
    expect(values(inv.vpcs).map((v) => [v.id, v.tenancy])).toEqual([
      [DATA_VPC, 'dedicated'],
      [SEARCH_VPC, 'default'],
    ]);
    expect(inv.keys.map((k) => k.ref).sort()).toEqual([keyArn(KEY_ID.database), keyArn(KEY_ID.search), keyArn(KEY_ID.secrets), keyArn(KEY_ID.logs)].sort());
    expect(values(inv.logGroups)).toEqual([
      { name: DB_LOG_GROUP, arn: DB_LOG_GROUP_ARN, kmsKeyId: keyArn(KEY_ID.logs) },
      { name: SEARCH_LOG_GROUP, arn: SEARCH_LOG_GROUP_ARN, kmsKeyId: keyArn(KEY_ID.logs) },
    ]);
    expect(values(inv.peerings)).toHaveLength(1); // found from both sides, merged
    const [v] = verdictsOf([inv]);
    expect(v!.findings).toEqual([]);
    expect(v).toMatchObject({ verdict: 'pass', achieved: 'hardware' });
  });

  test('clients use the tenant region and no hard-coded endpoint', async () => {
    const c = createClients({ region: 'us-gov-west-1', env: {} });
    for (const client of Object.values(c) as { config: { region: () => Promise<string>; endpoint?: unknown } }[]) {
      await expect(client.config.region()).resolves.toBe('us-gov-west-1');
    }
    expect((c.kms.config as { endpoint?: unknown }).endpoint).toBeUndefined();
  });

  test('confirms the account first and scopes every EC2 call to the tenant tag or its VPCs', async () => {
    await collect();
    expect(MOCKS.sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(MOCKS.ec2).toHaveReceivedNthSpecificCommandWith(1, DescribeVpcsCommand, { Filters: [{ Name: 'tag:exclusive-desk:tenant', Values: [TENANT] }] });
    expect(MOCKS.ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { Filters: [{ Name: 'vpc-id', Values: [DATA_VPC, SEARCH_VPC] }] });
    // Peerings in both directions.
    expect(MOCKS.ec2).toHaveReceivedCommandWith(DescribeVpcPeeringConnectionsCommand, { Filters: [{ Name: 'requester-vpc-info.vpc-id', Values: [DATA_VPC, SEARCH_VPC] }] });
    expect(MOCKS.ec2).toHaveReceivedCommandWith(DescribeVpcPeeringConnectionsCommand, { Filters: [{ Name: 'accepter-vpc-info.vpc-id', Values: [DATA_VPC, SEARCH_VPC] }] });
    expect(MOCKS.kms).toHaveReceivedCommandWith(GetKeyPolicyCommand, { KeyId: keyArn(KEY_ID.database), PolicyName: 'default' });
    expect(MOCKS.opensearch).toHaveReceivedCommandTimes(ListTagsCommand, 1);
  });

  test('looks up by id a VPC a data store is in that carries no tenant tag', async () => {
    MOCKS.ec2.on(DescribeVpcsCommand).resolvesOnce({ Vpcs: [] }).resolves({ Vpcs: [{ VpcId: DATA_VPC, OwnerId: OTHER, InstanceTenancy: 'default', CidrBlock: '10.0.0.0/16', Tags: [] }] });
    const inv = await collect();
    expect(MOCKS.ec2).toHaveReceivedNthSpecificCommandWith(2, DescribeVpcsCommand, { Filters: [{ Name: 'vpc-id', Values: [DATA_VPC, SEARCH_VPC] }] });
    const findings = verdictsOf([inv])[0]!.findings.map((f) => `${f.rule} ${f.message}`).join('\n');
    expect(findings).toMatch(/ISO-NET-2 VPC vpc-0a1b2c3d4e5f60001 is owned by account 999999999999 and shared into the tenant's account/);
    expect(findings).toMatch(/ISO-HW-1 .*InstanceTenancy is default now/);
  });
});

describe('pagination', () => {
  test('reads every page of DescribeDBInstances, DescribeVpcs and ListGrants', async () => {
    const second = `arn:aws:rds:${REGION}:${ACCOUNT}:db:replica`;
    MOCKS.rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [{ DBInstanceArn: DB_ARN, DBInstanceIdentifier: 'primary' }], Marker: 'page-2' })
      .resolvesOnce({ DBInstances: [{ DBInstanceArn: second, DBInstanceIdentifier: 'replica' }] });
    MOCKS.ec2
      .on(DescribeVpcsCommand)
      .resolvesOnce({ Vpcs: [{ VpcId: DATA_VPC, OwnerId: ACCOUNT, InstanceTenancy: 'dedicated', Tags: [] }], NextToken: 't2' })
      .resolvesOnce({ Vpcs: [{ VpcId: SEARCH_VPC, OwnerId: ACCOUNT, InstanceTenancy: 'default', Tags: [] }] });
    MOCKS.kms
      .on(ListGrantsCommand)
      .resolvesOnce({ Grants: [{ GrantId: 'g1', GranteePrincipal: `rds.${REGION}.amazonaws.com` }], NextMarker: 'm2', Truncated: true })
      .resolves({ Grants: [{ GrantId: 'g2', GranteePrincipal: `arn:aws:iam::${OTHER}:role/vendor` }], Truncated: false });
    const inv = await collect();
    expect(values(inv.databases).map((d) => d.arn)).toEqual([DB_ARN, second]);
    expect(MOCKS.rds).toHaveReceivedNthSpecificCommandWith(2, DescribeDBInstancesCommand, { Marker: 'page-2' });
    expect(values(inv.vpcs).map((v) => v.id)).toEqual([DATA_VPC, SEARCH_VPC]);
    const grants = values(inv.keys.find((k) => k.ref === keyArn(KEY_ID.database))!.grants);
    expect(grants.map((g) => g.grantId)).toEqual(['g1', 'g2']);
    expect(MOCKS.kms).toHaveReceivedCommandWith(ListGrantsCommand, { Marker: 'm2' });
    // The grant on the second page is judged like the first.
    expect(verdictsOf([inv])[0]!.findings.map((f) => f.message).join('\n')).toMatch(/grant g2 .* lets arn:aws:iam::999999999999:role\/vendor, outside the tenant account/);
  });
});

describe('errors become could-not-verify findings, never a throw or a pass', () => {
  test('AccessDenied on GetKeyPolicy names the action and the missing permission', async () => {
    MOCKS.kms.on(GetKeyPolicyCommand).rejects(serviceError('AccessDeniedException', `User: x is not authorized to perform: kms:GetKeyPolicy`));
    const inv = await collect();
    const policy = inv.keys[0]!.policy;
    expect(policy).toMatchObject({ ok: false, error: { action: 'kms:GetKeyPolicy', reason: 'denied', code: 'AccessDeniedException' } });
    const [v] = verdictsOf([inv]);
    expect(v!.verdict).toBe('fail');
    const finding = v!.findings.find((f) => f.rule === 'ISO-KMS-2')!;
    expect(finding).toMatchObject({ kind: 'unverifiable', severity: 'error', path: 'kms:GetKeyPolicy', value: 'AccessDeniedException' });
    expect(finding.message).toMatch(/^could not verify the key policy of arn:aws:kms:.*: kms:GetKeyPolicy on .* was denied \(AccessDeniedException\): the verifier's role needs the permission kms:GetKeyPolicy$/);
  });

  test('EC2 UnauthorizedOperation and 403s count as denied', async () => {
    MOCKS.ec2.on(DescribeSecurityGroupsCommand).rejects(serviceError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));
    const inv = await collect();
    expect(inv.securityGroups).toMatchObject({ ok: false, error: { action: 'ec2:DescribeSecurityGroups', reason: 'denied' } });
  });

  test('throttling that outlasts the SDK retries is reported, naming the action', async () => {
    MOCKS.kms.on(DescribeKeyCommand).rejects(serviceError('ThrottlingException', 'Rate exceeded'));
    const inv = await collect();
    const [v] = verdictsOf([inv]);
    expect(v!.findings.find((f) => f.rule === 'ISO-KMS-1')!.message).toMatch(/kms:DescribeKey on .* failed \(ThrottlingException: Rate exceeded\)/);
    expect(v!.achieved).toBe('pooled');
  });

  test('a non-Error rejection is still collected, not thrown', async () => {
    MOCKS.rds.on(DescribeDBInstancesCommand).rejects('socket hang up');
    const inv = await collect();
    expect(inv.databases).toMatchObject({ ok: false, error: { action: 'rds:DescribeDBInstances', reason: 'failed' } });
  });

  test('wrong account: nothing else is read and every rule cannot verify', async () => {
    MOCKS.sts.on(GetCallerIdentityCommand).resolves({ Account: OTHER, Arn: `arn:aws:sts::${OTHER}:assumed-role/vendor/x` });
    const inv = await collect();
    for (const [name, commands] of Object.entries(COMMANDS)) {
      if (name === 'sts') continue;
      for (const c of commands) expect(MOCKS[name as keyof typeof MOCKS]).not.toHaveReceivedCommand(c as never);
    }
    expect(inv.actions).toEqual(['sts:GetCallerIdentity']);
    const [v] = verdictsOf([inv]);
    expect(v!.findings.find((f) => f.rule === 'ISO-ACCT-1')).toMatchObject({ kind: 'violation', value: OTHER });
    expect(v!.findings.find((f) => f.rule === 'ISO-DATA-1')!.message).toMatch(/not called: the credentials are for account 999999999999/);
  });

  test('no credentials: one clear finding per rule, no API other than STS tried', async () => {
    MOCKS.sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const inv = await collect();
    expect(MOCKS.rds).not.toHaveReceivedCommand(DescribeDBInstancesCommand);
    const [v] = verdictsOf([inv]);
    expect(v!.verdict).toBe('fail');
    expect(v!.findings.find((f) => f.rule === 'ISO-ACCT-1')!.message).toMatch(/no AWS credentials were found by the SDK's default chain/);
    const perRule = new Map<string, number>();
    for (const f of v!.findings) perRule.set(f.rule, (perRule.get(f.rule) ?? 0) + 1);
    expect(Math.max(...perRule.values())).toBe(1);
  });
});

describe('what is collected follows the level', () => {
  test('account: no EC2 instances and no CloudHSM', async () => {
    const inv = await collect({ level: 'account' });
    expect(MOCKS.ec2).not.toHaveReceivedCommand(DescribeInstancesCommand);
    expect(MOCKS.cloudhsm).not.toHaveReceivedCommand(DescribeClustersCommand as never);
    expect(inv.instances).toMatchObject({ ok: false, error: { reason: 'skipped', code: 'NotCollected' } });
  });

  test('hsm: key stores and clusters, and HSM-backed keys pass ISO-HSM-1', async () => {
    mockAccount({ hsm: true });
    const inv = await collect({ level: 'hsm' });
    expect(MOCKS.kms).toHaveReceivedCommand(DescribeCustomKeyStoresCommand);
    expect(MOCKS.cloudhsm).toHaveReceivedCommand(DescribeClustersCommand as never);
    const [v] = verdictsOf([inv]);
    expect(v).toMatchObject({ verdict: 'pass', achieved: 'hsm' });
  });
});

test('at most `concurrency` API operations are in flight', async () => {
  let inFlight = 0;
  let peak = 0;
  const slow = (value: object) => async () => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    return value;
  };
  MOCKS.kms.on(GetKeyPolicyCommand).callsFake(slow({ Policy: '{"Statement":[]}' }));
  MOCKS.kms.on(ListGrantsCommand).callsFake(slow({ Grants: [] }));
  await collect({}, { concurrency: 2 });
  expect(peak).toBeGreaterThan(1);
  expect(peak).toBeLessThanOrEqual(2);
});

test('after the deadline nothing more is called and what is missing cannot be verified', async () => {
  const controller = new AbortController();
  MOCKS.rds.on(DescribeDBInstancesCommand).callsFake(async () => {
    controller.abort();
    throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
  });
  const inv = await collect({}, { signal: controller.signal });
  expect(inv.databases).toMatchObject({ ok: false, error: { reason: 'skipped', code: 'AbortError' } });
  expect(MOCKS.kms).not.toHaveReceivedCommand(GetKeyPolicyCommand);
  expect(verdictsOf([inv])[0]!.verdict).toBe('fail');
});

test('key references: ids and aliases become ARNs in the tenant account and region', () => {
  expect(keyRef(KEY_ID.database, TARGET)).toBe(keyArn(KEY_ID.database));
  expect(keyRef('alias/x', TARGET, [{ name: 'alias/x', targetKeyId: KEY_ID.search }])).toBe(keyArn(KEY_ID.search));
  expect(keyRef(`arn:aws:kms:${REGION}:${OTHER}:key/${KEY_ID.search}`, TARGET)).toContain(OTHER);
  expect(keyRef(KEY_ID.search, { ...TARGET, region: 'us-gov-west-1' })).toMatch(/^arn:aws-us-gov:kms:us-gov-west-1:/);
});
