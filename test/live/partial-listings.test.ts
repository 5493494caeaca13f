/**
 * A listing that is only partly read (a later page, a second direction, a second lookup fails) is a collection
 * error for the whole part, never the part that was read passed off as complete: the rules reading it then cannot
 * verify and the tenant fails. Pinned because a mutation run showed nothing failed when a partial list passed.
 */
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeInboundConnectionsCommand } from '@aws-sdk/client-opensearch';
import { DescribeDBInstancesCommand, DescribeDBParametersCommand } from '@aws-sdk/client-rds';
import type { Collected, TenantInventory } from '../../lib/isolation/inventory';
import { createClients } from '../../lib/live/clients';
import { collectInventory } from '../../lib/live/collect';
import { MOCKS, mockAccount, serviceError } from './account';
import { ACCOUNT, DATA_VPC, DB_ARN, REGION, SEARCH_LOG_GROUP, SEARCH_VPC, TAG, TENANT, verdictsOf } from './support';

beforeEach(() => {
  mockAccount();
});

const collect = (): Promise<TenantInventory> =>
  collectInventory({ tenant: TENANT, account: ACCOUNT, region: REGION, level: 'hardware' }, { clients: createClients({ region: REGION, env: {} }), now: () => new Date('2026-06-01T00:00:00Z') });

const denied = (action: string) => serviceError('AccessDeniedException', `User: x is not authorized to perform: ${action}`, 403);

/** The part's error, or a failed expectation naming what was collected instead. */
function errorOf(part: Collected<unknown>) {
  expect(part.ok).toBe(false);
  return part.ok ? undefined : part.error;
}

/** The tenant fails, with a could-not-verify finding naming the action. */
function expectUnverified(inv: TenantInventory, action: string): void {
  const [v] = verdictsOf([inv]);
  expect(v!.verdict).toBe('fail');
  const unverifiable = v!.findings.filter((f) => f.kind === 'unverifiable' && f.path === action);
  expect(unverifiable.length).toBeGreaterThan(0);
  expect(unverifiable.every((f) => f.message.startsWith('could not verify'))).toBe(true);
}

test('databases: a denied second page of DescribeDBInstances is an error, not the first page alone', async () => {
  MOCKS.rds
    .on(DescribeDBInstancesCommand)
    .resolvesOnce({ DBInstances: [{ DBInstanceArn: DB_ARN, DBInstanceIdentifier: 'primary' }], Marker: 'page-2' })
    .rejectsOnce(denied('rds:DescribeDBInstances'));
  const inv = await collect();
  expect(errorOf(inv.databases)).toMatchObject({ action: 'rds:DescribeDBInstances', reason: 'denied', code: 'AccessDeniedException' });
  expectUnverified(inv, 'rds:DescribeDBInstances');
});

test('parameter groups: a denied second page of DescribeDBParameters is an error, not the first page without rds.force_ssl', async () => {
  MOCKS.rds.on(DescribeDBParametersCommand, { Marker: 'page-2' }).rejects(denied('rds:DescribeDBParameters'));
  const inv = await collect();
  expect(errorOf(inv.dbParameterGroups)).toMatchObject({ action: 'rds:DescribeDBParameters', reason: 'denied' });
  expectUnverified(inv, 'rds:DescribeDBParameters');
});

test('search connections: outbound read but inbound denied is an error for both', async () => {
  MOCKS.opensearch.on(DescribeInboundConnectionsCommand).rejects(denied('es:DescribeInboundConnections'));
  const inv = await collect();
  expect(errorOf(inv.searchConnections)).toMatchObject({ action: 'es:DescribeInboundConnections', reason: 'denied' });
  expectUnverified(inv, 'es:DescribeInboundConnections');
});

test("log groups: the database's found but the search domain's lookup denied is an error", async () => {
  MOCKS.logs.on(DescribeLogGroupsCommand, { logGroupNamePrefix: SEARCH_LOG_GROUP }).rejects(denied('logs:DescribeLogGroups'));
  const inv = await collect();
  expect(errorOf(inv.logGroups)).toMatchObject({ action: 'logs:DescribeLogGroups', reason: 'denied', resource: SEARCH_LOG_GROUP });
  expectUnverified(inv, 'logs:DescribeLogGroups');
});

test('VPCs: the tagged VPC read but the lookup of an untagged VPC a data store uses denied is an error', async () => {
  MOCKS.ec2
    .on(DescribeVpcsCommand)
    .resolvesOnce({ Vpcs: [{ VpcId: DATA_VPC, OwnerId: ACCOUNT, InstanceTenancy: 'dedicated', CidrBlock: '10.20.0.0/16', Tags: [TAG] }] })
    .rejects(denied('ec2:DescribeVpcs'));
  const inv = await collect();
  expect(errorOf(inv.vpcs)).toMatchObject({ action: 'ec2:DescribeVpcs', reason: 'denied', resource: SEARCH_VPC });
  expectUnverified(inv, 'ec2:DescribeVpcs');
});
