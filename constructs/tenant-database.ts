import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledgeFindings, managedPolicyFinding } from '../lib/compliance/acknowledgements';
import { dbInstanceIdentifier } from '../lib/naming';
import { dedicatedTenancyProblem } from '../lib/sizing';

/** The log types the instance exports to CloudWatch Logs (each into a pre-created, key-encrypted group). */
export const EXPORTED_LOGS = ['postgresql', 'upgrade'] as const;

/**
 * The account-wide log group Enhanced Monitoring writes OS metrics to. RDS creates it unencrypted on first use unless
 * it exists (the AWS-managed AmazonRDSEnhancedMonitoringRole may create and write `log-group:RDS*`:
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonRDSEnhancedMonitoringRole.html), so the
 * construct creates it first, encrypted with the tenant's logs key. One per account and region: the tenant account
 * holds one database.
 */
export const ENHANCED_MONITORING_LOG_GROUP = 'RDSOSMetrics';

/** The PostgreSQL port (explicit, so security-group rules hold a literal port). */
export const POSTGRES_PORT = 5432;

export interface TenantDatabaseProps {
  /**
   * The tenant id; derives the DBInstanceIdentifier `exclusive-desk-<id>` and so the exported log group names.
   *
   * IMPORTANT: changing it replaces the DB instance.
   */
  readonly tenantId: string;
  /** The tenant's VPC for the instance. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the DB subnet group.
   * @default - the isolated subnets of `vpc`
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Whether `vpc` runs on dedicated hardware (`InstanceTenancy: dedicated`); then only instance classes offered
   * for dedicated tenancy are accepted.
   * @default - read from `vpc` when it is an `ec2.Vpc` of this app, otherwise false
   */
  readonly dedicatedTenancy?: boolean;
  /**
   * Instance type without the `db.` prefix, e.g. `ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE)`.
   * @default r6g.large
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * PostgreSQL major version (16 or later). A later major version in an update is a major version upgrade:
   * the instance allows it (`AllowMajorVersionUpgrade`) and gets a parameter group of the new family, created
   * under its own logical id before the instance switches to it (RDS requires a parameter group of the new family
   * in the same ModifyDBInstance call when a custom group is in use).
   * @default rds.PostgresEngineVersion.VER_16
   */
  readonly engineVersion?: rds.PostgresEngineVersion;
  /**
   * Initial storage in GiB (gp3).
   * @default 100
   */
  readonly allocatedStorageGiB?: number;
  /**
   * Storage autoscaling ceiling in GiB.
   * @default - 4 x allocatedStorageGiB
   */
  readonly maxAllocatedStorageGiB?: number;
  /**
   * Engine parameters of the per-tenant parameter group (memory and connection settings, see `postgresParameters`).
   * `rds.force_ssl` is always `1` and may not be set otherwise.
   * @default - `rds.force_ssl=1` only
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /** The tenant key for storage and Performance Insights. */
  readonly storageKey: kms.IKey;
  /** The tenant key for the RDS-managed master user secret. */
  readonly secretKey: kms.IKey;
  /** The tenant key for the exported log groups. */
  readonly logsKey: kms.IKey;
  /** The tenant key for the AWS Backup vault. */
  readonly backupKey: kms.IKey;
  /**
   * The tenant's own security groups that may connect to the database port. No other source is admitted.
   * @default - none (nothing can connect until a tenant security group is allowed)
   */
  readonly allowedClients?: readonly ec2.ISecurityGroup[];
  /**
   * Automated backup retention, 7-35 days: RDS owns the point-in-time-recovery window (`BackupRetentionPeriod`).
   * The AWS Backup plan takes daily snapshots into the tenant vault and keeps them as long; it runs no continuous
   * backup, which would take the retention over from RDS (see the class comment).
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;
  /**
   * Retention of the exported log groups.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Enhanced Monitoring interval.
   * @default Duration.seconds(60)
   */
  readonly monitoringInterval?: Duration;
}

/**
 * One RDS for PostgreSQL DB instance of one tenant (never a shared cluster): Multi-AZ, encrypted with the tenant's
 * keys (storage, Performance Insights, RDS-managed master secret, exported logs, Enhanced Monitoring's log group),
 * private, IAM authentication, TLS enforced by a per-tenant parameter group, deletion protection, snapshot on
 * removal, and an AWS Backup plan into a vault encrypted with the tenant's backup key.
 *
 * Backup retention has one owner, RDS. With AWS Backup continuous backup on, AWS Backup manages the instance's
 * automated backups: its retention can then only be changed through the backup plan ("You must use your backup plan
 * to increase or decrease the retention period", AWS Backup Developer Guide, Changing your retention period:
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery-retention-period.html; and "If you
 * manage your backups in AWS Backup, you can't enable automated backups", RDS User Guide, Enabling automated
 * backups), so a later `BackupRetentionPeriod` change in this template would fail. The plan therefore takes daily
 * snapshots only (manual snapshots to RDS, independent of the retention period) and RDS keeps point-in-time
 * recovery for `backupRetention` days.
 */
export class TenantDatabase extends Construct {
  public readonly instance: rds.DatabaseInstance;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly parameterGroup: rds.ParameterGroup;
  /** The exported log groups by log type. */
  public readonly logGroups: Readonly<Record<(typeof EXPORTED_LOGS)[number], logs.LogGroup>>;
  /** Enhanced Monitoring's `RDSOSMetrics` group, created encrypted with the tenant logs key. */
  public readonly enhancedMonitoringLogGroup: logs.LogGroup;
  public readonly backupVault: backup.BackupVault;
  public readonly backupPlan: backup.BackupPlan;
  /** The DBInstanceIdentifier. */
  public readonly instanceIdentifier: string;

  constructor(scope: Construct, id: string, props: TenantDatabaseProps) {
    super(scope, id);
    const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);
    const instanceClass = `db.${instanceType.toString()}`;
    const dedicated = props.dedicatedTenancy ?? vpcIsDedicated(props.vpc);
    if (dedicated) {
      const problem = dedicatedTenancyProblem(instanceClass);
      if (problem) throw new Error(`instanceType: ${problem}`);
    }
    if (/^db\.serverless/.test(instanceClass)) {
      throw new Error(`instanceType must be a provisioned RDS instance class, got ${instanceClass}`);
    }
    const engineVersion = props.engineVersion ?? rds.PostgresEngineVersion.VER_16;
    const major = Number(engineVersion.postgresMajorVersion);
    if (!(major >= 16)) {
      throw new Error(`engineVersion must be PostgreSQL 16 or later, got ${engineVersion.postgresFullVersion}`);
    }
    const retention = props.backupRetention ?? Duration.days(7);
    const retentionDays = retention.toDays();
    if (retentionDays < 7 || retentionDays > 35) {
      throw new Error(`backupRetention must be 7-35 days, got ${retentionDays}`);
    }
    const storage = props.allocatedStorageGiB ?? 100;
    if (!Number.isInteger(storage) || storage < 20 || storage > 65_536) {
      throw new Error(`allocatedStorageGiB must be a whole number 20-65536, got ${storage}`);
    }
    const maxStorage = props.maxAllocatedStorageGiB ?? storage * 4;
    if (maxStorage < storage) {
      throw new Error(`maxAllocatedStorageGiB must be at least allocatedStorageGiB (${storage}), got ${maxStorage}`);
    }
    const forceSsl = props.parameters?.['rds.force_ssl'];
    if (forceSsl !== undefined && forceSsl !== '1') {
      throw new Error(`parameters must keep rds.force_ssl at 1 (TLS only), got rds.force_ssl=${forceSsl}`);
    }

    this.instanceIdentifier = dbInstanceIdentifier(props.tenantId);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const engine = rds.DatabaseInstanceEngine.postgres({ version: engineVersion });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Tenant ${props.tenantId} database - ingress only from the tenant security groups`,
      allowAllOutbound: false,
    });

    // The family is part of the logical id (16 keeps the original id): a major version change adds the new family's
    // group, CloudFormation creates it before it updates the instance (the Ref is a dependency), and deletes the old
    // group in its cleanup phase, when nothing uses it any more. RDS: "For major version upgrades, if a nondefault DB
    // parameter group is currently in use, a new DB parameter group in the DB parameter group family for the new
    // engine version must be specified" (ModifyDBInstance, EngineVersion:
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html).
    this.parameterGroup = new rds.ParameterGroup(this, major === 16 ? 'ParameterGroup' : `ParameterGroupPostgres${major}`, {
      engine,
      description: `exclusive-desk ${props.tenantId}: TLS only, sized for the tenant workload`,
      parameters: { ...props.parameters, 'rds.force_ssl': '1' },
    });

    // RDS creates /aws/rds/instance/<id>/<log> unencrypted on first export unless the group already exists.
    const logGroups = {} as Record<(typeof EXPORTED_LOGS)[number], logs.LogGroup>;
    for (const log of EXPORTED_LOGS) {
      logGroups[log] = new logs.LogGroup(this, `${log[0]!.toUpperCase()}${log.slice(1)}LogGroup`, {
        logGroupName: `/aws/rds/instance/${this.instanceIdentifier}/${log}`,
        encryptionKey: props.logsKey,
        retention: logRetention,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.logGroups = logGroups;
    this.enhancedMonitoringLogGroup = new logs.LogGroup(this, 'EnhancedMonitoringLogGroup', {
      logGroupName: ENHANCED_MONITORING_LOG_GROUP,
      encryptionKey: props.logsKey,
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      instanceIdentifier: this.instanceIdentifier,
      engine,
      // Major version upgrades happen only when the manifest's postgresMajorVersion changes; without this RDS
      // rejects the EngineVersion change ("Major version upgrades must be allowed when specifying a value for the
      // EngineVersion parameter that's a different major version", ModifyDBInstance, AllowMajorVersionUpgrade).
      allowMajorVersionUpgrade: true,
      port: POSTGRES_PORT,
      instanceType,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      multiAz: true,
      credentials: rds.Credentials.fromUsername('deskadmin', { encryptionKey: props.secretKey }),
      manageMasterUserPassword: true,
      storageEncrypted: true,
      storageEncryptionKey: props.storageKey,
      storageType: rds.StorageType.GP3,
      allocatedStorage: storage,
      maxAllocatedStorage: maxStorage,
      iamAuthentication: true,
      parameterGroup: this.parameterGroup,
      cloudwatchLogsExports: [...EXPORTED_LOGS],
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.storageKey,
      monitoringInterval: props.monitoringInterval ?? Duration.seconds(60),
      backupRetention: retention,
      deleteAutomatedBackups: false,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    for (const group of [...Object.values(logGroups), this.enhancedMonitoringLogGroup]) this.instance.node.addDependency(group);
    for (const client of props.allowedClients ?? []) {
      this.instance.connections.allowFrom(client, ec2.Port.tcp(POSTGRES_PORT), `Tenant ${props.tenantId} client security group`);
    }

    this.backupVault = new backup.BackupVault(this, 'BackupVault', {
      // IMPORTANT: the name is the vault's identity (changing it replaces the vault). It is derived from the tenant
      // id, not from the construct path, so moving the stack into a pipeline Stage keeps the same vault.
      backupVaultName: `exclusive-desk-${props.tenantId}`,
      encryptionKey: props.backupKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backupPlan = new backup.BackupPlan(this, 'BackupPlan', {
      backupVault: this.backupVault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
          deleteAfter: retention,
        }),
      ],
    });
    const selection = this.backupPlan.addSelection('Database', {
      resources: [backup.BackupResource.fromRdsDatabaseInstance(this.instance)],
    });

    acknowledgeFindings(
      this.instance,
      ['AwsSolutions-RDS11'],
      'The default PostgreSQL port is kept: a non-default port is obscurity, not a control; the security group ' +
        'admits only the tenant security groups and rds.force_ssl requires TLS',
    );
    acknowledgeFindings(
      this.instance.node.findChild('MonitoringRole'),
      [managedPolicyFinding('service-role/AmazonRDSEnhancedMonitoringRole')],
      'Enhanced Monitoring requires this AWS-maintained policy; it only writes the RDSOSMetrics log group',
    );
    acknowledgeFindings(
      selection.node.findChild('Role'),
      [managedPolicyFinding('service-role/AWSBackupServiceRolePolicyForBackup')],
      'AWS Backup selection role with the AWS-maintained backup policy, assumable only by AWS Backup; ' +
        'the recovery points land in the tenant vault encrypted with the tenant backup key',
    );
  }
}

/** Whether a VPC of this app was declared with `InstanceTenancy: dedicated`. */
function vpcIsDedicated(vpc: ec2.IVpc): boolean {
  const cfn = vpc.node.defaultChild;
  if (cfn instanceof ec2.CfnVPC) {
    const tenancy = cfn.instanceTenancy;
    return !Token.isUnresolved(tenancy) && tenancy === 'dedicated';
  }
  return false;
}
