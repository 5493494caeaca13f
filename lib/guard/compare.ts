/**
 * The replacement guard: compares what is deployed (the baseline) with what is about to be deployed (the
 * candidate), stack by stack, and reports every stateful resource that would be replaced or removed.
 *
 * Whether a change replaces a resource is decided by the CDK's own diff engine (`fullDiff` from
 * `@aws-cdk/cloudformation-diff`), which applies CloudFormation's update semantics from the CDK's resource
 * specification: a property that "requires replacement" gives WILL_REPLACE, a conditional one MAY_REPLACE, and the
 * engine propagates a replacement to resources that reference the replaced one. This module adds what a deploy
 * gate needs on top: which resources are stateful, removals and renamed logical ids, removed stacks, weakened
 * DeletionPolicy, conditions that may drop a resource, and fail-closed handling of what the engine cannot judge.
 *
 * Pure: no I/O, no clock.
 */
import { deepEqual, fullDiff, ResourceImpact, type ResourceDifference } from '@aws-cdk/cloudformation-diff';
import type { CfnResource, CfnTemplate, LoadedTemplate } from '../assembly/read';
import { conditionalResolution, isStatefulType, RETAINING_DELETION_POLICIES, STATEFUL_TYPES } from './stateful';

/** One stack template on one side of the comparison (a LoadedTemplate satisfies it). */
export type GuardTemplate = Pick<LoadedTemplate, 'stackName' | 'template' | 'file'> &
  Partial<Pick<LoadedTemplate, 'account' | 'region' | 'assemblyDir'>>;

/** An explicit pairing of a baseline stack with a candidate stack of another name (`--stack <baseline>=<candidate>`). */
export interface StackPair {
  readonly baseline: string;
  readonly candidate: string;
}

export interface GuardOptions {
  /** More resource types to treat as stateful (`--stateful-type`). @default - none */
  readonly extraStatefulTypes?: readonly string[];
  /** Compare only these stack names (`--stack`); other stacks on either side are ignored. @default - every stack */
  readonly stacks?: readonly string[];
  /**
   * Compare these baseline stacks with these candidate stacks whatever their names (`--stack <old>=<new>`). Given
   * alone (without `stacks`), only the paired stacks are compared. @default - stacks are paired by name
   */
  readonly pairs?: readonly StackPair[];
  /**
   * Findings acknowledged for this run, as `<stack>/<logicalId>` (`--allow`): reported with severity
   * `acknowledged` and not failing. For a deliberate, reviewed replacement (a planned migration, offboarding).
   * @default - none
   */
  readonly allow?: readonly string[];
  /** Ignore the documented conditional-replacement resolutions (CONDITIONAL_IN_PLACE). @default false */
  readonly strict?: boolean;
}

/**
 * - `replace`: CloudFormation would create a new physical resource and delete the old one.
 * - `remove`: the resource (or its whole stack) leaves the template, or a Condition may drop it.
 * - `deletion-policy`: DeletionPolicy changes from Retain/RetainExceptOnCreate/Snapshot to one that deletes.
 * - `unverifiable`: the diff engine cannot judge the change (a property or type its specification does not know,
 *   or an `Fn::ForEach` loop holding stateful types): fail closed.
 */
export type FindingKind = 'replace' | 'remove' | 'deletion-policy' | 'unverifiable';

/** `will`: the engine is certain. `may`: a conditional replacement or removal, treated as one (fail closed). */
export type Certainty = 'will' | 'may';

/** `error` fails the guard; `acknowledged` is an error named by `allow`. */
export type Severity = 'error' | 'acknowledged';

/** What forces a finding: a property (or `Type`, `Condition`, `DeletionPolicy`) and how it changes. */
export interface Cause {
  readonly name: string;
  /** The engine's verdict for this change, or UNKNOWN when its specification does not know the property. */
  readonly impact: 'WILL_REPLACE' | 'MAY_REPLACE' | 'MAY_REMOVE' | 'WILL_UPDATE' | 'UNKNOWN';
  readonly before?: unknown;
  readonly after?: unknown;
  /** Logical ids of replaced resources this property references: the replacement is inherited from them. */
  readonly replacedReferences?: readonly string[];
}

export interface ResourceRef {
  readonly stack: string;
  readonly logicalId: string;
}

export interface GuardFinding extends ResourceRef {
  readonly severity: Severity;
  readonly kind: FindingKind;
  readonly certainty: Certainty;
  readonly type: string;
  /** What the resource holds (from STATEFUL_TYPES). */
  readonly holds: string;
  readonly causes: readonly Cause[];
  /** One line: what happens and why. */
  readonly message: string;
  /** For a removal: added resources of the same type that look like its new logical id. */
  readonly possibleRenames?: readonly ResourceRef[];
}

/** A stateful resource updated in place (passes), with the properties that change. */
export interface InPlaceUpdate extends ResourceRef {
  readonly type: string;
  readonly properties: readonly string[];
  /** Conditional replacements resolved as in place, with the AWS statement relied on. */
  readonly notes?: readonly string[];
}

/**
 * How a baseline stack found its candidate: `name` (the same stack name), `single-stack` (each side holds exactly
 * one stack, compared whatever their names) or `--stack` (an explicit `<baseline>=<candidate>` pair).
 */
export type PairedBy = 'name' | 'single-stack' | '--stack';

export interface StackComparison {
  /** The stack as findings name it: the baseline's name (or the candidate's, for an added stack). */
  readonly stack: string;
  readonly status: 'compared' | 'added' | 'removed';
  /** For a compared stack: how the two sides were paired. */
  readonly pairedBy?: PairedBy;
  /** For a compared stack whose candidate has another name: the candidate's stack name. */
  readonly candidateStack?: string;
  readonly baselineFile?: string;
  readonly candidateFile?: string;
}

export interface GuardSummary {
  readonly stacksCompared: number;
  readonly stacksAdded: number;
  readonly stacksRemoved: number;
  /** Stateful resources in the baseline stacks that were compared or removed. */
  readonly statefulResources: number;
  readonly errors: number;
  readonly acknowledged: number;
  readonly inPlaceUpdates: number;
  /** Stateful resources added by the candidate. */
  readonly additions: number;
}

export interface GuardReport {
  /** True when no finding has severity `error`. */
  readonly passed: boolean;
  readonly findings: readonly GuardFinding[];
  readonly updates: readonly InPlaceUpdate[];
  readonly additions: readonly (ResourceRef & { readonly type: string })[];
  readonly stacks: readonly StackComparison[];
  /** `allow` entries that matched no finding (a stale acknowledgement). */
  readonly unusedAllow: readonly string[];
  readonly summary: GuardSummary;
}

/** The inputs cannot be compared (an ambiguous stack name or pairing). The CLI reports it as bad input. */
export class GuardInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardInputError';
  }
}

/**
 * Compares every stack of the baseline with its candidate stack: the one of the same name, the only one when each
 * side holds exactly one stack, or the one `pairs` names. Throws GuardInputError when stacks cannot be paired
 * with certainty (see pairStacks): a guessed pairing could report a whole stack as removed, or compare the wrong one.
 */
export function guardTemplates(
  baseline: readonly GuardTemplate[],
  candidate: readonly GuardTemplate[],
  options: GuardOptions = {},
): GuardReport {
  const { pairs, removed: oldStacks, added: newStacks } = pairStacks(baseline, candidate, options);
  const ctx: Context = {
    extra: new Set(options.extraStatefulTypes ?? []),
    strict: options.strict ?? false,
    findings: [],
    updates: [],
    additions: [],
    removedStateful: [],
  };

  const stacks: StackComparison[] = [];
  let statefulResources = 0;
  const stateful = (t: GuardTemplate) => Object.values(t.template.Resources).filter((r) => isStatefulType(r.Type, ctx.extra)).length;
  for (const p of pairs) {
    statefulResources += stateful(p.old);
    stacks.push({
      stack: p.key,
      status: 'compared',
      pairedBy: p.pairedBy,
      ...(p.candidateKey !== p.key ? { candidateStack: p.candidateKey } : {}),
      baselineFile: p.old.file,
      candidateFile: p.now.file,
    });
    compareStack(p.key, p.old.template, p.now.template, ctx);
  }
  for (const [key, old] of oldStacks) {
    statefulResources += stateful(old);
    stacks.push({ stack: key, status: 'removed', baselineFile: old.file });
    removedStack(key, old.template, ctx);
  }
  for (const [key, now] of newStacks) {
    stacks.push({ stack: key, status: 'added', candidateFile: now.file });
    for (const [logicalId, r] of Object.entries(now.template.Resources)) {
      if (isStatefulType(r.Type, ctx.extra)) ctx.additions.push({ stack: key, logicalId, type: r.Type });
    }
  }

  attachRenames(ctx);
  const allow = new Set(options.allow ?? []);
  const used = new Set<string>();
  const findings = ctx.findings
    .map((f): GuardFinding => {
      const id = `${f.stack}/${f.logicalId}`;
      if (!allow.has(id)) return f;
      used.add(id);
      return { ...f, severity: 'acknowledged' };
    })
    .sort(byResource);
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    passed: errors === 0,
    findings,
    updates: ctx.updates.sort(byResource),
    additions: ctx.additions.sort(byResource),
    stacks: stacks.sort((a, b) => a.stack.localeCompare(b.stack)),
    unusedAllow: [...allow].filter((a) => !used.has(a)).sort(),
    summary: {
      stacksCompared: stacks.filter((s) => s.status === 'compared').length,
      stacksAdded: stacks.filter((s) => s.status === 'added').length,
      stacksRemoved: stacks.filter((s) => s.status === 'removed').length,
      statefulResources,
      errors,
      acknowledged: findings.length - errors,
      inPlaceUpdates: ctx.updates.length,
      additions: ctx.additions.length,
    },
  };
}

interface Context {
  readonly extra: ReadonlySet<string>;
  readonly strict: boolean;
  readonly findings: GuardFinding[];
  readonly updates: InPlaceUpdate[];
  readonly additions: (ResourceRef & { type: string })[];
  /** Removal findings, for rename hints. */
  readonly removedStateful: GuardFinding[];
}

interface Classified {
  readonly replace: Cause[];
  readonly unknown: Cause[];
  readonly inPlace: string[];
  readonly notes: string[];
}

/** Sorts the property changes of one resource by what the engine says they cause. */
function classify(
  type: string,
  change: ResourceDifference,
  oldR: CfnResource,
  newR: CfnResource | undefined,
  strict: boolean,
): Classified {
  const out: Classified = { replace: [], unknown: [], inPlace: [], notes: [] };
  const custom = type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
  for (const [name, pd] of Object.entries(change.propertyUpdates)) {
    const cause = { name, before: oldR.Properties?.[name], after: newR?.Properties?.[name] };
    if (pd.changeImpact === ResourceImpact.WILL_REPLACE || pd.changeImpact === ResourceImpact.MAY_REPLACE) {
      const resolution =
        pd.changeImpact === ResourceImpact.MAY_REPLACE && !strict ? conditionalResolution(type, name) : undefined;
      if (resolution) {
        out.inPlace.push(name);
        out.notes.push(`${name}: ${resolution.note} (${resolution.source})`);
      } else out.replace.push({ ...cause, impact: pd.changeImpact });
    } else if (pd.changeImpact === ResourceImpact.WILL_UPDATE || custom) {
      out.inPlace.push(name); // a custom resource's provider receives an Update with the new properties
    } else {
      // The specification has no entry for this property (or type): the engine cannot tell. Fail closed.
      out.unknown.push({ ...cause, impact: 'UNKNOWN' });
    }
  }
  return out;
}

function compareStack(stack: string, oldT: CfnTemplate, newT: CfnTemplate, ctx: Context): void {
  const diff = fullDiff(oldT, newT);

  // Pass 1: what is replaced (stateful or not), after the documented resolutions, so pass 2 can name the replaced
  // resources a property references.
  const replacing = new Map<string, Certainty>();
  const classified = new Map<string, Classified>();
  diff.resources.forEachDifference((logicalId: string, change: ResourceDifference) => {
    const oldR = oldT.Resources[logicalId];
    if (!oldR || change.isAddition || change.isRemoval || logicalId.startsWith('Fn::ForEach::')) return;
    if (change.resourceTypeChanged) {
      replacing.set(logicalId, 'will');
      return;
    }
    const c = classify(oldR.Type, change, oldR, newT.Resources[logicalId], ctx.strict);
    classified.set(logicalId, c);
    if (c.replace.length > 0)
      replacing.set(logicalId, c.replace.some((x) => x.impact === 'WILL_REPLACE') ? 'will' : 'may');
  });

  // Pass 2: findings for stateful resources.
  diff.resources.forEachDifference((logicalId: string, change: ResourceDifference) => {
    if (logicalId.startsWith('Fn::ForEach::')) {
      forEachLoop(stack, logicalId, change.oldValue, change.newValue, ctx);
      return;
    }
    const oldType = change.oldResourceType;
    const newType = change.newResourceType;
    const oldR = oldT.Resources[logicalId];
    const newR = newT.Resources[logicalId];
    if (change.isAddition) {
      if (newType !== undefined && isStatefulType(newType, ctx.extra))
        ctx.additions.push({ stack, logicalId, type: newType });
      return;
    }
    if (!oldR || !isStatefulType(oldR.Type, ctx.extra)) return;
    const type = oldR.Type;

    if (change.isRemoval) {
      const f = finding(stack, logicalId, type, 'remove', 'will', [], `removed from the template: ${fate(oldR)}`);
      ctx.findings.push(f);
      ctx.removedStateful.push(f);
      return;
    }
    if (change.resourceTypeChanged) {
      ctx.findings.push(
        finding(
          stack,
          logicalId,
          type,
          'replace',
          'will',
          [{ name: 'Type', impact: 'WILL_REPLACE', before: oldType, after: newType }],
          `would be replaced: its type changes to ${newType}`,
        ),
      );
      return;
    }

    const c = classified.get(logicalId) ?? { replace: [], unknown: [], inPlace: [], notes: [] };
    const replace = c.replace.map((cause) => {
      const refs = deepEqual(cause.before, cause.after) ? replacedRefs(cause.after, replacing) : [];
      return refs.length > 0 ? { ...cause, replacedReferences: refs } : cause;
    });
    const certainty = replacing.get(logicalId);
    if (certainty) {
      ctx.findings.push(
        finding(
          stack,
          logicalId,
          type,
          'replace',
          certainty,
          replace,
          `${certainty === 'will' ? 'would' : 'may'} be replaced: ${replace.map(describeCause).join('; ')}`,
        ),
      );
    }
    if (c.unknown.length > 0) {
      ctx.findings.push(
        finding(
          stack,
          logicalId,
          type,
          'unverifiable',
          'may',
          c.unknown,
          `could not verify: the CDK resource specification does not know ${c.unknown.map((x) => x.name).join(', ')} of ${type}`,
        ),
      );
    }
    const oldPolicy = oldR.DeletionPolicy;
    const newPolicy = newR?.DeletionPolicy;
    if (retains(oldPolicy) && !retains(newPolicy)) {
      ctx.findings.push(
        finding(
          stack,
          logicalId,
          type,
          'deletion-policy',
          'will',
          [{ name: 'DeletionPolicy', impact: 'WILL_UPDATE', before: oldPolicy, after: newPolicy }],
          `DeletionPolicy changes from ${oldPolicy} to ${newPolicy ?? 'none (Delete)'}: a later removal or stack deletion would destroy it`,
        ),
      );
    }
    if (!certainty && c.unknown.length === 0 && c.inPlace.length > 0) {
      ctx.updates.push({
        stack,
        logicalId,
        type,
        properties: c.inPlace,
        ...(c.notes.length ? { notes: c.notes } : {}),
      });
    }
  });

  // A condition can change without the resource changing: check every stateful resource on both sides.
  for (const [logicalId, oldR] of Object.entries(oldT.Resources)) {
    const newR = newT.Resources[logicalId];
    if (!newR || newR.Type !== oldR.Type || !isStatefulType(oldR.Type, ctx.extra)) continue;
    const condition = conditionChange(oldR, newR, oldT, newT);
    if (!condition) continue;
    const how =
      condition.before === undefined
        ? 'it gains'
        : condition.before === condition.after
          ? 'the definition of'
          : 'it changes to';
    ctx.findings.push(
      finding(
        stack,
        logicalId,
        oldR.Type,
        'remove',
        'may',
        [condition],
        `may be removed: ${how} Condition ${String(condition.after)}, and CloudFormation deletes the resource when the condition is false`,
      ),
    );
  }

  inheritMayReplacements(stack, oldT, newT, replacing, ctx);
}

/**
 * The engine propagates WILL_REPLACE through `Ref` and `Fn::GetAtt`. Fail closed beyond that: a resource whose
 * replacement-causing property references a resource that *may* be replaced (or any replaced resource through
 * `Fn::Sub`) may be replaced too. The engine is asked what the property causes, never a list of our own.
 */
function inheritMayReplacements(
  stack: string,
  oldT: CfnTemplate,
  newT: CfnTemplate,
  replacing: Map<string, Certainty>,
  ctx: Context,
): void {
  let changed = true;
  const done = new Set<string>([...replacing.keys()]);
  while (changed) {
    changed = false;
    for (const [logicalId, r] of Object.entries(newT.Resources)) {
      const oldR = oldT.Resources[logicalId];
      if (done.has(logicalId) || !oldR || oldR.Type !== r.Type || logicalId.startsWith('Fn::ForEach::')) continue;
      const causes: Cause[] = [];
      for (const [name, value] of Object.entries(r.Properties ?? {})) {
        const refs = referencedIds(value).filter((id) => replacing.has(id));
        if (refs.length === 0) continue;
        const impact = propertyImpact(r.Type, name);
        if (impact !== ResourceImpact.WILL_REPLACE && impact !== ResourceImpact.MAY_REPLACE) continue;
        causes.push({
          name,
          impact: ResourceImpact.MAY_REPLACE,
          before: oldR.Properties?.[name],
          after: value,
          replacedReferences: refs,
        });
      }
      if (causes.length === 0) continue;
      done.add(logicalId);
      replacing.set(logicalId, 'may');
      changed = true;
      if (!isStatefulType(r.Type, ctx.extra)) continue;
      ctx.findings.push(
        finding(
          stack,
          logicalId,
          r.Type,
          'replace',
          'may',
          causes,
          `may be replaced: ${causes.map(describeCause).join('; ')}`,
        ),
      );
    }
  }
}

const impactCache = new Map<string, ResourceImpact>();

/** Asks the diff engine what changing `property` of `type` causes, by diffing two one-resource templates. */
export function propertyImpact(type: string, property: string): ResourceImpact {
  const key = `${type}\u0000${property}`;
  let impact = impactCache.get(key);
  if (impact === undefined) {
    const t = (v: string) => ({ Resources: { R: { Type: type, Properties: { [property]: v } } } });
    impact =
      fullDiff(t('a'), t('b')).resources.get('R').propertyUpdates[property]?.changeImpact ?? ResourceImpact.NO_CHANGE;
    impactCache.set(key, impact);
  }
  return impact;
}

function removedStack(stack: string, template: CfnTemplate, ctx: Context): void {
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    if (logicalId.startsWith('Fn::ForEach::')) forEachLoop(stack, logicalId, r, undefined, ctx);
    if (!isStatefulType(r.Type, ctx.extra)) continue;
    const f = finding(
      stack,
      logicalId,
      r.Type,
      'remove',
      'will',
      [],
      `its stack ${stack} is not in the candidate: deleting the stack would remove it (${fate(r)})`,
    );
    ctx.findings.push(f);
    ctx.removedStateful.push(f);
  }
}

/** An `Fn::ForEach` loop that changes (or goes) while it creates stateful types: the engine cannot expand it. */
function forEachLoop(stack: string, logicalId: string, before: unknown, after: unknown, ctx: Context): void {
  const types = [...new Set([...typesIn(before), ...typesIn(after)])].filter((t) => isStatefulType(t, ctx.extra));
  if (types.length === 0) return;
  ctx.findings.push({
    severity: 'error',
    kind: 'unverifiable',
    certainty: 'may',
    stack,
    logicalId,
    type: 'Fn::ForEach',
    holds: types.map((t) => STATEFUL_TYPES[t] ?? t).join(', '),
    causes: [{ name: 'Fn::ForEach', impact: 'UNKNOWN' }],
    message: `could not verify: an Fn::ForEach loop creating ${types.join(', ')} ${after === undefined ? 'is removed' : 'changes'}, and the diff engine does not expand loops`,
  });
}

function finding(
  stack: string,
  logicalId: string,
  type: string,
  kind: FindingKind,
  certainty: Certainty,
  causes: readonly Cause[],
  message: string,
): GuardFinding {
  return {
    severity: 'error',
    kind,
    certainty,
    stack,
    logicalId,
    type,
    holds: STATEFUL_TYPES[type] ?? 'state (--stateful-type)',
    causes,
    message,
  };
}

/** What CloudFormation does with the physical resource when the logical resource goes. */
function fate(r: CfnResource): string {
  const policy = r.DeletionPolicy;
  if (policy === 'Snapshot') return 'DeletionPolicy Snapshot: it is deleted after a final snapshot';
  if (policy === 'Retain' || policy === 'RetainExceptOnCreate')
    return `DeletionPolicy ${policy}: it is kept but no longer managed, and the candidate does not use it`;
  return `DeletionPolicy ${policy ?? 'Delete (default)'}: it is deleted`;
}

function retains(policy: string | undefined): boolean {
  return policy !== undefined && RETAINING_DELETION_POLICIES.includes(policy);
}

/** A Condition added, changed or redefined on a resource that exists on both sides. */
function conditionChange(
  oldR: CfnResource,
  newR: CfnResource | undefined,
  oldT: CfnTemplate,
  newT: CfnTemplate,
): Cause | undefined {
  const after = newR?.Condition;
  if (after === undefined) return undefined;
  const before = oldR.Condition;
  if (before !== after || !deepEqual(conditionClosure(oldT, before), conditionClosure(newT, after))) {
    return { name: 'Condition', impact: 'MAY_REMOVE', before, after };
  }
  return undefined;
}

/** A condition's definition plus every condition it names, so a change anywhere in the chain is seen. */
function conditionClosure(t: CfnTemplate, name: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const visit = (n: string) => {
    if (n in out) return;
    const def = t.Conditions?.[n];
    out[n] = def ?? null;
    walk(def, (node) => {
      const c = node.Condition;
      if (typeof c === 'string' && Object.keys(node).length === 1) visit(c);
    });
  };
  if (name !== undefined) visit(name);
  return out;
}

/** Logical ids a value references: `Ref`, `Fn::GetAtt` (both forms) and `${Id}` / `${Id.Attr}` in `Fn::Sub`. */
export function referencedIds(value: unknown): string[] {
  const ids = new Set<string>();
  walk(value, (node) => {
    const keys = Object.keys(node);
    if (keys.length !== 1) return;
    const v = node[keys[0]!];
    if (keys[0] === 'Ref' && typeof v === 'string') ids.add(v);
    else if (keys[0] === 'Fn::GetAtt') {
      const target: unknown = Array.isArray(v) ? (v as unknown[])[0] : typeof v === 'string' ? v.split('.')[0] : undefined;
      if (typeof target === 'string') ids.add(target);
    } else if (keys[0] === 'Fn::Sub') {
      const text: unknown = Array.isArray(v) ? (v as unknown[])[0] : v;
      const second: unknown = Array.isArray(v) ? (v as unknown[])[1] : undefined;
      const vars = second && typeof second === 'object' ? Object.keys(second) : [];
      if (typeof text === 'string') {
        for (const m of text.matchAll(/\$\{(?!!)([^}.]+)(?:\.[^}]*)?\}/g)) {
          if (!vars.includes(m[1]!)) ids.add(m[1]!);
        }
      }
    }
  });
  return [...ids].filter((id) => !id.startsWith('AWS::'));
}

function replacedRefs(value: unknown, replacing: ReadonlyMap<string, Certainty>): string[] {
  return referencedIds(value).filter((id) => replacing.has(id));
}

function walk(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) for (const v of value) walk(v, visit);
  else if (value !== null && typeof value === 'object') {
    visit(value as Record<string, unknown>);
    for (const v of Object.values(value)) walk(v, visit);
  }
}

function typesIn(value: unknown): string[] {
  const types: string[] = [];
  walk(value, (node) => {
    if (typeof node.Type === 'string') types.push(node.Type);
  });
  return types;
}

function describeCause(c: Cause): string {
  const why = c.impact === 'WILL_REPLACE' ? 'requires replacement' : 'may require replacement';
  if (c.replacedReferences?.length) {
    return `${c.name} ${why}: it references ${c.replacedReferences.join(', ')}, which ${c.replacedReferences.length === 1 ? 'is' : 'are'} replaced`;
  }
  return `${c.name} ${show(c.before)} -> ${show(c.after)} (${why})`;
}

/** A short rendering of a template value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Hints for removals: an added resource of the same type is probably the same resource under a new logical id. */
function attachRenames(ctx: Context): void {
  for (const removed of ctx.removedStateful) {
    const sameType = ctx.additions.filter((a) => a.type === removed.type);
    const local = sameType.filter((a) => a.stack === removed.stack);
    const renames = (local.length > 0 ? local : sameType).map(({ stack, logicalId }) => ({ stack, logicalId }));
    if (renames.length === 0) continue;
    const index = ctx.findings.indexOf(removed);
    const where = renames
      .map((r) => (r.stack === removed.stack ? r.logicalId : `${r.stack}/${r.logicalId}`))
      .join(', ');
    ctx.findings[index] = {
      ...removed,
      possibleRenames: renames,
      message: `${removed.message}; the candidate adds ${where} of the same type: a renamed logical id creates a new, empty resource (keep the construct id, or overrideLogicalId to the old one)`,
    };
  }
}

interface Pair {
  readonly key: string;
  readonly candidateKey: string;
  readonly old: GuardTemplate;
  readonly now: GuardTemplate;
  readonly pairedBy: PairedBy;
}

/**
 * Pairs the baseline's stacks with the candidate's: explicit `pairs` first, then equal names, then, when the
 * comparison holds exactly one stack on each side, those two whatever their names. What is left is removed (baseline)
 * or added (candidate), unless a stack name on either side comes from a file name (a template file or saved
 * `get-template` output, not a cloud assembly): such a name need not be the stack's, so the guard refuses to guess
 * and throws a GuardInputError that says how to pair them with `--stack <baseline>=<candidate>`. It never reports a
 * stack as removed because a file was named differently.
 */
export function pairStacks(
  baseline: readonly GuardTemplate[],
  candidate: readonly GuardTemplate[],
  options: Pick<GuardOptions, 'stacks' | 'pairs'> = {},
): { pairs: Pair[]; removed: Map<string, GuardTemplate>; added: Map<string, GuardTemplate> } {
  const [oldAll, newAll] = keyStacks(baseline, candidate);
  const explicit = options.pairs ?? [];
  const names = new Set(options.stacks ?? []);
  const selecting = names.size > 0 || explicit.length > 0;
  const pairedOld = new Set<string>();
  const pairedNew = new Set<string>();
  const pairs: Pair[] = [];
  const add = (key: string, candidateKey: string, pairedBy: PairedBy) => {
    pairs.push({ key, candidateKey, old: oldAll.get(key)!, now: newAll.get(candidateKey)!, pairedBy });
    pairedOld.add(key);
    pairedNew.add(candidateKey);
  };

  for (const p of explicit) {
    const key = keyOfName(oldAll, p.baseline, 'baseline', `--stack ${p.baseline}=${p.candidate}`);
    const candidateKey = keyOfName(newAll, p.candidate, 'candidate', `--stack ${p.baseline}=${p.candidate}`);
    if (pairedOld.has(key) || pairedNew.has(candidateKey)) {
      throw new GuardInputError(`--stack ${p.baseline}=${p.candidate}: a stack can be paired only once`);
    }
    add(key, candidateKey, '--stack');
  }
  const selected = (side: Map<string, GuardTemplate>, paired: Set<string>) =>
    [...side].filter(([k, t]) => !paired.has(k) && (!selecting || names.has(t.stackName))).map(([k]) => k);
  for (const key of selected(oldAll, pairedOld)) {
    if (newAll.has(key) && !pairedNew.has(key) && (!selecting || names.has(newAll.get(key)!.stackName))) add(key, key, 'name');
  }
  let oldLeft = selected(oldAll, pairedOld);
  let newLeft = selected(newAll, pairedNew);
  if (pairs.length === 0 && oldLeft.length === 1 && newLeft.length === 1) {
    add(oldLeft[0]!, newLeft[0]!, 'single-stack');
    oldLeft = [];
    newLeft = [];
  }

  // A stack left over on one side while the other side has unpaired stacks (compared or not): is the name real?
  const otherOld = [...oldAll.keys()].filter((k) => !pairedOld.has(k));
  const otherNew = [...newAll.keys()].filter((k) => !pairedNew.has(k));
  const fromFile = (t: GuardTemplate) => t.assemblyDir === undefined;
  const doubtful = (left: string[], side: Map<string, GuardTemplate>, others: string[], otherSide: Map<string, GuardTemplate>) =>
    left.length > 0 && others.length > 0 && [...left.map((k) => side.get(k)!), ...others.map((k) => otherSide.get(k)!)].some(fromFile);
  if (doubtful(oldLeft, oldAll, otherNew, newAll) || doubtful(newLeft, newAll, otherOld, oldAll)) {
    throw new GuardInputError(pairingAdvice(oldLeft.length > 0 ? oldLeft : otherOld, newLeft.length > 0 ? newLeft : otherNew, oldAll, newAll));
  }
  const pick = (keys: string[], side: Map<string, GuardTemplate>) => new Map(keys.map((k) => [k, side.get(k)!]));
  return { pairs, removed: pick(oldLeft, oldAll), added: pick(newLeft, newAll) };
}

/** The key of the stack named `name` on one side of an explicit pair. */
function keyOfName(side: Map<string, GuardTemplate>, name: string, label: string, flag: string): string {
  if (side.has(name)) return name;
  const keys = [...side].filter(([, t]) => t.stackName === name).map(([k]) => k);
  if (keys.length > 1) {
    throw new GuardInputError(`${flag}: the ${label} holds stack ${name} in several environments (${keys.join(', ')}); pair them by name instead`);
  }
  if (keys.length === 0) {
    throw new GuardInputError(`${flag}: the ${label} has no stack ${name}; its stacks: ${[...side.keys()].join(', ') || 'none'}`);
  }
  return keys[0]!;
}

function pairingAdvice(
  oldKeys: readonly string[],
  newKeys: readonly string[],
  oldAll: Map<string, GuardTemplate>,
  newAll: Map<string, GuardTemplate>,
): string {
  const list = (keys: readonly string[], side: Map<string, GuardTemplate>) =>
    keys.map((k) => `${k} (${side.get(k)!.file})`).join(', ');
  const example =
    oldKeys.length === 1 && newKeys.length === 1
      ? `--stack ${oldKeys[0]!}=${newKeys[0]!}`
      : `--stack ${oldKeys[0] ?? '<baseline stack>'}=<${newKeys.length > 0 ? newKeys.join('|') : 'candidate stack'}>`;
  return (
    `cannot pair the stacks: the baseline's ${list(oldKeys, oldAll)} and the candidate's ${list(newKeys, newAll)} ` +
    'have no counterpart of the same name, and a stack name taken from a file name (template or get-template ' +
    `output) need not be the stack's. Say which to compare: ${example} (repeatable, one per baseline stack)`
  );
}

/**
 * Keys stacks by stack name. When a name appears more than once on a side (the same stack in several environments),
 * those stacks are keyed by `name (aws://account/region)` on both sides; a copy without an environment is an error.
 */
function keyStacks(
  baseline: readonly GuardTemplate[],
  candidate: readonly GuardTemplate[],
): [Map<string, GuardTemplate>, Map<string, GuardTemplate>] {
  const count = (side: readonly GuardTemplate[]) => {
    const m = new Map<string, GuardTemplate[]>();
    for (const t of side) m.set(t.stackName, [...(m.get(t.stackName) ?? []), t]);
    return m;
  };
  const byName = [count(baseline), count(candidate)] as const;
  const ambiguous = new Set<string>();
  for (const side of byName) for (const [name, list] of side) if (list.length > 1) ambiguous.add(name);
  const key = (t: GuardTemplate, label: string): string => {
    if (!ambiguous.has(t.stackName)) return t.stackName;
    if (!t.account || !t.region) {
      throw new GuardInputError(
        `stack ${t.stackName} appears in more than one environment, but ${label} ${t.file} has no account and region to tell them apart`,
      );
    }
    return `${t.stackName} (aws://${t.account}/${t.region})`;
  };
  const build = (side: readonly GuardTemplate[], label: string) => {
    const m = new Map<string, GuardTemplate>();
    for (const t of side) {
      const k = key(t, label);
      const other = m.get(k);
      if (other) throw new GuardInputError(`${label} holds stack ${k} twice: ${other.file} and ${t.file}`);
      m.set(k, t);
    }
    return m;
  };
  return [build(baseline, 'baseline'), build(candidate, 'candidate')];
}

function byResource(a: ResourceRef, b: ResourceRef): number {
  return a.stack.localeCompare(b.stack) || a.logicalId.localeCompare(b.logicalId);
}
