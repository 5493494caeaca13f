/**
 * Every rule: compliant, non-compliant, could-not-verify and not-applicable cases on hand-written templates.
 * The compliant baseline is a vendor-style genuine hardware-level tenant (fixtures/isolation/genuine-hardware.yaml).
 */
import type { Finding } from '../../lib/isolation/rule';
import { findingsOf, genuine, GENUINE, GENUINE_ACCOUNT as ACCOUNT, ruleResult, statusOf, type TenantSpec, tpl, verify } from './support';

const EMPTY: TenantSpec = { account: ACCOUNT, templates: [tpl({ Topic: { Type: 'AWS::SNS::Topic' } })] };

describe('the genuine hardware layout', () => {
  test('passes every isolation rule and reaches hardware', () => {
    const [v] = verify(genuine());
    expect(v!.findings).toEqual([]);
    expect(v!.achieved).toBe('hardware');
    expect(v!.verdict).toBe('pass');
  });
});

// Each row: rule, a template change that violates it, and a fragment of the expected message.
describe.each([
  ['ISO-DATA-3', { 'Database.Properties.SourceDBInstanceIdentifier': 'arn:aws:rds:eu-west-1:999999999999:db:platform-primary' }, 'read replica of'],
  ['ISO-DATA-4', { 'Database.Properties.Tags': [{ Key: 'x', Value: 'shared.cluster-abc.eu-west-1.rds.amazonaws.com' }] }, 'names the data store'],
  ['ISO-DATA-5', { Collection: { Type: 'AWS::OpenSearchServerless::Collection', Properties: { Name: 'c' } } }, 'OpenSearch Serverless'],
  ['ISO-COMP-1', { Svc: { Type: 'AWS::ECS::Service', Properties: { Cluster: 'arn:aws:ecs:eu-west-1:555555555555:cluster/platform' } } }, 'which the tenant\'s templates do not define'],
  ['ISO-COMP-2', { Ng: { Type: 'AWS::EKS::Nodegroup', Properties: { ClusterName: 'platform-eks', NodeRole: 'r', Subnets: [{ Ref: 'DataSubnetA' }] } } }, 'EKS cluster'],
  ['ISO-KMS-1', { 'Database.Properties.KmsKeyId': 'alias/aws/rds' }, 'AWS-managed key'],
  ['ISO-KMS-2', { 'SearchKey.Properties.KeyPolicy.Statement': [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'kms:*', Resource: '*' }] }, 'grants "arn:aws:iam::999999999999:root"'],
  ['ISO-NET-1', { 'Database.Properties.DBSubnetGroupName': undefined }, "default VPC"],
  ['ISO-NET-2', { 'AppSecurityGroup.Properties.VpcId': 'vpc-0abc0abc0abc0abc0' }, 'a network the tenant'],
  ['ISO-NET-3', { Share: { Type: 'AWS::RAM::ResourceShare', Properties: { Name: 's', Principals: ['999999999999'], ResourceArns: [] } } }, 'through RAM'],
  ['ISO-NET-4', { 'Peering.Properties.PeerVpcId': 'vpc-0f00ba4c0ffee1234' }, 'peers with'],
  ['ISO-NET-5', { 'DbSecurityGroup.Properties.SecurityGroupIngress': [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '0.0.0.0/0' }] }, 'the whole internet'],
  ['ISO-NET-6', { 'Database.Properties.PubliclyAccessible': true }, 'publicly accessible'],
  ['ISO-REF-1', { 'DbSecurityGroup.Properties.VpcId': { 'Fn::ImportValue': 'platform-vpc' } }, 'which no stack of the tenant exports'],
  ['ISO-REF-2', { 'FlowLogRole.Properties.ManagedPolicyArns': ['arn:aws:iam::999999999999:policy/platform'] }, 'not the tenant'],
  ['ISO-SRCH-1', { 'SearchDomain.Properties.AccessPolicies.Statement': [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'es:*', Resource: '*' }] }, 'admits "arn:aws:iam::999999999999:root"'],
  ['ISO-HW-1', { 'DataVpc.Properties.InstanceTenancy': 'default' }, 'default (shared-hardware) tenancy'],
  ['ISO-TPL-1', { '$.Transform': 'AWS::Serverless-2016-10-31' }, 'transform'],
  ['ISO-DATA-6', { Archive: { Type: 'AWS::S3::Bucket', Properties: { ReplicationConfiguration: { Role: 'r', Rules: [{ Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::vendor-central-archive' } }] } } } }, "replicates the tenant's objects to \"arn:aws:s3:::vendor-central-archive\", a bucket the tenant's templates do not define"],
  ['ISO-REF-2', { Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { QUEUE: 'https://sqs.eu-west-1.amazonaws.com/999999999999/shared-ingest' } } } } }, 'names the SQS queue https://sqs.eu-west-1.amazonaws.com/999999999999/shared-ingest of account 999999999999'],
  ['ISO-TPL-1', { 'Database.Properties.Tags': [{ Key: 'k', Value: { 'Fn::Join': ['', [{ 'Fn::Transform': { Name: 'Upper' } }]] } }] }, 'Database uses Fn::Transform'],
])('%s', (rule, change, message) => {
  test('passes on the genuine layout', () => {
    expect(['pass', 'not-applicable', 'warning']).toContain(statusOf(rule, genuine()));
    expect(findingsOf(rule, genuine()).filter((f) => f.severity === 'error')).toEqual([]);
  });
  test('fails on the fake, naming the resource', () => {
    const findings = findingsOf(rule, genuine(change as Record<string, unknown>)).filter((f) => f.severity === 'error');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.map((f) => f.message).join('\n')).toContain(message);
    expect(findings[0]!.resource).toBeTruthy();
    expect(findings[0]!.remediation.length).toBeGreaterThan(10);
  });
});

describe('could not verify: a value the verifier cannot follow is a failing finding, never a pass', () => {
  const withParam = (name: string, type: string, changes: Record<string, unknown>): TenantSpec =>
    genuine({ ...changes, [`$.Parameters.${name}`]: { Type: type } });
  test.each([
    ['ISO-KMS-1', withParam('DbKey', 'String', { 'Database.Properties.KmsKeyId': { Ref: 'DbKey' } })],
    ['ISO-NET-1', withParam('Subnets', 'List<AWS::EC2::Subnet::Id>', { 'DbSubnetGroup.Properties.SubnetIds': { Ref: 'Subnets' } })],
    ['ISO-NET-2', withParam('Vpc', 'AWS::EC2::VPC::Id', { 'AppSecurityGroup.Properties.VpcId': { Ref: 'Vpc' } })],
    ['ISO-NET-4', withParam('Peer', 'AWS::EC2::VPC::Id', { 'Peering.Properties.PeerVpcId': { Ref: 'Peer' } })],
    ['ISO-NET-6', withParam('Public', 'String', { 'Database.Properties.PubliclyAccessible': { Ref: 'Public' } })],
    ['ISO-COMP-1', withParam('Cluster', 'String', { Svc: { Type: 'AWS::ECS::Service', Properties: { Cluster: { Ref: 'Cluster' } } } })],
    ['ISO-DATA-3', withParam('Src', 'String', { 'Database.Properties.SourceDBInstanceIdentifier': { Ref: 'Src' } })],
    ['ISO-HW-1', withParam('Tenancy', 'String', { 'DataVpc.Properties.InstanceTenancy': { Ref: 'Tenancy' } })],
  ])('%s', (rule, spec) => {
    expect(statusOf(rule, spec)).toBe('unverifiable');
    const [v] = verify(spec);
    expect(v!.verdict).toBe('fail');
    expect(findingsOf(rule, spec)[0]!.message).toMatch(/^could not verify/);
  });

  test('a parameter with AllowedValues is checked value by value', () => {
    const spec = genuine({ '$.Parameters.Public': { Type: 'String', AllowedValues: ['false', 'true'] }, 'Database.Properties.PubliclyAccessible': { Ref: 'Public' } });
    expect(statusOf('ISO-NET-6', spec)).toBe('fail');
    const safe = genuine({ '$.Parameters.Public': { Type: 'String', AllowedValues: ['false'] }, 'Database.Properties.PubliclyAccessible': { Ref: 'Public' } });
    expect(statusOf('ISO-NET-6', safe)).toBe('pass');
  });

  test('an unknown tenant account leaves account isolation unproven', () => {
    const spec: TenantSpec = { templates: [GENUINE], declared: 'account' };
    const [v] = verify({ ...spec, account: undefined });
    expect(v!.achieved).toBe('network');
    expect(v!.verdict).toBe('fail');
  });
});

describe('not applicable is distinct from compliant', () => {
  test.each(['ISO-DATA-3', 'ISO-COMP-1', 'ISO-COMP-2', 'ISO-KMS-1', 'ISO-NET-1', 'ISO-NET-6', 'ISO-SRCH-1', 'ISO-HW-1', 'ISO-HSM-1'])(
    '%s matches nothing in a template without its resources',
    (rule) => {
      expect(statusOf(rule, EMPTY)).toBe('not-applicable');
    },
  );
  test('the data-store rules fail closed when the template defines no database or domain', () => {
    expect(statusOf('ISO-DATA-1', EMPTY)).toBe('fail');
    expect(statusOf('ISO-DATA-2', EMPTY)).toBe('fail');
  });
});

describe('keys', () => {
  test.each([
    ['no key (the AWS-managed default)', { 'Database.Properties.KmsKeyId': undefined }, 'names no key'],
    ['a literal key ARN', { 'Database.Properties.KmsKeyId': 'arn:aws:kms:eu-west-1:555555555555:key/1234abcd-12ab-34cd-56ef-1234567890ab' }, 'do not define'],
    ['an AWS-managed alias ARN', { 'SearchDomain.Properties.EncryptionAtRestOptions.KmsKeyId': 'arn:aws:kms:eu-west-1:555555555555:alias/aws/es' }, 'AWS-managed'],
    ['storage not encrypted', { 'Database.Properties.StorageEncrypted': false, 'Database.Properties.KmsKeyId': undefined }, 'not true'],
    ['master secret on the default key', { 'Database.Properties.MasterUserSecret': undefined }, 'secret'],
    ['backup vault on the default key', { 'Vault.Properties.EncryptionKeyArn': undefined }, 'backup'],
  ])('ISO-KMS-1 fails for %s', (_name, change, message) => {
    const f = findingsOf('ISO-KMS-1', genuine(change));
    expect(f.length).toBeGreaterThan(0);
    expect(f.map((x) => x.message).join('\n')).toContain(message);
  });

  test('an alias defined by the tenant resolves to its key', () => {
    expect(statusOf('ISO-KMS-1', genuine({ 'DbLogGroup.Properties.KmsKeyId': 'alias/globex-health/logs' }))).toBe('pass');
  });

  test('ISO-KMS-2 accepts "*" pinned by kms:CallerAccount and rejects an organization-only condition', () => {
    const pinned = genuine();
    expect(statusOf('ISO-KMS-2', pinned)).toBe('pass');
    const org = genuine({
      'DataKey.Properties.KeyPolicy.Statement': [
        { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } },
      ],
    });
    expect(findingsOf('ISO-KMS-2', org)[0]!.message).toContain('aws:PrincipalOrgID');
  });

  test('ISO-KMS-2 warns about an unpinned service principal but does not fail the tenant', () => {
    const spec = genuine({
      'BackupKey.Properties.KeyPolicy': { Statement: [{ Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' }, Action: 'kms:*', Resource: '*' }] },
    });
    expect(findingsOf('ISO-KMS-2', spec)[0]!.severity).toBe('warning');
    expect(verify(spec)[0]!.verdict).toBe('pass');
  });

  test('ISO-KMS-3 fails both tenants that use one key ARN', () => {
    const shared = 'arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const t = (id: string, account: string): TenantSpec => ({
      id,
      account,
      templates: [tpl({ Logs: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: shared } } })],
    });
    const verdicts = verify(t('a-tenant', '111111111111'), t('b-tenant', '222222222222'));
    for (const v of verdicts) {
      const f = v.results.find((r) => r.rule.id === 'ISO-KMS-3')!.findings;
      expect(f[0]!.message).toContain('also used by tenant');
    }
  });
});

describe('fleet rules', () => {
  test('ISO-ACCT-2 fails two tenants in one account', () => {
    const verdicts = verify({ id: 'one', account: '123456789012', templates: [GENUINE] }, { id: 'two', account: '123456789012', templates: [GENUINE] });
    for (const v of verdicts) {
      expect(v.verdict).toBe('fail');
      expect(v.findings.some((f) => f.rule === 'ISO-ACCT-2' && f.message.includes('shared with tenant'))).toBe(true);
    }
  });
  test('ISO-FLEET-1 fails two tenants that name the same VPC id', () => {
    const t = (id: string, account: string): TenantSpec => ({
      id,
      account,
      templates: [tpl({ Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'x', VpcId: 'vpc-0123456789abcdef0' } } })],
    });
    const verdicts = verify(t('a-tenant', '111111111111'), t('b-tenant', '222222222222'));
    expect(verdicts.every((v) => v.findings.some((f) => f.rule === 'ISO-FLEET-1'))).toBe(true);
  });
});

describe('network', () => {
  test('a peering between the tenant\'s own two VPCs is not a path outside', () => {
    expect(statusOf('ISO-NET-4', genuine())).toBe('pass');
  });
  test.each([
    ['a transit gateway attachment', { Att: { Type: 'AWS::EC2::TransitGatewayAttachment', Properties: { TransitGatewayId: 'tgw-0123456789abcdef0', VpcId: { Ref: 'DataVpc' }, SubnetIds: [] } } }],
    ['a VPN connection', { Vpn: { Type: 'AWS::EC2::VPNConnection', Properties: { Type: 'ipsec.1', CustomerGatewayId: 'cgw-1', VpnGatewayId: 'vgw-1' } } }],
    ['a vendor PrivateLink endpoint service', { Ep: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcId: { Ref: 'DataVpc' }, ServiceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0' } } }],
    ['a route to a foreign peering', { R: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: { Ref: 'DataRouteTable' }, DestinationCidrBlock: '10.0.0.0/8', VpcPeeringConnectionId: 'pcx-0123456789abcdef0' } } }],
  ])('ISO-NET-4 fails for %s', (_name, change) => {
    expect(statusOf('ISO-NET-4', genuine(change))).toBe('fail');
  });
  test('an interface endpoint for an AWS service is allowed', () => {
    const spec = genuine({ Kms: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcId: { Ref: 'DataVpc' }, VpcEndpointType: 'Interface', ServiceName: { 'Fn::Sub': 'com.amazonaws.${AWS::Region}.kms' } } } });
    expect(statusOf('ISO-NET-4', spec)).toBe('pass');
  });
  test('ISO-NET-5 only warns for 0.0.0.0/0 on a security group used by load balancers alone', () => {
    const spec = genuine({
      LbSg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'alb', VpcId: { Ref: 'DataVpc' }, SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }] } },
      Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { SecurityGroups: [{ Ref: 'LbSg' }], Subnets: [{ Ref: 'DataSubnetA' }] } },
    });
    const f = findingsOf('ISO-NET-5', spec);
    expect(f.map((x) => x.severity)).toEqual(['warning']);
  });
  test('ISO-NET-5 fails ingress from another account\'s security group', () => {
    const spec = genuine({ Ing: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { Ref: 'DbSecurityGroup' }, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: 'sg-0123456789abcdef0', SourceSecurityGroupOwnerId: '999999999999' } } });
    expect(findingsOf('ISO-NET-5', spec).map((f) => f.path)).toEqual(
      expect.arrayContaining(['Properties.SourceSecurityGroupId', 'Properties.SourceSecurityGroupOwnerId']),
    );
  });
});

describe('levels', () => {
  test('a dedicated data VPC with a burstable class is not hardware', () => {
    const spec = genuine({ 'Database.Properties.DBInstanceClass': 'db.t3.medium' });
    expect(findingsOf('ISO-HW-1', spec)[0]!.message).toContain('db.t3.medium');
  });
  test('Fargate compute is never hardware-isolated', () => {
    const spec = genuine({ Svc: { Type: 'AWS::ECS::Service', Properties: { Cluster: { Ref: 'Cluster' }, LaunchType: 'FARGATE' } }, Cluster: { Type: 'AWS::ECS::Cluster' } });
    expect(statusOf('ISO-HW-1', spec)).toBe('fail');
    expect(verify(spec)[0]!.achieved).toBe('account');
  });
  test('hardware findings do not fail a tenant that only promises account', () => {
    const spec = genuine({ 'DataVpc.Properties.InstanceTenancy': 'default' }, { declared: 'account' });
    const [v] = verify(spec);
    expect(v!.achieved).toBe('account');
    expect(v!.verdict).toBe('pass');
    expect(v!.findings.filter((f) => f.rule === 'ISO-HW-1')).toEqual([]);
  });
  test('hsm needs every data key in the tenant\'s CloudHSM key store', () => {
    const spec = genuine({}, { declared: 'hsm' });
    const [v] = verify(spec);
    expect(v!.achieved).toBe('hardware');
    expect(v!.verdict).toBe('fail');
    expect(v!.findings.some((f) => f.rule === 'ISO-HSM-1')).toBe(true);
  });
  test('keys from a custom key store on the tenant\'s own cluster prove hsm', () => {
    const hsmKey = (cls: string) => ({ Type: 'Custom::HsmKey', Properties: { ServiceToken: { 'Fn::GetAtt': ['Provider', 'Arn'] }, Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: { 'Fn::GetAtt': ['KeyStore', 'CustomKeyStoreId'] }, Description: cls } });
    const changes: Record<string, unknown> = {
      Provider: { Type: 'AWS::Lambda::Function', Properties: {} },
      Cluster: { Type: 'Custom::HsmCluster', Properties: { ServiceToken: { 'Fn::GetAtt': ['Provider', 'Arn'] }, HsmType: 'hsm2m.medium', SubnetIds: [{ Ref: 'DataSubnetA' }] } },
      KeyStore: { Type: 'Custom::KeyStore', Properties: { ServiceToken: { 'Fn::GetAtt': ['Provider', 'Arn'] }, CloudHsmClusterId: { 'Fn::GetAtt': ['Cluster', 'ClusterId'] } } },
      HsmData: hsmKey('data'),
    };
    for (const [res, prop] of [
      ['Database', 'Properties.KmsKeyId'],
      ['Database', 'Properties.PerformanceInsightsKMSKeyId'],
      ['Database', 'Properties.MasterUserSecret.KmsKeyId'],
      ['SearchDomain', 'Properties.EncryptionAtRestOptions.KmsKeyId'],
      ['FlowLogGroup', 'Properties.KmsKeyId'],
      ['DbLogGroup', 'Properties.KmsKeyId'],
      ['SearchLogGroup', 'Properties.KmsKeyId'],
      ['Vault', 'Properties.EncryptionKeyArn'],
    ] as const) {
      changes[`${res}.${prop}`] = { 'Fn::GetAtt': ['HsmData', 'Arn'] };
    }
    const [v] = verify(genuine(changes, { declared: 'hsm' }));
    expect(v!.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(v!.achieved).toBe('hsm');
    // A key store on a literal cluster id is not the tenant's.
    const foreign = verify(genuine({ ...changes, 'KeyStore.Properties.CloudHsmClusterId': 'cluster-abcdefghijk' }, { declared: 'hsm' }))[0]!;
    expect(foreign.achieved).toBe('hardware');
  });
});

describe('hygiene is reported as warnings, never as failing findings', () => {
  test.each([
    ['ISO-HYG-1', { 'Database.Properties.MultiAZ': false }],
    ['ISO-HYG-2', { 'SearchDomain.Properties.NodeToNodeEncryptionOptions.Enabled': false }],
    ['ISO-HYG-3', { 'DataKey.Properties.EnableKeyRotation': false }],
    ['ISO-HYG-4', { DataFlowLog: undefined }],
  ])('%s', (rule, change) => {
    const spec = genuine(change);
    const f = findingsOf(rule, spec);
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.severity === 'warning')).toBe(true);
    expect(verify(spec)[0]!.verdict).toBe('pass');
  });
});

describe('literal references to shared stores and clusters', () => {
  test.each([
    ['ISO-DATA-4', 'an IAM policy on a shared search domain', { 'SearchAdminRole.Properties.Policies': [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'es:ESHttp*', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:es:${AWS::Region}:${AWS::AccountId}:domain/platform-shared/*' } }] } }] }, 'platform-shared'],
    ['ISO-DATA-4', 'an EFS file system of the platform', { Td: { Type: 'AWS::ECS::TaskDefinition', Properties: { Volumes: [{ Name: 'v', EFSVolumeConfiguration: { FilesystemId: 'fs-0123456789abcdef0' } }] } } }, 'fs-0123456789abcdef0'],
    ['ISO-COMP-1', 'a scheduler policy on a shared ECS cluster', { 'FlowLogRole.Properties.Policies': [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'ecs:RunTask', Resource: 'arn:aws:ecs:eu-west-1:555555555555:cluster/platform' }] } }] }, 'cluster/platform'],
  ])('%s catches %s', (rule, _name, change, value) => {
    const f = findingsOf(rule, genuine(change));
    expect(f.some((x) => x.severity === 'error' && String(x.value).includes(value))).toBe(true);
  });
  test('an ARN of the tenant\'s own named domain is not foreign', () => {
    const spec = genuine({
      'SearchDomain.Properties.DomainName': 'globex-tickets',
      'SearchAdminRole.Properties.Policies': [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'es:ESHttp*', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:es:${AWS::Region}:${AWS::AccountId}:domain/globex-tickets/*' } }] } }],
    });
    expect(findingsOf('ISO-DATA-4', spec)).toEqual([]);
  });
});

describe('patterns of genuine vendor templates', () => {
  test('ingress from the parameter that sets the tenant VPC range is the tenant VPC', () => {
    const spec = genuine({
      '$.Parameters.VpcCidr': { Type: 'String', Default: '10.60.0.0/16' },
      'DataVpc.Properties.CidrBlock': { Ref: 'VpcCidr' },
      'SearchSecurityGroup.Properties.SecurityGroupIngress': [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: { Ref: 'VpcCidr' } }],
    });
    expect(statusOf('ISO-NET-5', spec)).toBe('pass');
  });
  test('an access-log bucket with S3-managed encryption is a warning, a data bucket without a tenant key an error', () => {
    const spec = genuine({
      Logs: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } } },
      Attachments: { Type: 'AWS::S3::Bucket', Properties: { LoggingConfiguration: { DestinationBucketName: { Ref: 'Logs' } } } },
    });
    const f = findingsOf('ISO-KMS-1', spec);
    expect(f.find((x) => x.resource === 'Logs')!.severity).toBe('warning');
    expect(f.find((x) => x.resource === 'Attachments')!.severity).toBe('error');
  });
  test('an Aurora cluster with member instances is the tenant\'s own database', () => {
    const spec = genuine({
      Database: undefined,
      DbLogGroup: undefined,
      Cluster: { Type: 'AWS::RDS::DBCluster', DeletionPolicy: 'Snapshot', Properties: { Engine: 'aurora-postgresql', StorageEncrypted: true, KmsKeyId: { 'Fn::GetAtt': ['DataKey', 'Arn'] }, DBSubnetGroupName: { Ref: 'DbSubnetGroup' }, VpcSecurityGroupIds: [{ Ref: 'DbSecurityGroup' }] } },
      Member: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'aurora-postgresql', DBInstanceClass: 'db.r6g.large', DBClusterIdentifier: { Ref: 'Cluster' } } },
    }, { declared: 'account' });
    const [v] = verify(spec);
    expect(v!.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(v!.achieved).toBe('account');
  });
});

describe('instances joining a cluster through user data', () => {
  const lt = (script: unknown) => ({ Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { UserData: { 'Fn::Base64': script } } } });
  test('ECS_CLUSTER of a cluster the tenant does not define fails ISO-COMP-1', () => {
    const spec = genuine({ Lt: lt('#!/bin/bash\necho ECS_CLUSTER=platform-shared >> /etc/ecs/ecs.config') });
    expect(findingsOf('ISO-COMP-1', spec)[0]!.value).toBe('ECS_CLUSTER=platform-shared');
  });
  test('ECS_CLUSTER of the tenant\'s own cluster passes', () => {
    const spec = genuine({ Cluster: { Type: 'AWS::ECS::Cluster' }, Lt: lt({ 'Fn::Sub': '#!/bin/bash\necho ECS_CLUSTER=${Cluster} >> /etc/ecs/ecs.config' }) });
    expect(statusOf('ISO-COMP-1', spec)).toBe('pass');
  });
  test('an EKS bootstrap into another cluster fails ISO-COMP-2', () => {
    const spec = genuine({ Lt: lt('#!/bin/bash\n/etc/eks/bootstrap.sh platform-eks-prod --kubelet-extra-args x') });
    expect(findingsOf('ISO-COMP-2', spec)[0]!.message).toContain('platform-eks-prod');
  });
});

test('type and property names that are also names of Object.prototype members break no rule', () => {
  const spec = genuine({
    Odd: { Type: 'constructor', Properties: { toString: 'x', constructor: { Ref: 'DataVpc' }, hasOwnProperty: ['a'] } },
    'Database.Properties.toString': 'y',
  });
  const [v] = verify(spec);
  const all = v!.results.flatMap((r) => r.findings);
  expect(all.filter((f) => /the rule failed/.test(f.message))).toEqual([]);
  expect(all.filter((f) => f.resource === 'Odd' && f.rule === 'ISO-NET-4')).toEqual([]);
});

describe('ISO-DATA-6: S3 replication stays inside the tenant', () => {
  const replicating = (destination: Record<string, unknown>, extra: Record<string, unknown> = {}): TenantSpec =>
    genuine({
      Archive: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'acme-archive-replica' } },
      Attachments: { Type: 'AWS::S3::Bucket', Properties: { ReplicationConfiguration: { Role: 'r', Rules: [{ Status: 'Enabled', Destination: destination }] } } },
      ...extra,
    });
  const dataSix = (spec: TenantSpec): readonly Finding[] => findingsOf('ISO-DATA-6', spec).filter((f) => f.resource === 'Attachments');
  test.each([
    ['Fn::GetAtt of its own bucket', { Bucket: { 'Fn::GetAtt': ['Archive', 'Arn'] } }],
    ['Fn::Sub of its own bucket', { Bucket: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Archive}' } }],
    ['the literal ARN of its own named bucket', { Bucket: 'arn:aws:s3:::acme-archive-replica' }],
    ['its own account', { Bucket: { 'Fn::GetAtt': ['Archive', 'Arn'] }, Account: { Ref: 'AWS::AccountId' } }],
  ])('passes replication to %s', (_what, destination) => {
    expect(dataSix(replicating(destination))).toEqual([]);
    expect(ruleResult('ISO-DATA-6', replicating(destination)).evidence.map((e) => e.message).join('\n')).toMatch(/Attachments replicates to the tenant's bucket/);
  });
  test('fails replication to another account', () => {
    const [f] = dataSix(replicating({ Bucket: { 'Fn::GetAtt': ['Archive', 'Arn'] }, Account: '999999999999' }));
    expect(f).toMatchObject({ kind: 'violation', path: 'Properties.ReplicationConfiguration.Rules[0].Destination.Account' });
    expect(f!.message).toMatch(/replicates the tenant's objects to account "999999999999"/);
  });
  test('fails a literal bucket with only the partition left symbolic', () => {
    const [f] = dataSix(replicating({ Bucket: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::vendor-archive' } }));
    expect(f).toMatchObject({ kind: 'violation' });
  });
  test('cannot verify a destination taken from a parameter', () => {
    const spec = replicating({ Bucket: { Ref: 'ArchiveArn' } }, { '$.Parameters.ArchiveArn': { Type: 'String' } });
    const [f] = dataSix(spec);
    expect(f).toMatchObject({ kind: 'unverifiable' });
    expect(verify(spec)[0]!.verdict).toBe('fail');
  });
});
