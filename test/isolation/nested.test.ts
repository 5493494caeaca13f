/**
 * Rules over nested stacks and lists passed through parameters: the tenant's own cluster, VPC and subnets defined in
 * a nested stack (or in the parent and passed down) are the tenant's own; what the nested stack takes from outside
 * still fails, and a nested stack whose template was not read cannot be verified.
 */
import { findingsOf, ruleResult, tpl, type TenantSpec } from './support';

const STACK = 'AWS::CloudFormation::Stack';
const VPC = { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } };
const subnet = (cidr: string) => ({ Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: cidr } });

/** The nested stack CDK writes for `new NestedStack(...)` holding the tenant's VPC and ECS cluster. */
const platform = (clusterOutput: unknown = { Ref: 'Cluster' }) =>
  tpl(
    { Vpc: VPC, SubnetA: subnet('10.0.0.0/24'), SubnetB: subnet('10.0.1.0/24'), Cluster: { Type: 'AWS::ECS::Cluster' } },
    {
      Outputs: {
        ClusterRef: { Value: clusterOutput },
        VpcRef: { Value: { Ref: 'Vpc' } },
        SubnetARef: { Value: { Ref: 'SubnetA' } },
        SubnetBRef: { Value: { Ref: 'SubnetB' } },
      },
    },
  );
const out = (name: string) => ({ 'Fn::GetAtt': ['Platform', `Outputs.${name}`] });
/** The parent: an ECS service on the nested stack's cluster, in its subnets, behind a group in its VPC. */
const parent = tpl({
  Platform: { Type: STACK, Properties: { TemplateURL: 'https://s3.eu-west-1.amazonaws.com/assets/platform.json' } },
  ServiceSg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'svc', VpcId: out('VpcRef') } },
  Service: {
    Type: 'AWS::ECS::Service',
    Properties: {
      Cluster: out('ClusterRef'),
      NetworkConfiguration: {
        AwsvpcConfiguration: { Subnets: [out('SubnetARef'), out('SubnetBRef')], SecurityGroups: [{ 'Fn::GetAtt': ['ServiceSg', 'GroupId'] }] },
      },
    },
  },
});
const tenant = (nestedTemplate = platform()): TenantSpec => ({
  templates: [parent, nestedTemplate],
  nested: [{ child: 1, parent: 0, logicalId: 'Platform' }],
});
const strip = (fs: readonly { rule: string; kind: string; resource: string; path: string; message: string }[]) =>
  fs.map(({ rule, kind, resource, path, message }) => ({ rule, kind, resource, path, message }));

describe('a cluster and VPC defined in a nested stack', () => {
  test('ISO-COMP-1: the service runs on the tenant\'s own cluster, followed through the nested output', () => {
    const r = ruleResult('ISO-COMP-1', tenant());
    expect(r.findings).toEqual([]);
    expect(r.status).toBe('pass');
    expect(r.evidence.map((e) => e.message)).toEqual(['Service runs on the tenant\'s ECS cluster Cluster']);
  });
  test('ISO-NET-2: subnets and VPC from the nested stack are the tenant\'s own network', () => {
    expect(findingsOf('ISO-NET-2', tenant())).toEqual([]);
    expect(ruleResult('ISO-NET-2', tenant()).status).toBe('pass');
  });
  test('ISO-TPL-1: every nested template was read', () => {
    expect(findingsOf('ISO-TPL-1', tenant())).toEqual([]);
  });

  test('the fake: the nested stack hands the parent the vendor\'s cluster, and ISO-COMP-1 names it', () => {
    const fake = platform('arn:aws:ecs:eu-west-1:999999999999:cluster/platform-shared');
    expect(strip(findingsOf('ISO-COMP-1', tenant(fake)))).toEqual([
      {
        rule: 'ISO-COMP-1',
        kind: 'violation',
        resource: 'Service',
        path: 'Properties.Cluster',
        message: 'Service runs on the ECS cluster "arn:aws:ecs:eu-west-1:999999999999:cluster/platform-shared", which the tenant\'s templates do not define (a shared cluster)',
      },
    ]);
  });
  test('the fake: an imported cluster handed through the nested output still fails as a shared cluster', () => {
    const fake = platform({ 'Fn::ImportValue': 'platform-cluster' });
    expect(strip(findingsOf('ISO-COMP-1', tenant(fake)))).toEqual([
      {
        rule: 'ISO-COMP-1',
        kind: 'violation',
        resource: 'Service',
        path: 'Properties.Cluster',
        message: 'Service runs on the ECS cluster Fn::ImportValue platform-cluster (exported outside the tenant), which the tenant\'s templates do not define (a shared cluster)',
      },
    ]);
  });
  test('a nested template that was not read: could not verify, never a pass', () => {
    const unbound: TenantSpec = { templates: [parent] };
    expect(strip(findingsOf('ISO-COMP-1', unbound))).toEqual([
      {
        rule: 'ISO-COMP-1',
        kind: 'unverifiable',
        resource: 'Service',
        path: 'Properties.Cluster',
        message: 'could not verify: Service runs on the ECS cluster Fn::GetAtt Platform.Outputs.ClusterRef (an output of a nested stack whose template was not read), which the verifier cannot follow to a cluster the tenant defines',
      },
    ]);
    expect(strip(findingsOf('ISO-NET-2', unbound)).map((f) => `${f.kind} ${f.path}`)).toEqual([
      'unverifiable Properties.VpcId',
      'unverifiable Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets',
    ]);
    expect(strip(findingsOf('ISO-TPL-1', unbound))).toEqual([
      {
        rule: 'ISO-TPL-1',
        kind: 'unverifiable',
        resource: 'Platform',
        path: 'Resources.Platform',
        message:
          'could not verify: nested stack Platform: its template was not read, so nothing it deploys and no output the parent reads from it can be verified (verify the cloud assembly, or give TemplateURL as a local file path as `aws cloudformation package` takes it)',
      },
    ]);
  });
});

describe('subnets passed to a nested stack as one comma-joined parameter', () => {
  const parentOf = (subnets: unknown) =>
    tpl({
      Vpc: VPC,
      SubnetA: subnet('10.0.0.0/24'),
      SubnetB: subnet('10.0.1.0/24'),
      Data: { Type: STACK, Properties: { TemplateURL: 'data.yaml', Parameters: { Subnets: subnets, VpcId: { Ref: 'Vpc' } } } },
    });
  const data = tpl(
    {
      Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'db', VpcId: { Ref: 'VpcId' } } },
      Group: { Type: 'AWS::RDS::DBSubnetGroup', Properties: { DBSubnetGroupDescription: 'db', SubnetIds: { Ref: 'Subnets' } } },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: { VpcConfig: { SubnetIds: { 'Fn::Split': [',', { 'Fn::Join': [',', { Ref: 'Subnets' }] }] }, SecurityGroupIds: [{ Ref: 'Sg' }] } },
      },
    },
    { Parameters: { Subnets: { Type: 'List<AWS::EC2::Subnet::Id>' }, VpcId: { Type: 'AWS::EC2::VPC::Id' } } },
  );
  const spec = (subnets: unknown): TenantSpec => ({ templates: [parentOf(subnets), data], nested: [{ child: 1, parent: 0, logicalId: 'Data' }] });
  const joined = { 'Fn::Join': [',', [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }]] };

  test('ISO-NET-2: the tenant\'s own subnets, joined and split again, are its own network', () => {
    expect(findingsOf('ISO-NET-2', spec(joined))).toEqual([]);
  });
  test('a nested template that was not read: the tenant\'s joined subnets are still its own, a vendor subnet is named', () => {
    expect(findingsOf('ISO-NET-2', { templates: [parentOf(joined)] })).toEqual([]);
    expect(findingsOf('ISO-TPL-1', { templates: [parentOf(joined)] }).map((f) => f.resource)).toEqual(['Data']);
    const mixed = { 'Fn::Join': [',', [{ Ref: 'SubnetA' }, 'subnet-0123456789abcdef0']] };
    expect(strip(findingsOf('ISO-NET-2', { templates: [parentOf(mixed)] }))).toEqual([
      {
        rule: 'ISO-NET-2',
        kind: 'violation',
        resource: 'Data',
        path: 'Properties.Parameters.Subnets',
        message: 'Data.Subnets is "subnet-0123456789abcdef0", a network the tenant\'s templates do not define',
      },
    ]);
  });
  test('ISO-NET-2: a vendor subnet joined in among the tenant\'s is named', () => {
    const mixed = { 'Fn::Join': [',', [{ Ref: 'SubnetA' }, 'subnet-0123456789abcdef0']] };
    expect(strip(findingsOf('ISO-NET-2', spec(mixed)))).toEqual([
      {
        rule: 'ISO-NET-2',
        kind: 'violation',
        resource: 'Group',
        path: 'Properties.SubnetIds',
        message: 'Group.SubnetIds is "subnet-0123456789abcdef0", a network the tenant\'s templates do not define',
      },
      {
        rule: 'ISO-NET-2',
        kind: 'violation',
        resource: 'Fn',
        path: 'Properties.VpcConfig.SubnetIds',
        message: 'Fn.SubnetIds is "subnet-0123456789abcdef0", a network the tenant\'s templates do not define',
      },
    ]);
  });
  test('ISO-NET-2: subnets from a parameter of the parent nobody binds cannot be verified', () => {
    const free = tpl(
      { Data: { Type: STACK, Properties: { TemplateURL: 'data.yaml', Parameters: { Subnets: { 'Fn::Join': [',', { Ref: 'Given' }] }, VpcId: 'vpc-0123456789abcdef0' } } } },
      { Parameters: { Given: { Type: 'List<AWS::EC2::Subnet::Id>' } } },
    );
    const findings = strip(findingsOf('ISO-NET-2', { templates: [free, data], nested: [{ child: 1, parent: 0, logicalId: 'Data' }] }));
    expect(findings.map((f) => `${f.kind} ${f.resource} ${f.path}`)).toEqual([
      'violation Sg Properties.VpcId',
      'unverifiable Group Properties.SubnetIds',
      'unverifiable Fn Properties.VpcConfig.SubnetIds',
    ]);
    expect(findings[1]!.message).toBe('could not verify: Group.SubnetIds comes from parameter Given (List<AWS::EC2::Subnet::Id>): the network may be shared');
  });
});
