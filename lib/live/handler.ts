/**
 * Lambda entry of the live-verification gate (bundled by NodejsFunction with esbuild; one bundle for the fleet).
 *
 * Two callers, one function:
 * - CloudFormation (custom resource `Custom::LiveVerificationGate`): on Create and Update it verifies the tenant's
 *   live state and answers FAILED, with the findings in the Reason, when it is not exclusive at the promised level,
 *   so the deployment rolls back. Delete never blocks, nor does the Update of a rollback. It always answers before
 *   the Lambda times out: at the deadline the collection is aborted and whatever was read is judged (fail closed).
 * - EventBridge (the drift check): the same verification on a schedule; findings are logged as structured JSON and
 *   the count of error findings is published as a per-tenant CloudWatch metric in Embedded Metric Format.
 *
 * The handler logic is `makeHandler(deps)`; the exported `handler` wires the real SDK clients on first use.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { evaluateLive, type TenantVerdict } from '../isolation/engine';
import type { TenantInventory } from '../isolation/inventory';
import { isLevel } from '../isolation/levels';
import type { Finding } from '../isolation/rule';
import { createClients, type LiveClients } from './clients';
import { collectInventory } from './collect';
import type { LiveTarget } from './config';
import { DRIFT_CHECK_MARKER, ERROR_FINDINGS_METRIC, METRIC_NAMESPACE, UNVERIFIABLE_METRIC } from './metrics';

export { DRIFT_CHECK_MARKER, ERROR_FINDINGS_METRIC, METRIC_NAMESPACE, UNVERIFIABLE_METRIC };

/** CloudFormation caps a custom resource response at 4096 bytes: the Reason stays well below. */
export const MAX_REASON_LENGTH = 3000;

/** What to verify, as the custom resource's `Target` property and the scheduled event's `Target` carry it. */
export interface GateTarget {
  readonly Tenant?: string;
  readonly Account?: string;
  readonly Region?: string;
  readonly Level?: string;
}

/** The custom resource's properties and the scheduled event's input (same keys). */
export interface GateProperties {
  readonly Target?: GateTarget;
}

export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: GateProperties & { readonly ServiceToken?: string };
  readonly OldResourceProperties?: GateProperties;
}

export interface DriftCheckEvent extends GateProperties {
  readonly 'exclusive-desk': typeof DRIFT_CHECK_MARKER;
}

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Readonly<Record<string, string>>;
}

export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  readonly logGroupName?: string;
  readonly logStreamName?: string;
}

export interface HandlerDeps {
  /** Collects the tenant's inventory; must stop promptly when `signal` aborts. */
  collect(target: LiveTarget, signal: AbortSignal): Promise<TenantInventory>;
  /** PUTs the response to the pre-signed URL CloudFormation gave. */
  respond(url: string, response: CustomResourceResponse): Promise<void>;
  /** The stack's status (to let rollbacks through); undefined when it cannot be read. */
  stackStatus(stackId: string): Promise<string | undefined>;
  /** Writes one structured log line (CloudWatch Logs; EMF lines become metrics). */
  log(line: Record<string, unknown>): void;
  now(): number;
  /** Time kept back at the end for the response (ms). @default 10000 */
  readonly reserveMs?: number;
  /** Time between aborting the collection and giving up on it (ms). @default 5000 */
  readonly graceMs?: number;
}

export interface GateOutcome {
  readonly tenant?: string;
  readonly verdict: 'pass' | 'fail' | 'skipped';
  readonly errors: number;
  readonly summary: string;
}

function targetOf(props: GateProperties | undefined): LiveTarget | string {
  const p = props?.Target;
  if (!p?.Tenant || !p.Account || !p.Region || !p.Level) return 'the event lacks Tenant, Account, Region or Level';
  if (!/^\d{12}$/.test(p.Account)) return `Account must be 12 digits, got "${p.Account}"`;
  if (!isLevel(p.Level)) return `Level must be an isolation level, got "${p.Level}"`;
  return { tenant: p.Tenant, account: p.Account, region: p.Region, level: p.Level };
}

/** One line per finding, worst first, cut at a finding boundary to fit CloudFormation's response limit. */
export function failureReason(verdict: TenantVerdict, where: string, max = MAX_REASON_LENGTH): string {
  const errors = verdict.findings.filter((f) => f.severity === 'error');
  const head =
    `live state of tenant ${verdict.tenant} is not exclusive at ${verdict.required} (achieved ${verdict.achieved}; ` +
    `${errors.length} error finding${errors.length === 1 ? '' : 's'}):`;
  const lines = errors.map((f) => ` [${f.rule}] ${f.resource} ${f.path}: ${f.message}${f.value ? ` (${f.value})` : ''}.`);
  let text = head;
  for (let i = 0; i < lines.length; i++) {
    const rest = lines.length - i;
    const tail = ` ... and ${rest} more; all findings in ${where}`;
    if (text.length + lines[i]!.length > max - tail.length) return `${text}${tail}`;
    text += lines[i]!;
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function findingLog(tenant: string, f: Finding): Record<string, unknown> {
  return { type: 'finding', tenant, rule: f.rule, severity: f.severity, kind: f.kind, resource: f.resource, path: f.path, value: f.value, message: f.message };
}

/** An Embedded Metric Format line: CloudWatch turns it into the per-tenant metrics the alarm watches. */
export function metricLine(namespace: string, tenant: string, errors: number, unverifiable: number, timestamp: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['Tenant']],
          Metrics: [
            { Name: ERROR_FINDINGS_METRIC, Unit: 'Count' },
            { Name: UNVERIFIABLE_METRIC, Unit: 'Count' },
          ],
        },
      ],
    },
    type: 'metric',
    Tenant: tenant,
    [ERROR_FINDINGS_METRIC]: errors,
    [UNVERIFIABLE_METRIC]: unverifiable,
  };
}

const ROLLBACK = /ROLLBACK_IN_PROGRESS$/;

export function makeHandler(deps: HandlerDeps, namespace = METRIC_NAMESPACE) {
  const reserve = deps.reserveMs ?? 10_000;
  const grace = deps.graceMs ?? 5_000;

  /** Verifies one tenant within the time left; never throws. */
  async function verify(target: LiveTarget, context: LambdaContext): Promise<{ verdict?: TenantVerdict; timedOut: boolean; error?: string }> {
    const budget = Math.max(0, context.getRemainingTimeInMillis() - reserve);
    const controller = new AbortController();
    const timers: NodeJS.Timeout[] = [];
    const soft = setTimeout(() => controller.abort(), Math.max(0, budget - grace));
    timers.push(soft);
    const hard = new Promise<'timeout'>((resolve) => timers.push(setTimeout(() => resolve('timeout'), budget)));
    try {
      const work = deps.collect(target, controller.signal).then((inv) => evaluateLive([inv], { declared: () => target.level })[0]!);
      const result = await Promise.race([work, hard]);
      if (result === 'timeout') {
        controller.abort();
        return { timedOut: true };
      }
      return { verdict: result, timedOut: controller.signal.aborted };
    } catch (e) {
      return { timedOut: false, error: e instanceof Error ? e.message : String(e) };
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  }

  function publish(target: LiveTarget, verdict: TenantVerdict | undefined, problem: string | undefined, trigger: string): { errors: number } {
    const findings = verdict?.findings ?? [];
    for (const f of findings) deps.log(findingLog(target.tenant, f));
    const errors = findings.filter((f) => f.severity === 'error').length + (problem ? 1 : 0);
    const unverifiable = findings.filter((f) => f.kind === 'unverifiable').length + (problem ? 1 : 0);
    deps.log({
      type: 'summary',
      trigger,
      tenant: target.tenant,
      account: target.account,
      region: target.region,
      required: verdict?.required ?? target.level,
      achieved: verdict?.achieved ?? 'unknown',
      verdict: verdict && !problem ? verdict.verdict : 'fail',
      errors,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      problem,
    });
    deps.log(metricLine(namespace, target.tenant, errors, unverifiable, deps.now()));
    return { errors };
  }

  async function onCustomResource(event: CustomResourceEvent, context: LambdaContext): Promise<GateOutcome> {
    const physicalId = event.PhysicalResourceId ?? `live-verification-gate-${event.ResourceProperties.Target?.Tenant ?? 'unknown'}`;
    const base = { PhysicalResourceId: physicalId, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
    const answer = async (outcome: GateOutcome, response: Omit<CustomResourceResponse, keyof typeof base>): Promise<GateOutcome> => {
      deps.log({ type: 'response', request: event.RequestType, status: response.Status, reason: response.Reason });
      await deps.respond(event.ResponseURL, { ...base, ...response });
      return outcome;
    };
    const where = context.logGroupName ? `CloudWatch Logs ${context.logGroupName}${context.logStreamName ? ` (${context.logStreamName})` : ''}` : 'the function logs';

    if (event.RequestType === 'Delete') {
      return answer({ verdict: 'skipped', errors: 0, summary: 'delete never blocks' }, { Status: 'SUCCESS', Reason: 'the gate never blocks a delete' });
    }
    if (event.RequestType === 'Update') {
      const status = await deps.stackStatus(event.StackId).catch(() => undefined);
      if (status && ROLLBACK.test(status)) {
        return answer({ verdict: 'skipped', errors: 0, summary: `stack is in ${status}` }, { Status: 'SUCCESS', Reason: `the gate does not block a rollback (${status})` });
      }
    }
    const target = targetOf(event.ResourceProperties);
    if (typeof target === 'string') {
      return answer({ verdict: 'fail', errors: 1, summary: target }, { Status: 'FAILED', Reason: `live verification gate misconfigured: ${target}` });
    }
    const { verdict, timedOut, error } = await verify(target, context);
    const problem = error
      ? `live verification failed: ${error}`
      : !verdict
        ? `live verification of tenant ${target.tenant} did not finish before the deadline: its isolation could not be verified`
        : undefined;
    const { errors } = publish(target, verdict, problem, `cloudformation:${event.RequestType}`);
    if (problem || !verdict) {
      return answer({ tenant: target.tenant, verdict: 'fail', errors, summary: problem ?? '' }, { Status: 'FAILED', Reason: `${problem} (details in ${where})`.slice(0, MAX_REASON_LENGTH) });
    }
    const data = { Achieved: verdict.achieved, Required: verdict.required, ErrorFindings: String(errors), TimedOut: String(timedOut) };
    if (verdict.verdict === 'fail') {
      const reason = failureReason(verdict, where);
      return answer({ tenant: target.tenant, verdict: 'fail', errors, summary: reason }, { Status: 'FAILED', Reason: reason, Data: data });
    }
    const summary = `tenant ${target.tenant} is exclusive at ${verdict.achieved} (required ${verdict.required}); ${verdict.findings.length} warning(s)`;
    return answer({ tenant: target.tenant, verdict: 'pass', errors, summary }, { Status: 'SUCCESS', Reason: summary, Data: data });
  }

  async function onSchedule(event: DriftCheckEvent, context: LambdaContext): Promise<GateOutcome> {
    const target = targetOf(event);
    if (typeof target === 'string') {
      deps.log({ type: 'summary', trigger: 'schedule', verdict: 'fail', problem: `drift check misconfigured: ${target}` });
      deps.log(metricLine(namespace, event.Target?.Tenant ?? 'unknown', 1, 1, deps.now()));
      return { tenant: event.Target?.Tenant, verdict: 'fail', errors: 1, summary: target };
    }
    const { verdict, error } = await verify(target, context);
    const problem = error ? `live verification failed: ${error}` : !verdict ? 'the drift check did not finish before the deadline' : undefined;
    const { errors } = publish(target, verdict, problem, 'schedule');
    return {
      tenant: target.tenant,
      verdict: verdict && !problem ? verdict.verdict : 'fail',
      errors,
      summary: problem ?? `achieved ${verdict?.achieved} (required ${verdict?.required}), ${errors} error finding(s)`,
    };
  }

  return async (event: CustomResourceEvent | DriftCheckEvent, context: LambdaContext): Promise<GateOutcome> => {
    if ('RequestType' in event && 'ResponseURL' in event) return onCustomResource(event, context);
    return onSchedule(event, context);
  };
}

/** PUTs a custom resource response to CloudFormation's pre-signed S3 URL (http: only for tests). */
export function putResponse(url: string, response: CustomResourceResponse): Promise<void> {
  const body = JSON.stringify(response);
  const u = new URL(url);
  const request = u.protocol === 'http:' ? http.request : https.request;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`response upload failed with HTTP ${res.statusCode}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error('response upload timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

let defaultHandler: ReturnType<typeof makeHandler> | undefined;

function defaults(): ReturnType<typeof makeHandler> {
  const clients = new Map<string, LiveClients>();
  const cloudformation = new CloudFormationClient({});
  return makeHandler({
    collect: (target, signal) => {
      const c = clients.get(target.region) ?? createClients({ region: target.region, env: process.env });
      clients.set(target.region, c);
      return collectInventory(target, { clients: c, signal });
    },
    respond: async (url, response) => {
      try {
        await putResponse(url, response);
      } catch {
        await putResponse(url, response); // one retry: a lost response would hang the stack for an hour
      }
    },
    stackStatus: async (stackId) => (await cloudformation.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0]?.StackStatus,
    // eslint-disable-next-line no-console
    log: (line) => console.log(JSON.stringify(line)),
    now: () => Date.now(),
  });
}

/** The Lambda handler. */
export async function handler(event: CustomResourceEvent | DriftCheckEvent, context: LambdaContext): Promise<GateOutcome> {
  defaultHandler ??= defaults();
  return defaultHandler(event, context);
}
