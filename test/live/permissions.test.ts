/**
 * The live verifier's IAM permissions are generated from the rules' `liveActions`: every API the collector sends is
 * declared by a rule, every rule declares what it reads, and a new rule's new action lands in the policy.
 */
import 'aws-sdk-client-mock-jest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluateLive } from '../../lib/isolation/engine';
import { LEVELS } from '../../lib/isolation/levels';
import type { IsolationRule } from '../../lib/isolation/rule';
import { RULES } from '../../lib/isolation/rules';
import { createClients } from '../../lib/live/clients';
import { collectInventory } from '../../lib/live/collect';
import { actionUsers, liveActionsFor, livePolicyDocument, livePolicyStatements, rulesCountingAt } from '../../lib/live/permissions';
import { MOCKS, mockAccount } from './account';
import { ACCOUNT, REGION, TENANT } from './support';

const LIVE = RULES.filter((r) => r.checkLive || r.checkLiveFleet);
const SCOPE = { partition: 'aws', region: REGION, account: ACCOUNT };
const PREFIX: Record<keyof typeof MOCKS, string> = { sts: 'sts', rds: 'rds', kms: 'kms', ec2: 'ec2', opensearch: 'es', ram: 'ram', cloudhsm: 'cloudhsm', logs: 'logs', elbv2: 'elasticloadbalancing' };

beforeEach(() => {
  mockAccount({ hsm: true });
});

/** The IAM action of every command the mocks received. */
function sentActions(): string[] {
  const out = new Set<string>();
  for (const [name, mock] of Object.entries(MOCKS) as [keyof typeof MOCKS, (typeof MOCKS)[keyof typeof MOCKS]][]) {
    for (const call of mock.calls()) {
      const command = call.args[0] as { constructor: { name: string } };
      out.add(`${PREFIX[name]}:${command.constructor.name.replace(/Command$/, '')}`);
    }
  }
  return [...out].sort();
}

test('every live check declares read-only actions', () => {
  for (const r of LIVE) {
    expect([r.id, r.liveActions?.length ?? 0]).not.toEqual([r.id, 0]);
    for (const a of r.liveActions ?? []) expect(a).toMatch(/^(sts|rds|kms|ec2|es|ram|cloudhsm|logs|elasticloadbalancing):(Describe|List|Get)[A-Za-z]+$/);
  }
});

test.each(LEVELS.slice(2))('at %s, every API the collector sends is in the generated policy', async (level) => {
  const clients = createClients({ region: REGION, env: {} });
  const inv = await collectInventory({ tenant: TENANT, account: ACCOUNT, region: REGION, level }, { clients });
  const granted = livePolicyStatements(level, SCOPE).flatMap((s) => s.actions);
  expect(sentActions().filter((a) => !granted.includes(a))).toEqual([]);
  expect([...inv.actions].sort()).toEqual(sentActions());
});

test('higher levels need more, never less: hsm adds CloudHSM and key stores, hardware adds EC2 instances', () => {
  const account = liveActionsFor('account');
  const hardware = liveActionsFor('hardware');
  const hsm = liveActionsFor('hsm');
  expect(account.every((a) => hardware.includes(a)) && hardware.every((a) => hsm.includes(a))).toBe(true);
  expect(hardware.filter((a) => !account.includes(a))).toEqual(['ec2:DescribeInstances']);
  expect(hsm.filter((a) => !hardware.includes(a))).toEqual(['cloudhsm:DescribeClusters', 'kms:DescribeCustomKeyStores']);
});

describe.each(LIVE.map((r) => [r.id, r] as const))('%s', (_id, rule) => {
  test('declares every action its checks read (nothing it needs goes uncollected)', async () => {
    const clients = createClients({ region: REGION, env: {} });
    const allowed = [...new Set(['sts:GetCallerIdentity', ...(rule.liveActions ?? [])])];
    const inv = await collectInventory({ tenant: TENANT, account: ACCOUNT, region: REGION, level: 'hsm' }, { clients, allowedActions: allowed });
    const [v] = evaluateLive([inv, { ...inv, tenant: 'second' }], { rules: [rule], declared: () => 'hsm' });
    const missing = v!.results[0]!.findings.filter((f) => f.value === 'NotCollected').map((f) => f.message);
    expect(missing).toEqual([]);
  });
});

test('a new rule with a new action cannot run without the permission: it lands in the generated policy', () => {
  const added: IsolationRule = {
    id: 'ISO-TEST-1',
    title: 'A rule added later that reads a new API',
    severity: 'error',
    concern: 'database',
    proves: 'account',
    rationale: 'x'.repeat(50),
    remediation: 'nothing to do',
    controls: ['NIST AC-4'],
    liveActions: ['rds:DescribeDBClusters'],
    checkLive: () => undefined,
  };
  const rules = [...RULES, added];
  expect(liveActionsFor('account', rules)).toContain('rds:DescribeDBClusters');
  expect(livePolicyStatements('account', SCOPE, rules).flatMap((s) => s.actions)).toContain('rds:DescribeDBClusters');
  // Above the level it proves nothing, so it needs nothing there.
  expect(liveActionsFor('network', rules)).not.toContain('rds:DescribeDBClusters');
  expect(rulesCountingAt('account', rules).map((r) => r.id)).toContain('ISO-TEST-1');
});

test('the policy: key and domain reads scoped to the tenant account, the rest pinned to its region', () => {
  const doc = livePolicyDocument('hsm', SCOPE) as { Statement: { Sid: string; Action: string[]; Resource: string; Condition?: unknown }[] };
  const bySid = Object.fromEntries(doc.Statement.map((s) => [s.Sid, s]));
  expect(bySid.ReadTenantKeys).toMatchObject({ Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/*`, Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListGrants'] });
  expect(bySid.ReadTenantSearchDomains).toMatchObject({ Resource: `arn:aws:es:${REGION}:${ACCOUNT}:domain/*` });
  expect(bySid.DescribeTenantRegion).toMatchObject({ Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': REGION } } });
  expect(bySid.ReadCallerIdentity).toMatchObject({ Action: ['sts:GetCallerIdentity'], Resource: '*' });
  const all = doc.Statement.flatMap((s) => s.Action).sort();
  expect(all).toEqual(liveActionsFor('hsm'));
  expect(all.some((a) => !/:(Describe|List|Get)/.test(a))).toBe(false);
});

test('docs/live-verification.md lists every action and the rules that need it', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'live-verification.md'), 'utf8');
  for (const [action, rules] of actionUsers()) {
    expect(doc).toContain(`\`${action}\``);
    for (const r of rules) expect(doc).toContain(r);
  }
});
