import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { HSM_CONTROL_PLANE_METADATA, TenantHsm, type TenantHsmProps } from '../../constructs/tenant-hsm';
import { DATA_CLASSES, TenantKeys } from '../../constructs/tenant-keys';
import { EXAMPLE_TENANTS, fleetTemplates, testStack, type FleetTemplates } from '../support/fleet';

let fleet: FleetTemplates;
/** Key policies TenantKeys renders in the GovCloud tenant's account and region, by data class. */
const awsKmsPolicies: Record<string, unknown> = {};
beforeAll(() => {
  fleet = fleetTemplates();
  const stack = testStack({ account: '333333333333', region: 'us-gov-west-1' });
  new TenantKeys(stack, 'Keys', { tenantId: 'fedline-gov' });
  for (const r of Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))) {
    const c = /: (\w+) data$/.exec(r.Properties.Description as string)![1]!;
    awsKmsPolicies[c] = r.Properties.KeyPolicy;
  }
});

const t = () => fleet.templates['fedline-gov']!;
const json = () => fleet.json['fedline-gov']!;
const getAtt = (id: string, attr: string) => ({ 'Fn::GetAtt': [id, attr] });
const DATA_SUBNETS = [
  'NetworkDataVpcDataSubnet1Subnet2F2F8769',
  'NetworkDataVpcDataSubnet2Subnet24B88C7B',
  'NetworkDataVpcDataSubnet3Subnet83F710C7',
];
const SEARCH_SUBNETS = [
  'NetworkSearchVpcSearchSubnet1Subnet2A9F5326',
  'NetworkSearchVpcSearchSubnet2Subnet11E696A8',
  'NetworkSearchVpcSearchSubnet3Subnet817BEFD6',
];

describe('TenantHsm of fedline-gov', () => {
  test('creates the tenant CloudHSM cluster in the data VPC subnets, retained', () => {
    t().resourceCountIs('Custom::ExclusiveDeskHsmCluster', 1);
    t().hasResource('Custom::ExclusiveDeskHsmCluster', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        ServiceToken: getAtt('HsmProviderframeworkonEvent71E743F3', 'Arn'),
        HsmType: 'hsm2m.medium',
        SubnetIds: DATA_SUBNETS.map((s) => ({ Ref: s })),
        VpcId: { Ref: 'NetworkDataVpcCFA18697' },
        Tags: Match.arrayWith([{ Key: 'exclusive-desk:tenant', Value: 'fedline-gov' }]),
      },
    });
  });

  test('creates the custom key store on that cluster, with the kmsuser password from the stack secret', () => {
    t().hasResource('Custom::ExclusiveDeskCustomKeyStore', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: {
        ServiceToken: getAtt('HsmProviderframeworkonEvent71E743F3', 'Arn'),
        CustomKeyStoreName: 'exclusive-desk-fedline-gov',
        CloudHsmClusterId: getAtt('HsmCluster5A55A721', 'ClusterId'),
        KmsUserSecretArn: { Ref: 'HsmKmsUserSecret11DA4D44' },
      },
    });
    t().hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Metadata: { [HSM_CONTROL_PLANE_METADATA]: { reason: Match.stringLikeRegexp('cannot be encrypted by a key in that store') } },
      Properties: Match.objectLike({
        KmsKeyId: getAtt('KeysSecretsKey3899A925', 'Arn'),
        GenerateSecretString: Match.objectLike({
          GenerateStringKey: 'kmsuserPassword',
          PasswordLength: 32,
          ExcludePunctuation: true,
          SecretStringTemplate: '{"trustAnchorCertificate":""}',
        }),
      }),
    });
  });

  test.each(DATA_CLASSES)('creates the %s key in the key store, origin AWS_CLOUDHSM, retained, with the tenant key policy', (c) => {
    const policy = new Capture();
    const logicalId = `Hsm${c[0]!.toUpperCase()}${c.slice(1)}Key`;
    t().hasResource('Custom::ExclusiveDeskHsmKey', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        ServiceToken: getAtt('HsmProviderframeworkonEvent71E743F3', 'Arn'),
        Origin: 'AWS_CLOUDHSM',
        CustomKeyStoreId: getAtt('HsmKeyStore903E8483', 'CustomKeyStoreId'),
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        Description: `exclusive-desk fedline-gov: ${c} data (CloudHSM)`,
        Policy: policy,
        Tags: Match.arrayWith([{ Key: 'exclusive-desk:tenant', Value: 'fedline-gov' }]),
      },
    });
    // The same document TenantKeys renders for the same class in the same account, region and partition.
    const expected = awsKmsPolicies[c];
    expect(expected).toBeDefined();
    const matching = Object.entries(json().Resources).filter(([id, r]) => r.Type === 'Custom::ExclusiveDeskHsmKey' && id.startsWith(logicalId));
    expect(matching).toHaveLength(1);
    expect(matching[0]![1].Properties!.Policy).toEqual(expected);
    t().hasResourceProperties('AWS::KMS::Alias', {
      AliasName: `alias/exclusive-desk/fedline-gov/hsm/${c}`,
      TargetKeyId: getAtt(matching[0]![0], 'KeyId'),
    });
  });

  test('the data stores use the HSM-backed keys', () => {
    const arn = (c: string) => getAtt(`Hsm${c}Key${{ Database: 'A2CFC7FC', Search: '1CC01A29', Logs: '5FFDB259', Backup: '233326F1', Secrets: '93AEBFA3' }[c]}`, 'Arn');
    t().hasResourceProperties('AWS::RDS::DBInstance', {
      KmsKeyId: arn('Database'),
      PerformanceInsightsKMSKeyId: arn('Database'),
      MasterUserSecret: { KmsKeyId: arn('Secrets') },
    });
    t().hasResourceProperties('AWS::OpenSearchService::Domain', { EncryptionAtRestOptions: { Enabled: true, KmsKeyId: arn('Search') } });
    t().hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: arn('Backup') });
    for (const id of ['NetworkDataVpcFlowLogs2D02B121', 'NetworkSearchVpcFlowLogsF91FE6F1', 'DatabasePostgresqlLogGroupE02FE0AC', 'SearchAuditLogGroup555DFC4D']) {
      expect(json().Resources[id]!.Properties!.KmsKeyId).toEqual(arn('Logs'));
    }
  });

  test('only the marked HSM control plane stays on AWS KMS keys', () => {
    const kmsKeys = new Set(['KeysLogsKeyD24E82DB', 'KeysSecretsKey3899A925']);
    const onAwsKms = Object.entries(json().Resources)
      .filter(([, r]) => {
        const key = (r.Properties?.KmsKeyId ?? r.Properties?.EncryptionKeyArn) as { 'Fn::GetAtt'?: string[] } | undefined;
        return key?.['Fn::GetAtt'] && kmsKeys.has(key['Fn::GetAtt'][0]!);
      })
      .map(([id, r]) => [id, Object.keys((r as { Metadata?: object }).Metadata ?? {}).includes(HSM_CONTROL_PLANE_METADATA)]);
    expect(onAwsKms.sort()).toEqual([
      ['HsmHandlerLogsEE6484F9', true],
      ['HsmIsCompleteHandlerLogsF43E73CA', true],
      ['HsmKmsUserSecret11DA4D44', true],
      ['HsmProviderIsCompleteLogsE1B245FA', true],
      ['HsmProviderLogs856E4A7B', true],
      ['HsmProviderOnTimeoutLogsC9082CC7', true],
      ['HsmWaiterLogs8F9556F2', true],
    ]);
  });

  test('runs its handlers in the default-tenancy search VPC, on the latest Node.js, each logging to its own encrypted group (no LoggingConfig in GovCloud)', () => {
    const functions = Object.entries(json().Resources).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('Hsm'));
    expect(functions).toHaveLength(5);
    const groups = new Set<string>();
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ VpcConfig: { SubnetIds: SEARCH_SUBNETS.map((s) => ({ Ref: s })) } });
      expect(fn.Properties!.LoggingConfig).toBeUndefined();
      const name = fn.Properties!.FunctionName as string;
      expect(name).toMatch(/^[A-Za-z0-9-]{1,64}$/);
      // The function waits for a group named as Lambda writes to, encrypted with the tenant's AWS KMS logs key.
      const group = (fn.DependsOn as string[]).find((d) => json().Resources[d]?.Properties?.LogGroupName === `/aws/lambda/${name}`);
      expect(group).toBeDefined();
      expect(json().Resources[group!]!.Properties!.KmsKeyId).toEqual(getAtt('KeysLogsKeyD24E82DB', 'Arn'));
      groups.add(group!);
    }
    expect(groups.size).toBe(5);
    t().hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', Runtime: 'nodejs24.x' });
    t().hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete', Runtime: 'nodejs24.x' });
  });

  test('polls with a state machine that logs every execution to an encrypted group', () => {
    t().hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: getAtt('HsmWaiterLogs8F9556F2', 'Arn') } }],
        Level: 'ALL',
        IncludeExecutionData: false,
      },
    });
  });

  test('every HSM custom resource waits for the search VPC endpoints and gives up within CloudFormation\'s hour', () => {
    const endpoints = Object.entries(json().Resources)
      .filter(([, r]) => r.Type === 'AWS::EC2::VPCEndpoint' && JSON.stringify(r.Properties!.VpcId) === JSON.stringify({ Ref: 'NetworkSearchVpcBAB800E1' }))
      .map(([id]) => id);
    expect(endpoints).toHaveLength(6);
    const resources = Object.entries(json().Resources).filter(([, r]) => r.Type.startsWith('Custom::ExclusiveDesk'));
    expect(resources).toHaveLength(7);
    for (const [id, r] of resources) {
      expect([id, r.Properties!.ServiceTimeout]).toEqual([id, '3600']);
      expect([id, r.DependsOn]).toEqual([id, expect.arrayContaining(endpoints)]);
    }
  });

  test('the cluster security group admits the admin group on the CloudHSM client ports 2223-2225', () => {
    t().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: getAtt('HsmCluster5A55A721', 'SecurityGroup'),
      SourceSecurityGroupId: getAtt('NetworkAdminSecurityGroupB41D7DA7', 'GroupId'),
      IpProtocol: 'tcp',
      FromPort: 2223,
      ToPort: 2225,
    });
    t().hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: getAtt('NetworkAdminSecurityGroupB41D7DA7', 'GroupId'),
      DestinationSecurityGroupId: getAtt('HsmCluster5A55A721', 'SecurityGroup'),
      FromPort: 2223,
      ToPort: 2225,
    });
    t().hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: Match.arrayWith([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] },
      ]),
    });
    t().resourceCountIs('AWS::IAM::InstanceProfile', 1);
    for (const output of ['HsmClusterId', 'HsmKmsUserSecretArn', 'HsmAdminInstanceProfileName', 'HsmAdminSecurityGroupId']) {
      expect(Object.keys(json().Outputs as object).some((o) => o.startsWith(output))).toBe(true);
    }
  });

  test('the Provider framework reaches Step Functions through the GovCloud FIPS endpoint', () => {
    expect(json().Resources.HsmProviderframeworkonEvent71E743F3!.Properties!.Environment).toMatchObject({
      Variables: { AWS_ENDPOINT_URL_SFN: { 'Fn::Join': ['', ['https://states-fips.us-gov-west-1.', { Ref: 'AWS::URLSuffix' }]] } },
    });
  });

  test('the handler may tag the HSM keys it creates: kms:TagResource on every key of the account and region, pinned by the tenant tag', () => {
    t().hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: 'HsmHandlerRoleC7388AD4' }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'TagHsmKeysAtCreation',
            Effect: 'Allow',
            Action: 'kms:TagResource',
            Resource: 'arn:aws-us-gov:kms:us-gov-west-1:333333333333:key/*',
            Condition: { StringEquals: { 'aws:RequestTag/exclusive-desk:tenant': 'fedline-gov' } },
          },
        ]),
      },
    });
  });

  test('the handler policy is a customer-managed policy scoped by condition', () => {
    t().hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: 'HsmHandlerRoleC7388AD4' }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'CreateHsmKeys', Action: 'kms:CreateKey', Condition: { StringEquals: { 'kms:KeyOrigin': 'AWS_CLOUDHSM', 'aws:RequestedRegion': 'us-gov-west-1' } } }),
          Match.objectLike({ Sid: 'ManageHsmKeys', Resource: 'arn:aws-us-gov:kms:us-gov-west-1:333333333333:key/*', Condition: { StringEquals: { 'kms:KeyOrigin': 'AWS_CLOUDHSM' } } }),
          Match.objectLike({ Sid: 'ReadKmsUserSecret', Resource: { Ref: 'HsmKmsUserSecret11DA4D44' } }),
        ]),
      },
    });
  });
});

test.each(EXAMPLE_TENANTS.filter((id) => id !== 'fedline-gov'))('%s has no HSM resources', (id) => {
  for (const type of ['Custom::ExclusiveDeskHsmCluster', 'Custom::ExclusiveDeskCustomKeyStore', 'Custom::ExclusiveDeskHsmKey', 'AWS::StepFunctions::StateMachine']) {
    fleet.templates[id]!.resourceCountIs(type, 0);
  }
});

describe('TenantHsm props', () => {
  const build = (overrides: Partial<TenantHsmProps>) => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      natGateways: 0,
      subnetConfiguration: [{ name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const key = new kms.Key(stack, 'Key');
    return new TenantHsm(stack, 'Hsm', {
      tenantId: 'test-tenant',
      clusterVpc: vpc,
      handlerVpc: vpc,
      controlPlaneLogsKey: key,
      kmsUserSecretKey: key,
      ...overrides,
    });
  };

  test.each<[string, Partial<TenantHsmProps>, string]>([
    ['an unknown HSM type', { hsmType: 'hsm9.huge' as never }, 'hsmType must be one of hsm1.medium, hsm2m.medium, got hsm9.huge'],
    ['a 3-hour wait', { totalTimeout: Duration.hours(3) }, 'totalTimeout must be at most 55 minutes (CloudFormation gives a custom resource at most 3600 s), got 3 hours'],
    ['a 56-minute wait', { totalTimeout: Duration.minutes(56) }, 'totalTimeout must be at most 55 minutes'],
    ['an unknown phase', { phase: 'keys' as never }, 'phase must be one of cluster, complete, got keys'],
  ])('throws for %s', (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  test('phase cluster creates the cluster and the kmsuser secret, and neither the key store nor any key', () => {
    const hsm = build({ phase: 'cluster' });
    const t = Template.fromStack(Stack.of(hsm));
    t.resourceCountIs('Custom::ExclusiveDeskHsmCluster', 1);
    t.resourceCountIs('AWS::SecretsManager::Secret', 1);
    t.resourceCountIs('Custom::ExclusiveDeskCustomKeyStore', 0);
    t.resourceCountIs('Custom::ExclusiveDeskHsmKey', 0);
    expect(hsm.keyStore).toBeUndefined();
    expect(() => hsm.key('database')).toThrow('has no database key');
  });

  test('no wait exceeds CloudFormation\'s hour: 50-minute waiter, ServiceTimeout 3600 on every resource', () => {
    const t = Template.fromStack(Stack.of(build({})));
    t.allResourcesProperties('Custom::ExclusiveDeskHsmCluster', { ServiceTimeout: '3600' });
    t.allResourcesProperties('Custom::ExclusiveDeskCustomKeyStore', { ServiceTimeout: '3600' });
    t.allResourcesProperties('Custom::ExclusiveDeskHsmKey', { ServiceTimeout: '3600' });
    // The waiter state machine gives up after totalTimeout (50 minutes of 60-second polls by default).
    const definition = JSON.stringify(Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0]!.Properties.DefinitionString);
    expect(definition).toContain('\\"MaxAttempts\\":50');
  });

  test('throws when asked for a key class it did not create', () => {
    expect(() => build({ dataClasses: ['database'] }).key('search')).toThrow('TenantHsm Test/Hsm has no search key');
  });
});
