import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { Aws, CustomResource, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import type { IsolationLevel } from '../lib/isolation/levels';
import { RULES } from '../lib/isolation/rules';
import { DRIFT_CHECK_MARKER, ERROR_FINDINGS_METRIC, METRIC_NAMESPACE } from '../lib/live/metrics';
import { livePolicyStatements } from '../lib/live/permissions';

/** The custom resource type of the gate. */
export const GATE_RESOURCE_TYPE = 'Custom::LiveVerificationGate';

/** The handler source: every tenant's function bundles this one entry with the same options (one bundle per synth). */
export const GATE_HANDLER_ENTRY = path.join(__dirname, '..', 'lib', 'live', 'handler.ts');

/** Bundling options shared by every gate (nothing tenant-specific, so AssetStaging bundles once for the fleet). */
export const GATE_BUNDLING: nodejs.BundlingOptions = {
  // The SDK clients the verifier was tested with, not the runtime's copy.
  bundleAwsSDK: true,
  minify: true,
  sourceMap: false,
};

/** A fingerprint of the live rule catalogue: a changed rule or action re-runs the gate on the next deployment. */
export function catalogueFingerprint(): string {
  const catalogue = RULES.filter((r) => r.checkLive || r.checkLiveFleet).map((r) => [r.id, r.proves ?? '', ...(r.liveActions ?? [])]);
  return createHash('sha256').update(JSON.stringify(catalogue)).digest('hex').slice(0, 16);
}

/** The interval of a `rate(...)` schedule expression, undefined for `cron(...)`. */
export function rateOf(expression: string): Duration | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2]!.startsWith('minute') ? Duration.minutes(n) : m[2]!.startsWith('hour') ? Duration.hours(n) : Duration.days(n);
}

export interface LiveVerificationGateProps {
  /** The tenant id: the value of the `exclusive-desk:tenant` tag the live rules look for. */
  readonly tenantId: string;
  /**
   * The isolation level the tenant's licence promises. A deployment whose live state is below it, or has an error
   * finding, fails. Also decides the function's permissions (only what the rules that count at this level read).
   */
  readonly level: IsolationLevel;
  /** The tenant's logs key: encrypts the gate's log group (its key policy must admit CloudWatch Logs). */
  readonly logsKey: kms.IKey;
  /**
   * The tenant's stateful resources (or the constructs holding them): the gate runs after all of them exist.
   * Keys, network, database and search domain at least.
   */
  readonly verifies: readonly IDependable[];
  /**
   * When the drift check runs (the manifest's `verification.schedule`).
   * @default events.Schedule.rate(Duration.days(1))
   */
  readonly schedule?: events.Schedule;
  /**
   * Retention of the gate's log group (the findings of every run).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What the drift alarm notifies (e.g. the operations topic), in ALARM and back to OK.
   * @default - none: the alarm state is the signal (dashboards, the fleet report)
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
  /**
   * The function's timeout. The gate answers CloudFormation before it: at 15 s before the end the collection is
   * aborted and what was read is judged, failing closed. At most 15 minutes.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
}

/**
 * Verifies the tenant's live state with the live checks of the isolation rule catalogue, at deploy time and on a
 * schedule:
 *
 * - a custom resource (`Custom::LiveVerificationGate`) that runs after the tenant's stateful resources exist and
 *   fails the deployment, findings in the reason, when the live state is not exclusive at the promised level
 *   (Delete and rollbacks never block);
 * - an EventBridge schedule running the same function as a drift check, which logs every finding as structured
 *   JSON and publishes the count of error findings as the metric `ExclusiveDesk/LiveVerification ErrorFindings`
 *   (dimension `Tenant`), with an alarm on it.
 *
 * The function runs outside any VPC: Lambda cannot attach to the dedicated-tenancy VPCs of hardware and hsm
 * tenants, and it only calls AWS read APIs. Its role has exactly the read-only actions the rules declare
 * (`livePolicyStatements`), scoped to the tenant's account and region.
 */
export class LiveVerificationGate extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  /** The role's only policy: the generated read-only actions, its stack's status, its log group. */
  public readonly policy: iam.ManagedPolicy;
  public readonly logGroup: logs.LogGroup;
  public readonly resource: CustomResource;
  public readonly schedule: events.Rule;
  /** The per-tenant metric of error findings (from the structured log, Embedded Metric Format). */
  public readonly errorFindings: cloudwatch.Metric;
  /** In alarm when a run finds an error finding or, for rate schedules, when the drift check stops reporting. */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: LiveVerificationGateProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const timeout = props.timeout ?? Duration.minutes(5);
    if (timeout.toSeconds() < 60 || timeout.toSeconds() > 900) {
      throw new Error(`timeout must be between 1 and 15 minutes, got ${timeout.toHumanString()}`);
    }
    if (props.verifies.length === 0) {
      throw new Error('verifies must list the stateful resources the gate verifies (keys, network, database, search), got none');
    }
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      throw new Error(`LiveVerificationGate needs a stack with an explicit account and region (the tenant's), got ${stack.account}/${stack.region}`);
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logsKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });

    // A customer managed policy (not an inline one): exactly the generated read-only statements, the stack's own
    // status (to let rollbacks through) and writing to its own log group.
    const permissionScope = { partition: stack.partition, region: stack.region, account: stack.account };
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `exclusive-desk ${props.tenantId}: read-only live isolation verification at ${props.level}`,
      statements: [
        ...livePolicyStatements(props.level, permissionScope).map(
          (s) => new iam.PolicyStatement({ sid: s.sid, actions: [...s.actions], resources: [...s.resources], conditions: s.conditions }),
        ),
        new iam.PolicyStatement({ sid: 'ReadOwnStackStatus', actions: ['cloudformation:DescribeStacks'], resources: [Aws.STACK_ID] }),
        new iam.PolicyStatement({ sid: 'WriteOwnLogGroup', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
      ],
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `exclusive-desk ${props.tenantId}: read-only live isolation verification at ${props.level}`,
      managedPolicies: [this.policy],
    });
    Validations.of(this.policy).acknowledge(
      ...[
        '*',
        `arn:${stack.partition}:kms:${stack.region}:${stack.account}:key/*`,
        `arn:${stack.partition}:es:${stack.region}:${stack.account}:domain/*`,
      ].map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          'Read-only Describe/List/Get actions generated from the isolation rules: the list and describe calls support ' +
          'no resource-level permissions and are pinned to the tenant region by condition; key and domain reads are ' +
          "limited to the tenant account's keys and domains",
      })),
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: GATE_HANDLER_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout,
      memorySize: 512,
      role: this.role,
      logGroup: this.logGroup,
      description: `exclusive-desk ${props.tenantId}: live isolation verification (deploy-time gate and drift check)`,
      bundling: GATE_BUNDLING,
    });
    const reason =
      'The live-verification function runs outside any VPC on purpose: Lambda cannot attach to the dedicated-tenancy ' +
      'VPCs of hardware and hsm tenants, and it only calls read-only AWS APIs over TLS with a least-privilege role.';
    Validations.of(this.function).acknowledge(
      { id: 'HIPAA.Security-LambdaInsideVPC', reason },
      { id: 'NIST.800.53.R5-LambdaInsideVPC', reason },
      { id: 'PCI.DSS.321-LambdaInsideVPC', reason },
    );
    const concurrencyReason =
      'The function runs at most a few times a day (one deployment, one scheduled check); reserved concurrency would ' +
      'fail deployment in accounts at the minimum of 10 unreserved executions.';
    Validations.of(this.function).acknowledge(
      { id: 'HIPAA.Security-LambdaConcurrency', reason: concurrencyReason },
      { id: 'NIST.800.53.R5-LambdaConcurrency', reason: concurrencyReason },
      { id: 'PCI.DSS.321-LambdaConcurrency', reason: concurrencyReason },
    );
    const dlqReason =
      'A failed gate run is reported by CloudFormation (FAILED response) and a failed or missing drift-check run by the ' +
      'alarm on the error-findings metric; a dead-letter queue would add no signal.';
    Validations.of(this.function).acknowledge(
      { id: 'HIPAA.Security-LambdaDLQ', reason: dlqReason },
      { id: 'NIST.800.53.R5-LambdaDLQ', reason: dlqReason },
      { id: 'PCI.DSS.321-LambdaDLQ', reason: dlqReason },
    );

    const target = { Tenant: props.tenantId, Account: stack.account, Region: stack.region, Level: props.level };
    this.resource = new CustomResource(this, 'Gate', {
      serviceToken: this.function.functionArn,
      resourceType: GATE_RESOURCE_TYPE,
      // Also a deadline for CloudFormation should the function die without answering.
      serviceTimeout: timeout.plus(Duration.minutes(1)),
      properties: {
        Target: target,
        // Re-verify when the live catalogue or the promised level changes (the drift check covers the rest).
        Catalogue: catalogueFingerprint(),
      },
    });
    this.resource.node.addDependency(...props.verifies, this.role, this.policy, this.logGroup);

    const schedule = props.schedule ?? events.Schedule.rate(Duration.days(1));
    this.schedule = new events.Rule(this, 'DriftCheck', {
      schedule,
      description: `exclusive-desk ${props.tenantId}: live isolation drift check`,
      targets: [
        new targets.LambdaFunction(this.function, {
          event: events.RuleTargetInput.fromObject({ 'exclusive-desk': DRIFT_CHECK_MARKER, Target: target }),
          retryAttempts: 2,
        }),
      ],
    });

    // One data point per run. With a rate schedule no longer than a day, an empty period means the check did not
    // run: that alarms too (fail closed). A cron schedule's frequency is unknown, so missing data is not judged.
    const rate = rateOf(schedule.expressionString);
    const day = Duration.days(1);
    const period = rate && rate.toSeconds() < day.toSeconds() ? rate : day;
    this.errorFindings = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: ERROR_FINDINGS_METRIC,
      dimensionsMap: { Tenant: props.tenantId },
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
    this.alarm = this.errorFindings.createAlarm(this, 'DriftAlarm', {
      alarmDescription:
        `exclusive-desk ${props.tenantId}: the live state is not exclusive at ${props.level} (error findings of the ` +
        `drift check; see the log group of the function)`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: rate && rate.toSeconds() <= day.toSeconds() ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmActions?.length) {
      this.alarm.addAlarmAction(...props.alarmActions);
      this.alarm.addOkAction(...props.alarmActions);
    } else {
      const reason =
        'The drift alarm has no action unless the operator passes alarmActions: its state is read by the fleet ' +
        'dashboard and report, and the deploy-time gate fails the deployment on its own.';
      Validations.of(this.alarm).acknowledge(
        { id: 'HIPAA.Security-CloudWatchAlarmAction', reason },
        { id: 'NIST.800.53.R5-CloudWatchAlarmAction', reason },
        { id: 'PCI.DSS.321-CloudWatchAlarmAction', reason },
      );
    }
  }
}
