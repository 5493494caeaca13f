import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { keyAliasName } from '../lib/naming';

/** The classes of tenant data, each protected by its own key. */
export const DATA_CLASSES = ['database', 'search', 'logs', 'backup', 'secrets'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

/**
 * AWS services whose requests on the tenant's behalf may use a key of each class (the `kms:ViaService` values,
 * without the `.<region>.<url suffix>`). The logs key is used by the CloudWatch Logs service principal instead.
 */
export const VIA_SERVICES: Readonly<Record<DataClass, readonly string[]>> = {
  database: ['rds'],
  search: ['es'],
  logs: [],
  backup: ['backup', 'rds'],
  secrets: ['secretsmanager', 'rds'],
};

/** Key administration without any cryptographic use: the tenant account administers, services use. */
export const KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

const KEY_USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/**
 * The key policy of a tenant key of one data class, in the tenant stack's own account, region and partition.
 *
 * It names only the tenant account (`arn:<partition>:iam::<account>:root`) and, for the logs key, the CloudWatch Logs
 * service principal of the tenant's region pinned to the tenant's log groups. Cryptographic use by the account is
 * only through the data class's AWS services (`kms:ViaService` + `kms:CallerAccount`). There is no `*` principal.
 * `TenantHsm` applies the same document to the HSM-backed keys, so both levels prove the same thing.
 */
export function tenantKeyPolicy(scope: Construct, dataClass: DataClass): iam.PolicyDocument {
  const stack = Stack.of(scope);
  const account = stack.account;
  const tenantRoot = new iam.ArnPrincipal(`arn:${stack.partition}:iam::${account}:root`);
  const statements = [
    new iam.PolicyStatement({
      sid: 'TenantAccountAdministersKey',
      principals: [tenantRoot],
      actions: KEY_ADMIN_ACTIONS,
      resources: ['*'],
    }),
  ];
  const via = VIA_SERVICES[dataClass].map((s) => `${s}.${stack.region}.${stack.urlSuffix}`);
  if (via.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'TenantAccountUsesKeyViaServices',
        principals: [tenantRoot],
        actions: KEY_USE_ACTIONS,
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': via, 'kms:CallerAccount': account } },
      }),
      new iam.PolicyStatement({
        sid: 'TenantAccountGrantsToServices',
        principals: [tenantRoot],
        actions: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:ViaService': via, 'kms:CallerAccount': account },
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
        },
      }),
    );
  }
  if (dataClass === 'logs') {
    // The tenant's alarm topic (TenantMonitoring) is encrypted with the logs key: CloudWatch alarms and RDS event
    // notifications publish to it and need the key for that ("Configuring AWS KMS permissions for AWS services",
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services), pinned to
    // the tenant account.
    statements.push(
      new iam.PolicyStatement({
        sid: 'TenantAlarmsPublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.rds.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    statements.push(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptsTenantLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${account}:log-group:*`,
          },
        },
      }),
    );
  }
  return new iam.PolicyDocument({ statements });
}

/** The construct id of the key of a data class (public API: it becomes the logical id). */
export function keyConstructId(dataClass: DataClass): string {
  return `${dataClass[0]!.toUpperCase()}${dataClass.slice(1)}Key`;
}

export interface TenantKeysProps {
  /** The tenant id; names the key aliases `alias/exclusive-desk/<tenant>/<class>`. */
  readonly tenantId: string;
  /**
   * The data classes to create a customer-managed key for.
   *
   * `hsm` tenants keep their data under HSM-backed keys (`TenantHsm`) and need only `logs` and `secrets` here, for
   * the HSM control plane (flow logs, handler logs, the kmsuser password) that must exist before the HSM does.
   * @default - every data class: database, search, logs, backup, secrets
   */
  readonly dataClasses?: readonly DataClass[];
  /**
   * Waiting period before a scheduled deletion of a key takes effect.
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

/**
 * Customer-managed KMS keys of one tenant, one per data class, in the tenant's own stack and account.
 *
 * Rotation is on, the keys are retained when the stack or the construct is deleted, and each key policy grants only
 * the tenant account and AWS services acting for it (see `tenantKeyPolicy`).
 */
export class TenantKeys extends Construct {
  /** The keys by data class; only the classes in `dataClasses` are present. */
  public readonly keys: Readonly<Partial<Record<DataClass, kms.Key>>>;

  constructor(scope: Construct, id: string, props: TenantKeysProps) {
    super(scope, id);
    const classes = props.dataClasses ?? DATA_CLASSES;
    const unknown = classes.filter((c) => !DATA_CLASSES.includes(c));
    if (unknown.length > 0) {
      throw new Error(`dataClasses must be drawn from ${DATA_CLASSES.join(', ')}, got ${unknown.join(', ')}`);
    }
    if (new Set(classes).size !== classes.length) {
      throw new Error(`dataClasses must not repeat a class, got ${classes.join(', ')}`);
    }
    const pendingWindow = props.pendingWindow ?? Duration.days(30);
    const days = pendingWindow.toDays();
    if (days < 7 || days > 30) throw new Error(`pendingWindow must be 7-30 days, got ${days}`);

    const keys: Partial<Record<DataClass, kms.Key>> = {};
    for (const dataClass of classes) {
      keys[dataClass] = new kms.Key(this, keyConstructId(dataClass), {
        description: `exclusive-desk ${props.tenantId}: ${dataClass} data`,
        alias: keyAliasName(props.tenantId, dataClass),
        enableKeyRotation: true,
        pendingWindow,
        policy: tenantKeyPolicy(this, dataClass),
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.keys = keys;
  }

  /** The key of a data class; throws if this construct was not asked to create it. */
  public key(dataClass: DataClass): kms.IKey {
    const key = this.keys[dataClass];
    if (!key) throw new Error(`TenantKeys ${this.node.path} has no ${dataClass} key (dataClasses excludes it)`);
    return key;
  }
}
