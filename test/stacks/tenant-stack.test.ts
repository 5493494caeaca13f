import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { loadManifests } from '../../lib/manifest/load';
import { COMPLIANCE_TAG, ISOLATION_TAG, TENANT_TAG, TenantStack } from '../../lib/stacks/tenant-stack';
import { EXAMPLE_TENANTS, TENANTS_DIR, TODAY, appContext, synthFleet, type SynthesizedFleet, type TemplateJson } from '../support/fleet';

let fleet: SynthesizedFleet;
beforeAll(() => {
  fleet = synthFleet();
});

const manifestOf = (id: string) => fleet.built.manifests.find((m) => m.id === id)!;

/** Every string in a template, with where it was found. */
function strings(value: unknown, at = ''): { at: string; value: string }[] {
  if (typeof value === 'string') return [{ at, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${at}.${k}`));
  return [];
}

describe.each(EXAMPLE_TENANTS)('tenant stack %s', (id) => {
  const artifact = (): CloudFormationStackArtifact => fleet.assembly.getStackByName(`ExclusiveDesk-${id}`);
  const json = (): TemplateJson => fleet.json[id]!;

  test('is one stack named ExclusiveDesk-<id> in the tenant account and region, with termination protection', () => {
    const m = manifestOf(id);
    expect(artifact().stackName).toBe(`ExclusiveDesk-${id}`);
    expect(artifact().environment).toMatchObject({ account: m.account, region: m.region });
    expect(artifact().terminationProtection).toBe(true);
  });

  test('states in its template metadata whose it is and what its licence promises', () => {
    const m = manifestOf(id);
    expect(json().Metadata?.['exclusive-desk']).toEqual({
      tenant: id,
      account: m.account,
      region: m.region,
      partition: m.partition,
      isolation: m.isolation,
      compliance: m.compliance,
      licence: { approvedBy: m.licence.approvedBy, reviewBy: m.licence.reviewBy },
      access: m.access,
    });
  });

  test('tags every taggable resource with the tenant id and level', () => {
    const m = manifestOf(id);
    const untaggable = new Set([
      'AWS::EC2::Route',
      'AWS::EC2::SubnetRouteTableAssociation',
      'AWS::EC2::SecurityGroupIngress',
      'AWS::EC2::SecurityGroupEgress',
      'AWS::EC2::VPCEndpoint',
      'AWS::IAM::ManagedPolicy',
      'AWS::IAM::Policy',
      'AWS::KMS::Alias',
      'AWS::Logs::ResourcePolicy',
      'AWS::SNS::TopicPolicy', // the alarm topic's policy (TenantMonitoring): the type has no Tags
      'AWS::Backup::BackupPlan',
      'AWS::Backup::BackupSelection',
      'AWS::CDK::Metadata',
      'Custom::VpcRestrictDefaultSG',
      'Custom::ExclusiveDeskCustomKeyStore',
      // The drift schedule's invoke permission and the deploy-time gate cannot carry tags.
      'AWS::Lambda::Permission',
      'Custom::LiveVerificationGate',
      // AWS::IAM::InstanceProfile has no Tags property (CloudFormation Template Reference); its role is tagged.
      'AWS::IAM::InstanceProfile',
    ]);
    const missing: string[] = [];
    for (const [logicalId, r] of Object.entries(json().Resources)) {
      if (untaggable.has(r.Type)) continue;
      const props = r.Properties ?? {};
      const tags = props.Tags ?? props.BackupVaultTags;
      const list = Array.isArray(tags)
        ? (tags as { Key: string; Value: string }[])
        : tags && typeof tags === 'object'
          ? Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) }))
          : [];
      const has = (k: string, v: string) => list.some((t) => t.Key === k && t.Value === v);
      if (!has(TENANT_TAG, id) || !has(ISOLATION_TAG, m.isolation)) missing.push(`${logicalId} (${r.Type})`);
    }
    expect(missing).toEqual([]);
    if (m.compliance.length > 0) {
      fleet.templates[id]!.hasResourceProperties('AWS::RDS::DBInstance', {
        Tags: Match.arrayWith([{ Key: COMPLIANCE_TAG, Value: m.compliance.join(' ') }]),
      });
    }
  });

  test('takes its availability zones from the manifest, never from a lookup', () => {
    const m = manifestOf(id);
    const zones = Object.values(json().Resources)
      .filter((r) => r.Type === 'AWS::EC2::Subnet')
      .map((r) => r.Properties!.AvailabilityZone);
    expect(new Set(zones)).toEqual(new Set(m.availabilityZones));
    expect(fleet.stacks[id]!.availabilityZones).toEqual(m.availabilityZones);
    const lookups = fleet.assembly.manifest.missing ?? [];
    expect(lookups).toEqual([]);
  });

  test('never imports a value from another stack', () => {
    expect(JSON.stringify(json()).includes('Fn::ImportValue')).toBe(false);
    for (const output of Object.values((json().Outputs ?? {}) as Record<string, { Export?: unknown }>)) {
      expect(output.Export).toBeUndefined();
    }
  });

  test('builds every ARN in its own partition', () => {
    const m = manifestOf(id);
    const partitions = strings(json().Resources).flatMap((s) =>
      [...s.value.matchAll(/(?<![a-zA-Z])arn:([a-z-]*):/g)].map((match) => ({ at: s.at, partition: match[1] })),
    );
    expect(partitions.length).toBeGreaterThan(5);
    expect(partitions.filter((p) => p.partition !== m.partition)).toEqual([]);
  });
});

describe('GovCloud', () => {
  test('the GovCloud tenant synthesizes with no literal arn:aws: anywhere', () => {
    const text = JSON.stringify(fleet.json['fedline-gov']);
    expect(text.includes('arn:aws:')).toBe(false);
    expect(text.includes('arn:aws-us-gov:iam::333333333333:root')).toBe(true);
  });

  test('no source file builds a literal arn:aws: ARN', () => {
    const root = path.resolve(__dirname, '..', '..');
    const files = ['lib/stacks/tenant-stack.ts', 'lib/app.ts', 'lib/naming.ts', ...fs.readdirSync(path.join(root, 'constructs')).filter((f) => f.startsWith('tenant-')).map((f) => `constructs/${f}`), ...fs.readdirSync(path.join(root, 'lib/hsm')).map((f) => `lib/hsm/${f}`)];
    for (const f of files) expect([f, fs.readFileSync(path.join(root, f), 'utf8').includes('arn:aws:')]).toEqual([f, false]);
  });
});

describe('pinned logical ids of stateful resources', () => {
  const common = {
    'AWS::RDS::DBInstance': ['DatabaseInstanceAA8A5FDE'],
    'AWS::RDS::DBSubnetGroup': ['DatabaseInstanceSubnetGroupDE121BB6'],
    'AWS::RDS::DBParameterGroup': ['DatabaseParameterGroup2A921026'],
    'AWS::OpenSearchService::Domain': ['SearchDomain62FD613E'],
    'AWS::Backup::BackupVault': ['DatabaseBackupVaultED8CBFE1'],
  };
  const dataSubnets = [
    'NetworkDataVpcDataSubnet1Subnet2F2F8769',
    'NetworkDataVpcDataSubnet2Subnet24B88C7B',
    'NetworkDataVpcDataSubnet3Subnet83F710C7',
  ];
  const searchSubnets = [
    'NetworkSearchVpcSearchSubnet1Subnet2A9F5326',
    'NetworkSearchVpcSearchSubnet2Subnet11E696A8',
    'NetworkSearchVpcSearchSubnet3Subnet817BEFD6',
  ];
  const allKeys = [
    'KeysBackupKey75AC2438',
    'KeysDatabaseKey04BE644A',
    'KeysLogsKeyD24E82DB',
    'KeysSearchKey893A72C8',
    'KeysSecretsKey3899A925',
  ];
  const dataLogs = [
    'DatabaseEnhancedMonitoringLogGroup765C8D08',
    'DatabasePostgresqlLogGroupE02FE0AC',
    'DatabaseUpgradeLogGroupC937990D',
    'LiveVerificationLogs320EDB2C',
    'NetworkDataVpcFlowLogs2D02B121',
    'NetworkDefaultSecurityGroupHandlerLogs9D21E417',
    'SearchApplicationLogGroup242A4B90',
    'SearchAuditLogGroup555DFC4D',
    'SearchIndexSlowLogGroupE72851E3',
    'SearchSearchSlowLogGroupBAC7F038',
  ];
  const twoVpcs = {
    'AWS::EC2::VPC': ['NetworkDataVpcCFA18697', 'NetworkSearchVpcBAB800E1'],
    'AWS::EC2::Subnet': [...dataSubnets, ...searchSubnets],
    'AWS::EC2::VPCPeeringConnection': ['NetworkDataSearchPeeringCEBCEE02'],
  };
  const hardware = {
    ...common,
    ...twoVpcs,
    'AWS::KMS::Key': allKeys,
    'AWS::Logs::LogGroup': [...dataLogs, 'NetworkSearchVpcFlowLogsF91FE6F1'].sort(),
    'AWS::SecretsManager::Secret': [],
  };
  const expected: Record<string, Record<string, string[]>> = {
    'acme-health': hardware,
    'contoso-markets': hardware,
    'northwind-bank': {
      ...common,
      'AWS::EC2::VPC': ['NetworkDataVpcCFA18697'],
      'AWS::EC2::Subnet': dataSubnets,
      'AWS::EC2::VPCPeeringConnection': [],
      'AWS::KMS::Key': allKeys,
      'AWS::Logs::LogGroup': dataLogs,
      'AWS::SecretsManager::Secret': [],
    },
    'fedline-gov': {
      ...common,
      ...twoVpcs,
      'AWS::KMS::Key': ['KeysLogsKeyD24E82DB', 'KeysSecretsKey3899A925'],
      'Custom::ExclusiveDeskHsmCluster': ['HsmCluster5A55A721'],
      'Custom::ExclusiveDeskCustomKeyStore': ['HsmKeyStore903E8483'],
      'Custom::ExclusiveDeskHsmKey': [
        'HsmBackupKey233326F1',
        'HsmDatabaseKeyA2CFC7FC',
        'HsmLogsKey5FFDB259',
        'HsmSearchKey1CC01A29',
        'HsmSecretsKey93AEBFA3',
      ],
      'AWS::SecretsManager::Secret': ['HsmKmsUserSecret11DA4D44'],
      'AWS::Logs::LogGroup': [
        ...dataLogs,
        'HsmHandlerLogsEE6484F9',
        'HsmIsCompleteHandlerLogsF43E73CA',
        'HsmProviderIsCompleteLogsE1B245FA',
        'HsmProviderLogs856E4A7B',
        'HsmProviderOnTimeoutLogsC9082CC7',
        'HsmWaiterLogs8F9556F2',
        'NetworkSearchVpcFlowLogsF91FE6F1',
      ].sort(),
    },
  };

  test.each(EXAMPLE_TENANTS)('%s keeps the logical ids of its stateful resources', (id) => {
    const actual: Record<string, string[]> = {};
    for (const type of Object.keys(expected[id]!)) {
      actual[type] = Object.entries(fleet.json[id]!.Resources)
        .filter(([, r]) => r.Type === type)
        .map(([logicalId]) => logicalId)
        .sort();
    }
    expect(actual).toEqual(expected[id]);
  });
});

describe('deletion and replacement policies', () => {
  test.each(EXAMPLE_TENANTS)('%s: snapshot for the database, retain-except-on-create for keys, domain, logs, vault, VPCs and HSM', (id) => {
    const policies: Record<string, string> = {
      'AWS::RDS::DBInstance': 'Snapshot',
      'AWS::KMS::Key': 'RetainExceptOnCreate',
      'AWS::OpenSearchService::Domain': 'RetainExceptOnCreate',
      'AWS::Logs::LogGroup': 'RetainExceptOnCreate',
      'AWS::Backup::BackupVault': 'RetainExceptOnCreate',
      'AWS::EC2::VPC': 'RetainExceptOnCreate',
      'AWS::EC2::Subnet': 'RetainExceptOnCreate',
      'AWS::SecretsManager::Secret': 'RetainExceptOnCreate',
      'Custom::ExclusiveDeskHsmCluster': 'RetainExceptOnCreate',
      'Custom::ExclusiveDeskCustomKeyStore': 'RetainExceptOnCreate',
      'Custom::ExclusiveDeskHsmKey': 'RetainExceptOnCreate',
    };
    let checked = 0;
    for (const [logicalId, r] of Object.entries(fleet.json[id]!.Resources)) {
      const want = policies[r.Type];
      if (!want) continue;
      // RetainExceptOnCreate on delete (a failed first deploy leaves nothing behind, docs/deploy.md), Retain on replace.
      expect([logicalId, r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual([logicalId, want, want === 'Snapshot' ? want : 'Retain']);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(20);
    fleet.templates[id]!.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      Properties: Match.objectLike({ DeletionProtection: true }),
    });
  });
});

describe('construction', () => {
  test('exposes the constructs other engineers attach to', () => {
    const stack = fleet.stacks['fedline-gov'] as TenantStack;
    expect(stack.keys.node.id).toBe('Keys');
    expect(stack.network.node.id).toBe('Network');
    expect(stack.database?.node.id).toBe('Database');
    expect(stack.search?.node.id).toBe('Search');
    expect(stack.hsm?.node.id).toBe('Hsm');
    expect(stack.dataKeys?.database).toBe(stack.hsm?.keys.database);
    expect((fleet.stacks['northwind-bank'] as TenantStack).hsm).toBeUndefined();
  });

  test('a stack can be built from a manifest alone', () => {
    const [m] = loadManifests(TENANTS_DIR, { today: TODAY }).filter((x) => x.id === 'northwind-bank');
    const stack = new TenantStack(new App({ context: appContext() }), { manifest: m! });
    expect(stack.stackName).toBe('ExclusiveDesk-northwind-bank');
    expect(stack.terminationProtection).toBe(true);
    expect(stack.availabilityZones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });
});
