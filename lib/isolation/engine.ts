/**
 * Runs the rule catalogue over tenant models (or live inventories) and decides each tenant's achieved level and
 * verdict. Pure: no I/O.
 */
import { atLeast, LEVELS, levelRank, type IsolationLevel } from './levels';
import type { TenantModel } from './model';
import type { TenantInventory } from './inventory';
import type { Finding, FleetReporter, IsolationRule, Observation, Reporter, RuleStatus, Severity } from './rule';
import { RULES } from './rules';
import { reportCollectionErrors } from './rules/evidence.live';

export interface RuleResult {
  readonly rule: IsolationRule;
  readonly status: RuleStatus | 'warning';
  /** Every finding of the rule (including those above the tenant's required level). */
  readonly findings: readonly Finding[];
  /** Compliant evidence the rule recorded. */
  readonly evidence: readonly Observation[];
  /** Whether the rule counts for this tenant's verdict (its level is at or below the required level). */
  readonly counts: boolean;
}

export interface TenantVerdict {
  readonly tenant: string;
  readonly account?: string;
  readonly region?: string;
  readonly required: IsolationLevel;
  readonly achieved: IsolationLevel;
  readonly verdict: 'pass' | 'fail';
  /** Findings that count: errors and warnings of rules at or below the required level. */
  readonly findings: readonly Finding[];
  readonly results: readonly RuleResult[];
  readonly stacks: readonly { readonly name: string; readonly file: string }[];
}

export interface EvaluateOptions {
  /** The catalogue to run. @default RULES */
  readonly rules?: readonly IsolationRule[];
  /** Minimum level for every tenant; otherwise the declared level, else `account`. */
  readonly require?: IsolationLevel;
}

class Collector implements Reporter {
  readonly findings: Finding[] = [];
  readonly evidence: Observation[] = [];
  constructor(private readonly rule: IsolationRule) {}
  pass(o: Observation): void {
    this.evidence.push(o);
  }
  fail(o: Observation & { severity?: Severity }): void {
    this.add(o, 'violation');
  }
  unverifiable(o: Observation & { severity?: Severity }): void {
    this.add(o, 'unverifiable');
  }
  private add(o: Observation & { severity?: Severity }, kind: Finding['kind']): void {
    // One finding per rule, resource, path and kind: two checks seeing the same value say it once.
    for (const f of this.findings) {
      if (f.resource === o.resource && f.stack === o.stack && f.path === o.path && f.kind === kind) return;
    }
    // Built field by field (no object rest/spread): rules report thousands of these on a large fleet.
    const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
      rule: this.rule.id,
      severity: o.severity ?? this.rule.severity,
      remediation: this.rule.remediation,
      kind,
      resource: o.resource,
      path: o.path,
      message: kind === 'unverifiable' && !o.message.startsWith('could not verify') ? `could not verify: ${o.message}` : o.message,
    };
    if (o.stack !== undefined) finding.stack = o.stack;
    if (o.value !== undefined) finding.value = o.value;
    this.findings.push(finding);
  }
  status(): RuleStatus | 'warning' {
    const errors = this.findings.filter((f) => f.severity === 'error');
    if (errors.some((f) => f.kind === 'violation')) return 'fail';
    if (errors.length > 0) return 'unverifiable';
    if (this.findings.length > 0) return 'warning';
    return this.evidence.length > 0 ? 'pass' : 'not-applicable';
  }
}

function runSafely(collector: Collector, fn: () => void, subject: string): void {
  try {
    fn();
  } catch (e) {
    collector.unverifiable({
      resource: subject,
      path: '-',
      message: `the rule failed on this input (${e instanceof Error ? e.message : String(e)})`,
    });
  }
}

interface Subject {
  readonly id: string;
  readonly account?: string;
  readonly region?: string;
  readonly declared?: IsolationLevel;
  readonly stacks: readonly { readonly name: string; readonly file: string }[];
}

function decide(
  subject: Subject,
  rules: readonly IsolationRule[],
  collectors: Map<string, Collector>,
  options: EvaluateOptions,
): TenantVerdict {
  const required = options.require ?? subject.declared ?? 'account';
  const results: RuleResult[] = rules.map((rule) => {
    const c = collectors.get(rule.id)!;
    return {
      rule,
      status: c.status(),
      findings: c.findings,
      evidence: c.evidence,
      counts: !rule.proves || atLeast(required, rule.proves),
    };
  });
  // The achieved level: the highest level whose rules (and those of every level below) all hold.
  let achieved: IsolationLevel = 'pooled';
  for (const level of LEVELS.slice(1)) {
    const blocking = results.some(
      (r) => r.rule.proves && levelRank(r.rule.proves) <= levelRank(level) && (r.status === 'fail' || r.status === 'unverifiable'),
    );
    if (blocking) break;
    achieved = level;
  }
  const findings = results
    .filter((r) => r.counts)
    .flatMap((r) => r.findings)
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  const failed = !atLeast(achieved, required) || findings.some((f) => f.severity === 'error');
  return {
    tenant: subject.id,
    account: subject.account,
    region: subject.region,
    required,
    achieved,
    verdict: failed ? 'fail' : 'pass',
    findings,
    results,
    stacks: subject.stacks,
  };
}

function fleetReporter(rule: IsolationRule, byTenant: Map<string, Map<string, Collector>>): FleetReporter {
  return {
    forTenant(tenant: string): Reporter {
      const c = byTenant.get(tenant)?.get(rule.id);
      if (!c) throw new Error(`unknown tenant ${tenant}`);
      return c;
    },
  };
}

/** What one front end evaluates: a subject per tenant, and how a rule checks one subject or the whole fleet. */
interface Evaluation<T> {
  readonly subjects: readonly T[];
  readonly rules: readonly IsolationRule[];
  readonly describe: (subject: T) => Subject;
  readonly checkOne: (rule: IsolationRule, subject: T, report: Reporter) => void;
  readonly checkFleet: (rule: IsolationRule, subjects: readonly T[], report: FleetReporter) => void;
  readonly hasFleetCheck: (rule: IsolationRule) => boolean;
  /** Called once every rule has checked the subject on its own (before the fleet checks). */
  readonly checked?: (subject: T) => void;
}

/** Runs a catalogue over every subject and across the fleet; a rule that throws becomes "could not verify". */
function evaluate<T>(e: Evaluation<T>, options: EvaluateOptions): TenantVerdict[] {
  const described = e.subjects.map((s) => ({ subject: s, info: e.describe(s) }));
  const byTenant = new Map<string, Map<string, Collector>>();
  for (const { info } of described) byTenant.set(info.id, new Map(e.rules.map((r) => [r.id, new Collector(r)])));
  // Tenant by tenant: every rule sees one tenant's templates while they are hot in the CPU caches, and the facts
  // the rules derive for a tenant die young, which keeps garbage collection cheap on large fleets.
  for (const { subject, info } of described) {
    const collectors = byTenant.get(info.id)!;
    const where = info.stacks[0]?.name ?? info.account ?? info.id;
    for (const rule of e.rules) {
      const c = collectors.get(rule.id)!;
      runSafely(c, () => e.checkOne(rule, subject, c), where);
    }
    e.checked?.(subject);
  }
  for (const rule of e.rules) {
    if (!e.hasFleetCheck(rule)) continue;
    try {
      e.checkFleet(rule, e.subjects, fleetReporter(rule, byTenant));
    } catch (err) {
      for (const { info } of described) {
        byTenant.get(info.id)!.get(rule.id)!.unverifiable({
          resource: info.id,
          path: '-',
          message: `the fleet rule failed (${err instanceof Error ? err.message : String(err)})`,
        });
      }
    }
  }
  return described.map(({ info }) => decide(info, e.rules, byTenant.get(info.id)!, options));
}

/** Evaluates every rule's template checks over the fleet. */
export function evaluateTemplates(tenants: readonly TenantModel[], options: EvaluateOptions = {}): TenantVerdict[] {
  return evaluate(
    {
      subjects: tenants,
      rules: options.rules ?? RULES,
      describe: (t) => ({
        id: t.id,
        account: t.account,
        region: t.region,
        declared: t.declared,
        stacks: t.stacks.map((s) => ({ name: s.name, file: s.file })),
      }),
      checkOne: (rule, t, report) => rule.checkTemplate?.(t, report),
      checkFleet: (rule, all, report) => rule.checkFleet?.(all, report),
      hasFleetCheck: (rule) => !!rule.checkFleet,
      checked: (t) => t.releaseFacts(),
    },
    options,
  );
}

/** Evaluates every rule's live checks over collected inventories. */
export function evaluateLive(
  inventories: readonly TenantInventory[],
  options: EvaluateOptions & { readonly declared?: (tenant: string) => IsolationLevel | undefined } = {},
): TenantVerdict[] {
  return evaluate(
    {
      subjects: inventories,
      rules: (options.rules ?? RULES).filter((r) => r.checkLive || r.checkLiveFleet),
      describe: (inv) => ({ id: inv.tenant, account: inv.account, region: inv.region, declared: options.declared?.(inv.tenant), stacks: [] }),
      checkOne: (rule, inv, report) => {
        rule.checkLive?.(inv, report);
        // Fail closed for every API the rule declares, whatever the check read and whatever the rule's severity.
        reportCollectionErrors(rule, inv, report);
      },
      checkFleet: (rule, all, report) => rule.checkLiveFleet?.(all, report),
      hasFleetCheck: (rule) => !!rule.checkLiveFleet,
    },
    options,
  );
}
