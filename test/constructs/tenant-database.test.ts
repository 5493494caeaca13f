import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TenantDatabase, type TenantDatabaseProps } from '../../constructs/tenant-database';
import type { CfnTemplate } from '../../lib/assembly/read';
import { guardTemplates } from '../../lib/guard';
import { fleetTemplates, testStack, type FleetTemplates } from '../support/fleet';

let fleet: FleetTemplates;
beforeAll(() => {
  fleet = fleetTemplates();
});

const keyArn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

describe.each([
  ['northwind-bank', 'account', 'db.m6g.large', { database: 'KeysDatabaseKey04BE644A', secrets: 'KeysSecretsKey3899A925', logs: 'KeysLogsKeyD24E82DB', backup: 'KeysBackupKey75AC2438' }],
  ['acme-health', 'hardware', 'db.r6g.large', { database: 'KeysDatabaseKey04BE644A', secrets: 'KeysSecretsKey3899A925', logs: 'KeysLogsKeyD24E82DB', backup: 'KeysBackupKey75AC2438' }],
  ['contoso-markets', 'hardware', 'db.m6g.large', { database: 'KeysDatabaseKey04BE644A', secrets: 'KeysSecretsKey3899A925', logs: 'KeysLogsKeyD24E82DB', backup: 'KeysBackupKey75AC2438' }],
  ['fedline-gov', 'hsm', 'db.r6g.2xlarge', { database: 'HsmDatabaseKeyA2CFC7FC', secrets: 'HsmSecretsKey93AEBFA3', logs: 'HsmLogsKey5FFDB259', backup: 'HsmBackupKey233326F1' }],
] as const)('TenantDatabase of %s (%s)', (id, _level, instanceClass, keys) => {
  const t = () => fleet.templates[id]!;
  const identifier = `exclusive-desk-${id}`;

  test('is one PostgreSQL 16 DB instance, never a cluster', () => {
    t().resourceCountIs('AWS::RDS::DBInstance', 1);
    t().resourceCountIs('AWS::RDS::DBCluster', 0);
    t().hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: '16',
      DBInstanceClass: instanceClass,
      DBInstanceIdentifier: identifier,
    });
  });

  test('encrypts storage, Performance Insights and the RDS-managed master secret with the tenant keys', () => {
    t().hasResourceProperties('AWS::RDS::DBInstance', {
      StorageEncrypted: true,
      KmsKeyId: keyArn(keys.database),
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: keyArn(keys.database),
      ManageMasterUserPassword: true,
      MasterUserSecret: { KmsKeyId: keyArn(keys.secrets) },
      MasterUsername: 'deskadmin',
    });
    const props = fleet.json[id]!.Resources.DatabaseInstanceAA8A5FDE!.Properties!;
    expect(props.MasterUserPassword).toBeUndefined();
  });

  test('is private, Multi-AZ, IAM-authenticated, deletion-protected and snapshotted on removal', () => {
    t().hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: Match.objectLike({
        PubliclyAccessible: false,
        MultiAZ: true,
        EnableIAMDatabaseAuthentication: true,
        DeletionProtection: true,
        BackupRetentionPeriod: 35,
        DeleteAutomatedBackups: false,
        AutoMinorVersionUpgrade: true,
        AllowMajorVersionUpgrade: true,
        MonitoringInterval: 60,
        StorageType: 'gp3',
      }),
    });
  });

  test('pre-creates its exported log groups, encrypted with the tenant logs key', () => {
    t().hasResourceProperties('AWS::RDS::DBInstance', { EnableCloudwatchLogsExports: ['postgresql', 'upgrade'] });
    for (const [log, logicalId] of [
      ['postgresql', 'DatabasePostgresqlLogGroupE02FE0AC'],
      ['upgrade', 'DatabaseUpgradeLogGroupC937990D'],
    ]) {
      t().hasResource('AWS::Logs::LogGroup', {
        DeletionPolicy: 'RetainExceptOnCreate',
        Properties: Match.objectLike({ LogGroupName: `/aws/rds/instance/${identifier}/${log}`, KmsKeyId: keyArn(keys.logs) }),
      });
      t().hasResource('AWS::RDS::DBInstance', { DependsOn: Match.arrayWith([logicalId]) });
    }
  });

  test("creates Enhanced Monitoring's RDSOSMetrics group first, encrypted with the tenant logs key", () => {
    t().hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: Match.objectLike({ LogGroupName: 'RDSOSMetrics', KmsKeyId: keyArn(keys.logs) }),
    });
    t().hasResource('AWS::RDS::DBInstance', { DependsOn: Match.arrayWith(['DatabaseEnhancedMonitoringLogGroup765C8D08']) });
  });

  test('admits only the tenant application security group, on 5432', () => {
    // Every rule into the database group (other groups, e.g. the HSM cluster's admin rule, are not the database's).
    const intoDatabase = Object.values(t().findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': ['DatabaseSecurityGroup5C91FDCB', 'GroupId'] }),
    );
    expect(intoDatabase.length).toBeGreaterThan(0);
    t().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': ['DatabaseSecurityGroup5C91FDCB', 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': ['NetworkAppSecurityGroupE3807721', 'GroupId'] },
      FromPort: 5432,
      ToPort: 5432,
    });
    for (const r of intoDatabase) {
      expect(r.Properties.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': ['NetworkAppSecurityGroupE3807721', 'GroupId'] });
    }
    t().hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('database'),
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('uses its own parameter group that forces TLS, with memory settings that follow the class', () => {
    t().hasResourceProperties('AWS::RDS::DBInstance', { DBParameterGroupName: { Ref: 'DatabaseParameterGroup2A921026' } });
    t().hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres16',
      Parameters: Match.objectLike({
        'rds.force_ssl': '1',
        max_connections: Match.stringLikeRegexp('^\\d+$'),
        shared_buffers: '{DBInstanceClassMemory/32768}',
        effective_cache_size: '{DBInstanceClassMemory*3/32768}',
        work_mem: Match.stringLikeRegexp('^LEAST\\(\\{DBInstanceClassMemory/\\d+\\},65536\\)$'),
        autovacuum_work_mem: 'LEAST({DBInstanceClassMemory/65536},1048576)',
        random_page_cost: '1.1',
        effective_io_concurrency: '200',
        log_lock_waits: '1',
        idle_in_transaction_session_timeout: '300000',
      }),
    });
  });

  test('every example tenant is regulated, so pgAudit logs DDL and role changes', () => {
    t().hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: Match.objectLike({
        shared_preload_libraries: 'pg_stat_statements,pgaudit',
        'pgaudit.log': 'ddl,role',
        'pgaudit.role': 'rds_pgaudit',
      }),
    });
  });

  test('backs up daily into an AWS Backup vault encrypted with the tenant backup key', () => {
    t().hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: Match.objectLike({ EncryptionKeyArn: keyArn(keys.backup) }),
    });
    t().hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            TargetBackupVault: { 'Fn::GetAtt': ['DatabaseBackupVaultED8CBFE1', 'BackupVaultName'] },
            Lifecycle: { DeleteAfterDays: 35 },
            EnableContinuousBackup: Match.absent(),
          }),
        ],
      },
    });
    t().hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [Match.objectLike({ 'Fn::Join': Match.anyValue() })] }),
    });
  });
});

test.each([
  ['acme-health', '116'], // 300 agents: 6 app tasks + 2 workers x 10 + 36 headroom
  ['fedline-gov', '284'], // 1000 agents: 20 app tasks + 2 workers x 10 + 64 headroom
  ['northwind-bank', '68'],
])('%s: max_connections is its connection budget (%s)', (id, connections) => {
  fleet.templates[id]!.hasResourceProperties('AWS::RDS::DBParameterGroup', {
    Parameters: Match.objectLike({ max_connections: connections }),
  });
});

describe('TenantDatabase props', () => {
  const build = (overrides: Partial<TenantDatabaseProps>, dedicated = true) => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      natGateways: 0,
      defaultInstanceTenancy: dedicated ? ec2.DefaultInstanceTenancy.DEDICATED : ec2.DefaultInstanceTenancy.DEFAULT,
      subnetConfiguration: [{ name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const key = new kms.Key(stack, 'Key');
    new TenantDatabase(stack, 'Database', {
      tenantId: 'test-tenant',
      vpc,
      storageKey: key,
      secretKey: key,
      logsKey: key,
      backupKey: key,
      ...overrides,
    });
    return Template.fromStack(stack);
  };

  test.each<[string, Partial<TenantDatabaseProps>, RegExp]>([
    ['a burstable class in a dedicated VPC', { instanceType: new ec2.InstanceType('t4g.large') }, /^instanceType: instanceClass "db\.t4g\.large" cannot run in a dedicated-tenancy VPC: burstable \(db\.t\*\) classes are not offered for dedicated tenancy; allowed families: db\.m5\.\*/],
    ['a previous generation in a dedicated VPC', { instanceType: new ec2.InstanceType('m4.large') }, /instanceClass "db\.m4\.large" cannot run in a dedicated-tenancy VPC: it is a previous-generation/],
    ['3 days of backups', { backupRetention: Duration.days(3) }, /^backupRetention must be 7-35 days, got 3$/],
    ['36 days of backups', { backupRetention: Duration.days(36) }, /^backupRetention must be 7-35 days, got 36$/],
    ['PostgreSQL 15', { engineVersion: rds.PostgresEngineVersion.VER_15 }, /^engineVersion must be PostgreSQL 16 or later, got 15/],
    ['TLS switched off', { parameters: { 'rds.force_ssl': '0' } }, /^parameters must keep rds\.force_ssl at 1 \(TLS only\), got rds\.force_ssl=0$/],
    ['10 GiB of storage', { allocatedStorageGiB: 10 }, /^allocatedStorageGiB must be a whole number 20-65536, got 10$/],
    ['a storage ceiling below the storage', { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 }, /^maxAllocatedStorageGiB must be at least allocatedStorageGiB \(100\), got 50$/],
  ])('throws for %s', (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  test('reads dedicated tenancy from the VPC, so a burstable class is fine in a default-tenancy VPC', () => {
    build({ instanceType: new ec2.InstanceType('t4g.large') }, false).hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.t4g.large',
    });
  });

  test('defaults: r6g.large, 7 days of backups, no client admitted', () => {
    const t = build({});
    t.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r6g.large', BackupRetentionPeriod: 7 });
    t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });
});

test('names the backup vault after the tenant, not the construct path, so a move into a pipeline stage keeps it', () => {
  for (const id of ['acme-health', 'northwind-bank']) {
    fleet.templates[id]!.hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: `exclusive-desk-${id}` });
  }
});

describe('postgresMajorVersion upgrades', () => {
  const synth = (engineVersion: rds.PostgresEngineVersion, backupRetention = Duration.days(7)) => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      natGateways: 0,
      subnetConfiguration: [{ name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const key = new kms.Key(stack, 'Key');
    new TenantDatabase(stack, 'Database', {
      tenantId: 'test-tenant',
      vpc,
      storageKey: key,
      secretKey: key,
      logsKey: key,
      backupKey: key,
      engineVersion,
      backupRetention,
    });
    return Template.fromStack(stack);
  };
  let v16: Template;
  let v17: Template;
  beforeAll(() => {
    v16 = synth(rds.PostgresEngineVersion.VER_16);
    v17 = synth(rds.PostgresEngineVersion.VER_17);
  });

  test('the new major version brings its own family parameter group under its own logical id', () => {
    v17.resourceCountIs('AWS::RDS::DBParameterGroup', 1);
    v17.templateMatches({
      Resources: { DatabaseParameterGroupPostgres1761431801: Match.objectLike({ Properties: Match.objectLike({ Family: 'postgres17' }) }) },
    });
    v17.hasResourceProperties('AWS::RDS::DBInstance', {
      EngineVersion: '17',
      AllowMajorVersionUpgrade: true,
      DBParameterGroupName: { Ref: 'DatabaseParameterGroupPostgres1761431801' },
    });
    v16.templateMatches({
      Resources: { DatabaseParameterGroup2A921026: Match.objectLike({ Properties: Match.objectLike({ Family: 'postgres16' }) }) },
    });
  });

  test('the guard sees 16 -> 17 as an in-place update of the instance, not a replacement', () => {
    const report = guardTemplates(
      [{ stackName: 'Test', template: v16.toJSON() as CfnTemplate, file: 'v16' }],
      [{ stackName: 'Test', template: v17.toJSON() as CfnTemplate, file: 'v17' }],
    );
    expect(report.findings).toEqual([]);
    expect(report.passed).toBe(true);
    const update = report.updates.find((u) => u.type === 'AWS::RDS::DBInstance');
    expect(update?.properties).toEqual(expect.arrayContaining(['EngineVersion', 'DBParameterGroupName']));
    expect(update?.notes?.[0]).toMatch(/^DBParameterGroupName: CloudFormation updates the parameter group/);
  });

  test('one owner of backup retention: a retention change touches RDS and the snapshot rule only, no continuous backup', () => {
    const longer = synth(rds.PostgresEngineVersion.VER_16, Duration.days(21));
    longer.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 21 });
    longer.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 21 }, EnableContinuousBackup: Match.absent() })] },
    });
    const report = guardTemplates(
      [{ stackName: 'Test', template: v16.toJSON() as CfnTemplate, file: 'a' }],
      [{ stackName: 'Test', template: longer.toJSON() as CfnTemplate, file: 'b' }],
    );
    expect(report.passed).toBe(true);
    expect(report.updates.map((u) => [u.logicalId, u.properties])).toEqual([['DatabaseInstanceAA8A5FDE', ['BackupRetentionPeriod']]]);
  });
});
