/**
 * The live verifier over real HTTP: the SDK clients the CLI and the gate create (endpoint from AWS_ENDPOINT_URL, static
 * credentials from the environment, the SDK's retry strategy) talk to a loopback endpoint that speaks each service's
 * wire protocol (fake-aws.ts), and the real collector and engine judge what comes back. Nothing but 127.0.0.1.
 */
import { evaluateLive } from '../../../lib/isolation/engine';
import type { IsolationLevel } from '../../../lib/isolation/levels';
import { createClients, destroyClients } from '../../../lib/live/clients';
import { collectInventory } from '../../../lib/live/collect';
import { liveActionsFor } from '../../../lib/live/permissions';
import { isolateSdkEnvironment, startFakeAws, type FakeAws } from './fake-aws';
import { genuineAccount, IDS, type AccountScope } from './genuine-account';

const EU: AccountScope = { account: '111111111111', region: 'eu-west-1', partition: 'aws', tenant: 'acme-health' };
const GOV: AccountScope = { account: '222222222222', region: 'us-gov-west-1', partition: 'aws-us-gov', tenant: 'fedline-gov' };

let eu: FakeAws;
let gov: FakeAws;
const saved = { ...process.env };

beforeAll(async () => {
  [eu, gov] = await Promise.all([startFakeAws(genuineAccount(EU)), startFakeAws(genuineAccount(GOV))]);
  // The SDK's own default chain and endpoint settings, from the environment only (no profile, no metadata service).
  isolateSdkEnvironment();
});

afterAll(async () => {
  process.env = { ...saved };
  await Promise.all([eu.close(), gov.close()]);
});

beforeEach(() => {
  eu.reset();
  gov.reset();
});

/**
 * Collects and judges one tenant through `server` (AWS_ENDPOINT_URL), with exactly the CLI's clients (the SDK's
 * adaptive retry mode, 8 attempts) unless `extra` changes their configuration.
 */
async function verify(server: FakeAws, scope: AccountScope, level: IsolationLevel = 'hsm', extra: Record<string, unknown> = {}) {
  process.env.AWS_ENDPOINT_URL = server.url;
  const clients = createClients({ region: scope.region, env: {}, extra });
  try {
    const inv = await collectInventory({ tenant: scope.tenant, account: scope.account, region: scope.region, level }, { clients });
    const [verdict] = evaluateLive([inv], { declared: () => level });
    return { inv, verdict: verdict! };
  } finally {
    destroyClients(clients);
  }
}

const errors = (v: { findings: readonly { severity: string; rule: string; path: string; message: string }[] }) =>
  v.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.path}: ${f.message}`);

describe('a genuine account over HTTP', () => {
  test('passes at hsm, every action of the generated policy called over the wire and nothing else', async () => {
    const { inv, verdict } = await verify(eu, EU);
    expect(errors(verdict)).toEqual([]);
    expect(verdict).toMatchObject({ verdict: 'pass', achieved: 'hsm' });
    expect(eu.unknown).toEqual([]);
    expect([...new Set(eu.calls.map((c) => c.action))].sort()).toEqual(liveActionsFor('hsm'));
    expect([...inv.actions].sort()).toEqual(liveActionsFor('hsm'));
    // Every request was signed for the tenant's region.
    expect(new Set(eu.calls.map((c) => c.region))).toEqual(new Set([EU.region]));
  });

  test('the wire answers arrive as the rules read them (XML lists, nested members, JSON, REST)', async () => {
    const { inv } = await verify(eu, EU);
    expect(inv.databases).toMatchObject({ ok: true, value: [{ id: 'exclusive-desk-acme-health', subnetGroup: { vpcId: IDS.dataVpc, subnetIds: ['subnet-0a000000000000001'] }, securityGroupIds: [IDS.sgDb], parameterGroups: ['exclusive-desk-acme-health-postgres'], tags: { 'exclusive-desk:tenant': 'acme-health' } }] });
    expect(inv.securityGroups).toMatchObject({ ok: true, value: [{ id: IDS.sgDb, ingress: [{ protocol: 'tcp', fromPort: 5432, groups: [{ groupId: IDS.sgApp, userId: EU.account }] }] }, { id: IDS.sgSearch, ingress: [{}, { prefixLists: [IDS.prefixList] }] }, { id: IDS.sgApp, ingress: [] }] });
    expect(inv.peerings).toMatchObject({ ok: true, value: [{ id: IDS.peering, status: 'active', requester: { vpcId: IDS.searchVpc }, accepter: { vpcId: IDS.dataVpc } }] });
    expect(inv.instances).toEqual({ ok: true, value: [{ id: IDS.instance, vpcId: IDS.dataVpc, tenancy: 'dedicated', type: 'm6i.large', state: 'running' }] });
    expect(inv.snapshots).toMatchObject({ ok: true, value: [{ id: 'before-upgrade', restore: { ok: true, value: [] } }] });
    expect(inv.searchDomains).toMatchObject({ ok: true, value: [{ name: 'acme-health', vpc: { vpcId: IDS.searchVpc }, tags: { ok: true, value: { 'exclusive-desk:tenant': 'acme-health' } } }] });
    expect(inv.hsmClusters).toMatchObject({ ok: true, value: [{ id: IDS.hsmCluster, tags: { 'exclusive-desk:tenant': 'acme-health' } }] });
  });

  test('two-page listings are followed: RDS Marker and EC2 NextToken', async () => {
    const { inv } = await verify(eu, EU);
    const params = eu.calls.filter((c) => c.action === 'rds:DescribeDBParameters').map((c) => c.params.Marker ?? null);
    expect(params).toEqual([null, 'page-1']);
    const vpcPages = eu.calls.filter((c) => c.action === 'ec2:DescribeVpcs' && String(c.params['Filter.1.Name']).startsWith('tag:')).map((c) => c.params.NextToken ?? null);
    expect(vpcPages).toEqual([null, 'page-1']);
    expect(inv.dbParameterGroups).toEqual({ ok: true, value: [{ name: 'exclusive-desk-acme-health-postgres', forceSsl: '1' }] });
    expect(inv.vpcs.ok && inv.vpcs.value.map((v) => v.id)).toEqual([IDS.dataVpc, IDS.searchVpc]);
  });

  test('a GovCloud tenant (aws-us-gov ARNs, us-gov-west-1) passes the same way', async () => {
    const { inv, verdict } = await verify(gov, GOV);
    expect(errors(verdict)).toEqual([]);
    expect(verdict).toMatchObject({ verdict: 'pass', achieved: 'hsm' });
    expect(inv.partition).toBe('aws-us-gov');
    expect(new Set(gov.calls.map((c) => c.region))).toEqual(new Set([GOV.region]));
    expect(inv.keys.map((k) => k.ref).every((r) => r.startsWith('arn:aws-us-gov:kms:us-gov-west-1:222222222222:key/'))).toBe(true);
  });
});

describe("throttles are retried by the SDK's retry strategy, then succeed", () => {
  test.each([
    ['ec2:DescribeSecurityGroups', 'throttle', 'RequestLimitExceeded (EC2 query, HTTP 503)'],
    ['rds:DescribeDBInstances', 'throttle', 'ThrottlingException (RDS query, HTTP 400)'],
    ['kms:GetKeyPolicy', 'throttle', 'ThrottlingException (KMS JSON 1.1, HTTP 400)'],
    ['logs:DescribeLogGroups', 'unavailable', 'ServiceUnavailable (CloudWatch Logs JSON 1.1, HTTP 503)'],
    ['es:DescribeDomains', 'throttle', 'ThrottlingException (OpenSearch REST JSON)'],
  ] as const)('%s answered once with %s: %s', async (action, kind, _what) => {
    eu.throttle(action, 1, kind);
    // The SDK's standard retry mode and backoff (adaptive mode's client-side rate limiting would slow the rest).
    const { verdict } = await verify(eu, EU, 'hsm', { retryMode: 'standard', maxAttempts: 3 });
    expect(errors(verdict)).toEqual([]);
    expect(verdict.verdict).toBe('pass');
    // The throttled call was sent again by the SDK (its attempt counter says so); every other call went through once.
    const attempts = eu.calls.filter((c) => c.action === action).map((c) => /attempt=(\d+)/.exec(String(c.headers['amz-sdk-request']))?.[1]);
    expect(attempts.filter((a) => a === '2')).toHaveLength(1);
    expect(attempts.filter((a) => a !== '1' && a !== '2')).toEqual([]);
  });

  test("the CLI's default (adaptive mode, 8 attempts) retries a throttle too", async () => {
    eu.throttle('logs:DescribeLogGroups', 1);
    const { verdict } = await verify(eu, EU);
    expect(verdict.verdict).toBe('pass');
    expect(eu.calls.filter((c) => c.action === 'logs:DescribeLogGroups').map((c) => String(c.headers['amz-sdk-request']))).toContain('attempt=2; max=8');
  });

  test('a throttle that outlasts the attempts fails the tenant with could not verify', async () => {
    eu.throttle('ec2:DescribeFlowLogs', 10);
    const { verdict } = await verify(eu, EU, 'hsm', { retryMode: 'standard', maxAttempts: 3 });
    expect(verdict.verdict).toBe('fail');
    expect(errors(verdict)).toContain('ISO-HYG-4 ec2:DescribeFlowLogs: could not verify the flow logs of the tenant\'s VPCs: ec2:DescribeFlowLogs on vpc-0a1b2c3d4e5f60001,vpc-0a1b2c3d4e5f60002 failed (RequestLimitExceeded: Request limit exceeded.)');
    expect(eu.calls.filter((c) => c.action === 'ec2:DescribeFlowLogs')).toHaveLength(3);
  });
});

describe('each action of the generated policy, denied alone, fails the tenant with an error naming it', () => {
  test.each(liveActionsFor('hsm'))('%s', async (action) => {
    eu.deny(action);
    const { verdict } = await verify(eu, EU);
    expect(verdict.verdict).toBe('fail');
    const named = verdict.findings.filter((f) => f.path === action && f.kind === 'unverifiable');
    expect(named.length).toBeGreaterThan(0);
    for (const f of named) {
      expect(f.severity).toBe('error');
      expect(f.message).toMatch(new RegExp(`^could not verify .*${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.* was denied \\((UnauthorizedOperation|AccessDeniedException)\\): the verifier's role needs the permission ${action}$`));
    }
    // A denial is never mistaken for evidence: what it hides is "could not verify", never a violation.
    expect(verdict.findings.filter((f) => f.kind === 'violation').map((f) => `${f.rule} ${f.path}: ${f.message}`)).toEqual([]);
  });
});
