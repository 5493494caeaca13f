/**
 * Behaviours a mutation run (npm run mutate, docs/testing.md) showed no test pinned, each of which, broken, would
 * let a non-exclusive tenant pass: public ingress, the branch Fn::If takes, a database in the default VPC,
 * Aurora on the hardware level. Each case asserts the exact findings of the rule.
 */
import type { Finding } from '../../lib/isolation/rule';
import { findingsOf, genuine, model, type TenantSpec, tpl, verify } from './support';


/** The parts of a finding a reader acts on. */
const brief = (f: Finding) => ({ resource: f.resource, path: f.path, value: f.value, severity: f.severity, kind: f.kind, message: f.message });

describe('ISO-NET-5: a public range is an error unless only load balancers use the group', () => {
  const publicIngress = (cidr: { CidrIp: string } | { CidrIpv6: string }) => [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, ...cidr }];
  const lbSg = (ingress: unknown) => ({ Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'alb', VpcId: { Ref: 'DataVpc' }, SecurityGroupIngress: ingress } });
  const lb = { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { SecurityGroups: [{ Ref: 'LbSg' }], Subnets: [{ Ref: 'DataSubnetA' }] } };

  test('fails 0.0.0.0/0 on a group that no resource uses (no load balancer to excuse it)', () => {
    const spec = genuine({ LbSg: lbSg(publicIngress({ CidrIp: '0.0.0.0/0' })) });
    expect(findingsOf('ISO-NET-5', spec).map(brief)).toEqual([
      { resource: 'LbSg', path: 'Properties.SecurityGroupIngress[0].CidrIp', value: '0.0.0.0/0', severity: 'error', kind: 'violation', message: 'LbSg admits 0.0.0.0/0 (the whole internet)' },
    ]);
    expect(verify(spec)[0]!.verdict).toBe('fail');
  });

  test('fails 0.0.0.0/0 on a group shared by a load balancer and the database', () => {
    const spec = genuine({ LbSg: lbSg(publicIngress({ CidrIp: '0.0.0.0/0' })), Lb: lb, 'Database.Properties.VPCSecurityGroups': [{ 'Fn::GetAtt': ['DbSecurityGroup', 'GroupId'] }, { Ref: 'LbSg' }] });
    expect(findingsOf('ISO-NET-5', spec).map((f) => [f.resource, f.severity, f.message])).toEqual([['LbSg', 'error', 'LbSg admits 0.0.0.0/0 (the whole internet)']]);
  });

  test('fails a public range that is not the whole internet', () => {
    const spec = genuine({ 'DbSecurityGroup.Properties.SecurityGroupIngress': publicIngress({ CidrIp: '203.0.113.0/24' }) });
    expect(findingsOf('ISO-NET-5', spec).map(brief)).toEqual([
      { resource: 'DbSecurityGroup', path: 'Properties.SecurityGroupIngress[0].CidrIp', value: '203.0.113.0/24', severity: 'error', kind: 'violation', message: 'DbSecurityGroup admits 203.0.113.0/24 (a public range)' },
    ]);
  });

  test('fails ::/0 in CidrIpv6', () => {
    const spec = genuine({ 'DbSecurityGroup.Properties.SecurityGroupIngress': publicIngress({ CidrIpv6: '::/0' }) });
    expect(findingsOf('ISO-NET-5', spec).map(brief)).toEqual([
      { resource: 'DbSecurityGroup', path: 'Properties.SecurityGroupIngress[0].CidrIpv6', value: '::/0', severity: 'error', kind: 'violation', message: 'DbSecurityGroup admits ::/0 (the whole internet)' },
    ]);
  });

  test('fails 0.0.0.0/0 in a separate ingress resource on the database group', () => {
    const spec = genuine({ Open: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { 'Fn::GetAtt': ['DbSecurityGroup', 'GroupId'] }, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '0.0.0.0/0' } } });
    expect(findingsOf('ISO-NET-5', spec).map(brief)).toEqual([
      { resource: 'Open', path: 'Properties.CidrIp', value: '0.0.0.0/0', severity: 'error', kind: 'violation', message: 'DbSecurityGroup admits 0.0.0.0/0 (the whole internet)' },
    ]);
  });

  test.each([
    ['a literal security group id', { SourceSecurityGroupId: 'sg-0123456789abcdef0' }, 'SourceSecurityGroupId', '"sg-0123456789abcdef0"', 'DbSecurityGroup admits the security group "sg-0123456789abcdef0", which the tenant does not define'],
    ['a security group name the tenant does not define', { SourceSecurityGroupName: 'vendor-ops' }, 'SourceSecurityGroupName', '"vendor-ops"', 'DbSecurityGroup admits the security group named "vendor-ops", which the tenant does not define'],
    ['a prefix list the tenant does not define', { SourcePrefixListId: 'pl-0123456789abcdef0' }, 'SourcePrefixListId', '"pl-0123456789abcdef0"', 'DbSecurityGroup admits the prefix list "pl-0123456789abcdef0", whose ranges the tenant does not define'],
  ])('fails ingress from %s', (_name, source, key, value, message) => {
    const spec = genuine({ 'DbSecurityGroup.Properties.SecurityGroupIngress': [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, ...source }] });
    expect(findingsOf('ISO-NET-5', spec).map(brief)).toEqual([
      { resource: 'DbSecurityGroup', path: `Properties.SecurityGroupIngress[0].${key}`, value, severity: 'error', kind: 'violation', message },
    ]);
  });

  test('warns, not fails, for a private range outside the tenant VPCs', () => {
    const spec = genuine({ 'DbSecurityGroup.Properties.SecurityGroupIngress': publicIngress({ CidrIp: '172.16.0.0/12' }) });
    expect(findingsOf('ISO-NET-5', spec).map((f) => [f.severity, f.message])).toEqual([
      ['warning', "DbSecurityGroup admits 172.16.0.0/12, a private range outside the tenant's VPCs (another network)"],
    ]);
  });
});

describe('Fn::If follows the condition the template decides', () => {
  test('a false condition takes the second branch', () => {
    const s = model({ templates: [tpl({ T: { Type: 'AWS::SNS::Topic' } }, { Conditions: { InUs: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } } })] }).stacks[0]!;
    expect(s.resolve({ 'Fn::If': ['InUs', 'us', 'elsewhere'] })).toEqual([{ k: 'lit', v: 'elsewhere' }]);
  });

  test.each([
    ['Fn::Not of a true condition', { 'Fn::Not': [{ Condition: 'InEu' }] }, 'no'],
    ['Fn::And with one false member', { 'Fn::And': [{ Condition: 'InEu' }, { 'Fn::Equals': ['a', 'b'] }] }, 'no'],
    ['Fn::And of true members', { 'Fn::And': [{ Condition: 'InEu' }, { 'Fn::Equals': ['a', 'a'] }] }, 'yes'],
    ['Fn::Or with one true member', { 'Fn::Or': [{ 'Fn::Equals': ['a', 'b'] }, { Condition: 'InEu' }] }, 'yes'],
    ['Fn::Or of false members', { 'Fn::Or': [{ 'Fn::Equals': ['a', 'b'] }, { 'Fn::Not': [{ Condition: 'InEu' }] }] }, 'no'],
  ])('%s decides the branch', (_name, condition, branch) => {
    const s = model({ templates: [tpl({ T: { Type: 'AWS::SNS::Topic' } }, { Conditions: { InEu: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }, C: condition } })] }).stacks[0]!;
    expect(s.resolve({ 'Fn::If': ['C', 'yes', 'no'] })).toEqual([{ k: 'lit', v: branch }]);
  });

  test('a database made public on the branch the region selects fails ISO-NET-6', () => {
    const spec = genuine({
      '$.Conditions.InUs': { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
      'Database.Properties.PubliclyAccessible': { 'Fn::If': ['InUs', false, true] },
    });
    expect(findingsOf('ISO-NET-6', spec).map(brief)).toEqual([
      { resource: 'Database', path: 'Properties.PubliclyAccessible', value: 'true', severity: 'error', kind: 'violation', message: 'Database is publicly accessible' },
    ]);
  });
});

describe('ISO-NET-6: a database that AWS makes public by default is flagged', () => {
  test('fails a DB instance with neither PubliclyAccessible nor a subnet group (the default VPC makes it public)', () => {
    const spec = genuine({ 'Database.Properties.PubliclyAccessible': undefined, 'Database.Properties.DBSubnetGroupName': undefined });
    expect(findingsOf('ISO-NET-6', spec).map(brief)).toEqual([
      {
        resource: 'Database',
        path: 'Properties.PubliclyAccessible',
        value: '(not set)',
        severity: 'error',
        kind: 'violation',
        message: 'Database sets no PubliclyAccessible and no subnet group: in the default VPC it defaults to publicly accessible',
      },
    ]);
  });

  test('passes an unset PubliclyAccessible in the tenant subnet group', () => {
    const spec = genuine({ 'Database.Properties.PubliclyAccessible': undefined });
    expect(findingsOf('ISO-NET-6', spec)).toEqual([]);
  });

  test('fails the string "True" as well as the boolean', () => {
    const spec = genuine({ 'Database.Properties.PubliclyAccessible': 'True' });
    expect(findingsOf('ISO-NET-6', spec).map((f) => [f.resource, f.value, f.severity])).toEqual([['Database', 'True', 'error']]);
  });

  test('fails a search domain without VPCOptions (a public endpoint)', () => {
    const spec = genuine({ 'SearchDomain.Properties.VPCOptions': undefined });
    expect(findingsOf('ISO-NET-6', spec).map(brief)).toEqual([
      { resource: 'SearchDomain', path: 'Properties.VPCOptions', value: undefined, severity: 'error', kind: 'violation', message: 'SearchDomain has no VPCOptions: its endpoint is public' },
    ]);
  });
});

describe('ISO-HW-1: Aurora and shared-hardware compute never prove the hardware level', () => {
  const aurora = (memberClass = 'db.r6g.large') => ({
    Database: undefined,
    DbLogGroup: undefined,
    Cluster: { Type: 'AWS::RDS::DBCluster', DeletionPolicy: 'Snapshot', Properties: { Engine: 'aurora-postgresql', StorageEncrypted: true, KmsKeyId: { 'Fn::GetAtt': ['DataKey', 'Arn'] }, DBSubnetGroupName: { Ref: 'DbSubnetGroup' }, VpcSecurityGroupIds: [{ Ref: 'DbSecurityGroup' }] } },
    Member: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'aurora-postgresql', DBInstanceClass: memberClass, DBClusterIdentifier: { Ref: 'Cluster' } } },
  });
  const hwErrors = (spec: TenantSpec) => findingsOf('ISO-HW-1', spec).filter((f) => f.severity === 'error').map((f) => [f.resource, f.path, f.message]);

  test('fails an Aurora cluster in a dedicated VPC, and the tenant does not reach hardware', () => {
    const spec = genuine(aurora());
    expect(hwErrors(spec)).toEqual([['Cluster', 'Type', 'Cluster (AWS::RDS::DBCluster): Aurora clusters do not run on dedicated tenancy']]);
    const [v] = verify(spec);
    expect(v!.achieved).toBe('account');
    expect(v!.verdict).toBe('fail');
  });

  test('fails a burstable Aurora member class too', () => {
    expect(hwErrors(genuine(aurora('db.t4g.medium')))).toEqual([
      ['Member', 'Properties.DBInstanceClass', 'Member (AWS::RDS::DBInstance) uses db.t4g.medium, a class AWS does not offer on dedicated tenancy'],
      ['Cluster', 'Type', 'Cluster (AWS::RDS::DBCluster): Aurora clusters do not run on dedicated tenancy'],
    ]);
  });

  test('fails a database that is in no VPC of the tenant', () => {
    expect(hwErrors(genuine({ 'Database.Properties.DBSubnetGroupName': undefined }))).toEqual([
      ['Database', 'Properties.DBSubnetGroupName', 'Database (AWS::RDS::DBInstance) is not in a VPC of the tenant, so it cannot be on dedicated tenancy'],
    ]);
  });

  test.each([
    ['an instance in a subnet of a default-tenancy VPC', { Box: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-1', SubnetId: { Ref: 'SearchSubnetA' } } } }, ['Box', 'Properties.SubnetId', 'Box runs on default (shared-hardware) tenancy']],
    ['a launch template without a tenancy', { Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { ImageId: 'ami-1' } } } }, ['Lt', 'Properties.LaunchTemplateData.Placement.Tenancy', 'Lt runs on default (shared-hardware) tenancy']],
    ['a launch configuration without a tenancy', { Lc: { Type: 'AWS::AutoScaling::LaunchConfiguration', Properties: { ImageId: 'ami-1', InstanceType: 'm5.large' } } }, ['Lc', 'Properties.PlacementTenancy', 'Lc runs on default (shared-hardware) tenancy']],
    ['an EKS Fargate profile', { Fp: { Type: 'AWS::EKS::FargateProfile', Properties: { ClusterName: 'c', PodExecutionRoleArn: 'r', Selectors: [] } } }, ['Fp', 'Type', 'Fp runs pods on Fargate, which is always multi-tenant hardware']],
    ['an ECS service on a Fargate capacity provider', { Svc: { Type: 'AWS::ECS::Service', Properties: { Cluster: { Ref: 'Ecs' }, CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] } }, Ecs: { Type: 'AWS::ECS::Cluster' } }, ['Svc', 'Properties.LaunchType', 'Svc runs on Fargate, which is always multi-tenant hardware']],
  ])('fails %s', (_name, change, finding) => {
    expect(hwErrors(genuine(change))).toEqual([finding]);
  });

  test.each([
    ['an instance with dedicated tenancy of its own', { Box: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-1', Tenancy: 'dedicated', SubnetId: { Ref: 'SearchSubnetA' } } } }],
    ['an instance in a subnet of the dedicated VPC', { Box: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-1', SubnetId: { Ref: 'DataSubnetA' } } } }],
    ['a launch template on host tenancy', { Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { Placement: { Tenancy: 'host' } } } } }],
    ['a launch configuration on dedicated tenancy', { Lc: { Type: 'AWS::AutoScaling::LaunchConfiguration', Properties: { ImageId: 'ami-1', InstanceType: 'm5.large', PlacementTenancy: 'dedicated' } } }],
  ])('passes %s', (_name, change) => {
    expect(findingsOf('ISO-HW-1', genuine(change))).toEqual([]);
  });

  test('fails a launch template whose tenancy is dedicated on one branch of an undecided condition and default on the other', () => {
    const spec = genuine({ Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { Placement: { Tenancy: { 'Fn::If': ['IsProd', 'dedicated', 'default'] } } } } } });
    expect(hwErrors(spec)).toEqual([['Lt', 'Properties.LaunchTemplateData.Placement.Tenancy', 'Lt runs on default (shared-hardware) tenancy']]);
  });

  test('cannot verify an instance with neither a tenancy nor a subnet', () => {
    const spec = genuine({ Box: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-1' } } });
    expect(findingsOf('ISO-HW-1', spec).map((f) => [f.resource, f.kind, f.severity])).toEqual([['Box', 'unverifiable', 'error']]);
  });

  test('cannot verify an instance whose subnet comes from a parameter', () => {
    const spec = genuine({ '$.Parameters.Subnet': { Type: 'AWS::EC2::Subnet::Id' }, Box: { Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-1', SubnetId: { Ref: 'Subnet' } } } });
    expect(findingsOf('ISO-HW-1', spec).map((f) => [f.resource, f.kind, f.severity, f.message])).toEqual([['Box', 'unverifiable', 'error', 'could not verify: Box: the tenancy cannot be resolved']]);
  });
});
