/**
 * ISO-NET-7 live collection against aws-sdk-client-mock: the tenant's ELBv2 target groups over every page, tags 20
 * ARNs per call, the load balancers they are attached to, a shared load balancer failing the rule, and a denied call
 * as could-not-verify (never a pass).
 */
import 'aws-sdk-client-mock-jest';
import { DescribeTagsCommand, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TenantInventory } from '../../lib/isolation/inventory';
import { createClients, type LiveClients } from '../../lib/live/clients';
import { collectInventory } from '../../lib/live/collect';
import { LOAD_BALANCER_ARN, MOCKS, TARGET_GROUP_ARN, mockAccount, serviceError } from './account';
import { ACCOUNT, REGION, TAG, TENANT, verdictsOf } from './support';

let clients: LiveClients;
beforeEach(() => {
  mockAccount();
  clients = createClients({ region: REGION, env: {} });
});

const collect = (): Promise<TenantInventory> =>
  collectInventory({ tenant: TENANT, account: ACCOUNT, region: REGION, level: 'hardware' }, { clients, now: () => new Date('2026-06-01T00:00:00Z') });
const net7 = (inv: TenantInventory) => verdictsOf([inv])[0]!.results.find((r) => r.rule.id === 'ISO-NET-7')!;
const tgArn = (i: number) => `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/tg-${i}/${String(i).padStart(16, '0')}`;
const SHARED = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/shared-alb/0123456789abcdef`;

test('the genuine account: the tenant\'s target group behind its own load balancer passes', async () => {
  const inv = await collect();
  expect(inv.targetGroups).toEqual({ ok: true, value: [{ arn: TARGET_GROUP_ARN, name: 'tenant-web', loadBalancers: [{ arn: LOAD_BALANCER_ARN, tags: { [TAG.Key]: TAG.Value } }] }] });
  expect(net7(inv).status).toBe('pass');
  expect(inv.actions).toEqual(expect.arrayContaining(['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTags']));
});

test('reads every page, tags 20 ARNs per call, and fails a tenant target group on a load balancer not tagged for it', async () => {
  const all = Array.from({ length: 25 }, (_, i) => tgArn(i));
  MOCKS.elbv2.on(DescribeTargetGroupsCommand).resolves({});
  MOCKS.elbv2
    .on(DescribeTargetGroupsCommand, { Marker: undefined })
    .resolves({ TargetGroups: all.slice(0, 15).map((TargetGroupArn) => ({ TargetGroupArn, LoadBalancerArns: [] })), NextMarker: 'page-2' })
    .on(DescribeTargetGroupsCommand, { Marker: 'page-2' })
    .resolves({ TargetGroups: [...all.slice(15).map((TargetGroupArn) => ({ TargetGroupArn, LoadBalancerArns: [] })), { TargetGroupArn: TARGET_GROUP_ARN, TargetGroupName: 'tenant-web', LoadBalancerArns: [SHARED] }] });
  MOCKS.elbv2.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
    TagDescriptions: input.ResourceArns.map((ResourceArn) => ({
      ResourceArn,
      Tags: ResourceArn === TARGET_GROUP_ARN ? [{ Key: TAG.Key, Value: TAG.Value }] : ResourceArn === SHARED ? [{ Key: 'Name', Value: 'shared-alb' }] : [{ Key: TAG.Key, Value: 'other-co' }],
    })),
  }));
  const inv = await collect();
  expect(MOCKS.elbv2).toHaveReceivedCommandTimes(DescribeTargetGroupsCommand, 2);
  // 26 target groups in two calls (20 + 6), then the one load balancer.
  const tagCalls = MOCKS.elbv2.commandCalls(DescribeTagsCommand).map((c) => (c.args[0].input as { ResourceArns: string[] }).ResourceArns.length);
  expect(tagCalls).toEqual([20, 6, 1]);
  expect(inv.targetGroups).toEqual({ ok: true, value: [{ arn: TARGET_GROUP_ARN, name: 'tenant-web', loadBalancers: [{ arn: SHARED, tags: { Name: 'shared-alb' } }] }] });
  const result = net7(inv);
  expect(result.status).toBe('fail');
  expect(result.findings.map((f) => ({ rule: f.rule, resource: f.resource, path: f.path, kind: f.kind, value: f.value }))).toEqual([
    { rule: 'ISO-NET-7', resource: TARGET_GROUP_ARN, path: 'LoadBalancerArns', kind: 'violation', value: SHARED },
  ]);
});

test.each([
  [DescribeTargetGroupsCommand, 'elasticloadbalancing:DescribeTargetGroups'],
  [DescribeTagsCommand, 'elasticloadbalancing:DescribeTags'],
])('a denied %p is could-not-verify, failing the tenant', async (command, action) => {
  MOCKS.elbv2.on(command as typeof DescribeTagsCommand).rejects(serviceError('AccessDenied', `not authorized to perform: ${action}`, 403));
  const inv = await collect();
  expect(inv.targetGroups.ok).toBe(false);
  const result = net7(inv);
  expect(result.status).toBe('unverifiable');
  expect(result.findings.map((f) => f.kind)).toContain('unverifiable');
  expect(result.findings.map((f) => f.message).join('\n')).toContain(action);
  expect(verdictsOf([inv])[0]!.verdict).toBe('fail');
});
