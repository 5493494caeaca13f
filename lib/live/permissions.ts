/**
 * The live verifier's IAM permissions, generated from the `liveActions` of the rules that run. The gate's role, the
 * auditor's read-only policy in docs/live-verification.md and the collector's own allow-list all come from here, so
 * a rule that needs a new action cannot run without it being granted (and a test checks the collector never calls
 * an action outside this list).
 */
import { atLeast, type IsolationLevel } from '../isolation/levels';
import type { IsolationRule } from '../isolation/rule';
import { RULES } from '../isolation/rules';

/** Rules that count at a level: those proving no level (hygiene) or a level at or below it. */
export function rulesCountingAt(level: IsolationLevel, rules: readonly IsolationRule[] = RULES): IsolationRule[] {
  return rules.filter((r) => (r.checkLive || r.checkLiveFleet) && (!r.proves || atLeast(level, r.proves)));
}

/** Every read-only action the live rules that count at `level` declare, sorted and without repeats. */
export function liveActionsFor(level: IsolationLevel, rules: readonly IsolationRule[] = RULES): string[] {
  return [...new Set(rulesCountingAt(level, rules).flatMap((r) => r.liveActions ?? []))].sort();
}

/** Which rules need each action (for the docs). */
export function actionUsers(rules: readonly IsolationRule[] = RULES): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rules) for (const a of r.liveActions ?? []) out.set(a, [...(out.get(a) ?? []), r.id]);
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

export interface PolicyStatementSpec {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface PermissionScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/**
 * Actions that take resource-level permissions, scoped to the tenant's own account and region. A resource of another
 * account (e.g. a vendor key named by a database) is then denied: a "could not verify" finding, which fails closed.
 * Every other action is list/describe-only and supports no resource ARN: `*`, pinned to the region by condition.
 */
const RESOURCE_SCOPES: readonly { readonly actions: RegExp; readonly resource: (s: PermissionScope) => string; readonly sid: string }[] = [
  {
    sid: 'ReadTenantKeys',
    actions: /^kms:(DescribeKey|GetKeyPolicy|ListGrants|GetKeyRotationStatus)$/,
    resource: (s) => `arn:${s.partition}:kms:${s.region}:${s.account}:key/*`,
  },
  {
    sid: 'ReadTenantSearchDomains',
    actions: /^es:(DescribeDomains|DescribeDomain|ListTags)$/,
    resource: (s) => `arn:${s.partition}:es:${s.region}:${s.account}:domain/*`,
  },
];

/** IAM statements granting exactly `liveActionsFor(level)`, least privilege, in a stable order. */
export function livePolicyStatements(
  level: IsolationLevel,
  scope: PermissionScope,
  rules: readonly IsolationRule[] = RULES,
): PolicyStatementSpec[] {
  const actions = liveActionsFor(level, rules);
  const statements: PolicyStatementSpec[] = [];
  const remaining = new Set(actions);
  for (const s of RESOURCE_SCOPES) {
    const matched = actions.filter((a) => s.actions.test(a));
    if (matched.length === 0) continue;
    matched.forEach((a) => remaining.delete(a));
    statements.push({ sid: s.sid, actions: matched, resources: [s.resource(scope)] });
  }
  // sts:GetCallerIdentity needs no permission and is not regional: granted without a region condition.
  const identity = [...remaining].filter((a) => a.startsWith('sts:'));
  identity.forEach((a) => remaining.delete(a));
  if (identity.length > 0) statements.push({ sid: 'ReadCallerIdentity', actions: identity, resources: ['*'] });
  if (remaining.size > 0) {
    statements.push({
      sid: 'DescribeTenantRegion',
      actions: [...remaining].sort(),
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': scope.region } },
    });
  }
  return statements;
}

/** The statements as an IAM policy document (JSON), e.g. for an auditor's read-only role. */
export function livePolicyDocument(level: IsolationLevel, scope: PermissionScope, rules: readonly IsolationRule[] = RULES): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: livePolicyStatements(level, scope, rules).map((s) => ({
      Sid: s.sid,
      Effect: 'Allow',
      Action: [...s.actions],
      Resource: s.resources.length === 1 ? s.resources[0] : [...s.resources],
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  };
}
