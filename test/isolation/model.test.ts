import { describe as describeVal, type Val } from '../../lib/isolation/model';
import { classifyKey, parseArn, placementOf } from '../../lib/isolation/facts';
import { model, tpl } from './support';

const stackOf = (template: ReturnType<typeof tpl>, extra: Partial<Parameters<typeof model>[0]> = {}) =>
  model({ templates: [template], ...extra }).stacks[0]!;

const BASE = {
  Key: { Type: 'AWS::KMS::Key' },
  Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16', InstanceTenancy: 'dedicated' } },
  Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' } } },
};

describe('intrinsic resolution', () => {
  const s = stackOf(
    tpl(BASE, {
      Parameters: { Env: { Type: 'String', AllowedValues: ['prod', 'dev'] }, Free: { Type: 'String' } },
      Conditions: { IsEu: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }, IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
      Mappings: { Sizes: { 'eu-west-1': { Db: 'db.r6i.large' }, 'us-east-1': { Db: 'db.m6i.large' } } },
    }),
  );
  const one = (node: unknown): Val => {
    const vals = s.resolve(node);
    expect(vals).toHaveLength(1);
    return vals[0]!;
  };

  test('Ref and Fn::GetAtt of a resource point at the resource', () => {
    expect(one({ Ref: 'Key' })).toMatchObject({ k: 'res', r: { id: 'Key' } });
    expect(one({ 'Fn::GetAtt': ['Key', 'Arn'] })).toMatchObject({ k: 'res', attr: 'Arn' });
    expect(one({ 'Fn::GetAtt': 'Key.Arn' })).toMatchObject({ k: 'res', attr: 'Arn' });
  });
  test('Fn::Sub keeps the account symbolic and resolves known pseudo parameters', () => {
    const v = one({ 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${Key}' });
    expect(describeVal(v)).toBe('"arn:aws:kms:eu-west-1:${AWS::AccountId}:key/${Ref Key}"');
    expect(parseArn(v)).toMatchObject({ service: 'kms', region: 'eu-west-1', account: 'self' });
  });
  test('Fn::Sub with a variable map and an escaped literal', () => {
    expect(one({ 'Fn::Sub': ['${A}-${!Literal}', { A: 'x' }] })).toEqual({ k: 'lit', v: 'x-${Literal}' });
  });
  test('Fn::Join concatenates', () => {
    expect(one({ 'Fn::Join': ['', ['a', 'b', 'c']] })).toEqual({ k: 'lit', v: 'abc' });
  });
  test('Fn::If on a decidable condition takes one branch; on an undecidable one, both', () => {
    expect(one({ 'Fn::If': ['IsEu', 'yes', 'no'] })).toEqual({ k: 'lit', v: 'yes' });
    expect(s.resolve({ 'Fn::If': ['IsProd', 'a', 'b'] })).toEqual([{ k: 'lit', v: 'a' }, { k: 'lit', v: 'b' }]);
  });
  test('a parameter with AllowedValues yields each value; without, it is unresolvable', () => {
    expect(s.resolve({ Ref: 'Env' }).map((v) => describeVal(v))).toEqual(['"prod"', '"dev"']);
    expect(one({ Ref: 'Free' })).toMatchObject({ k: 'ext', kind: 'param' });
  });
  test('Fn::FindInMap with a region key uses the tenant region', () => {
    expect(one({ 'Fn::FindInMap': ['Sizes', { Ref: 'AWS::Region' }, 'Db'] })).toEqual({ k: 'lit', v: 'db.r6i.large' });
  });
  test('Fn::Select picks from a literal list', () => {
    expect(one({ 'Fn::Select': [1, ['a', 'b']] })).toEqual({ k: 'lit', v: 'b' });
  });
  test('AWS::NoValue is absent', () => {
    expect(one({ Ref: 'AWS::NoValue' })).toEqual({ k: 'absent' });
  });
  test('a dynamic reference cannot be followed', () => {
    expect(one('{{resolve:ssm:/platform/db/host}}')).toMatchObject({ k: 'ext', kind: 'dynamic-reference' });
  });
  test('an unsupported function is unresolvable, not a pass', () => {
    expect(one({ 'Fn::Transform': { Name: 'x' } })).toMatchObject({ k: 'ext', kind: 'unsupported' });
  });
});

describe('Fn::ImportValue', () => {
  test('resolves an export of another stack of the same tenant', () => {
    const producer = tpl(BASE, { Outputs: { KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] }, Export: { Name: 'tenant-key-arn' } } } });
    const consumer = tpl({ Logs: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: { 'Fn::ImportValue': 'tenant-key-arn' } } } });
    const m = model({ templates: [producer, consumer] });
    const logs = m.stacks[1]!.resources.get('Logs')!;
    const [v] = m.stacks[1]!.resolve(logs.props.KmsKeyId);
    expect(classifyKey(m.stacks[1]!, v!)).toMatchObject({ kind: 'tenant-cmk', key: { id: 'Key' } });
  });
  test('an import from outside the tenant is unresolvable', () => {
    const s = stackOf(tpl({}));
    expect(s.resolve({ 'Fn::ImportValue': 'platform-vpc' })[0]).toMatchObject({ k: 'ext', kind: 'import' });
  });
});

describe('nested stacks', () => {
  test('parameters bind to the values the parent passes', () => {
    const parent = tpl({ ...BASE, Child: { Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: { KeyArn: { 'Fn::GetAtt': ['Key', 'Arn'] } } } } });
    const child = tpl({ Logs: { Type: 'AWS::Logs::LogGroup', Properties: { KmsKeyId: { Ref: 'KeyArn' } } } }, { Parameters: { KeyArn: { Type: 'String' } } });
    const m = model({ templates: [parent, child] });
    m.bindNested(m.stacks[1]!, m.stacks[0]!.name, 'Child');
    const [v] = m.stacks[1]!.resolve({ Ref: 'KeyArn' });
    expect(v).toMatchObject({ k: 'res', r: { id: 'Key' } });
  });

  // What a CDK NestedStack synthesizes when the parent uses a cluster the nested stack defines.
  const platform = tpl(
    {
      Cluster: { Type: 'AWS::ECS::Cluster' },
      Vpc: BASE.Vpc,
      Subnet: BASE.Subnet,
      Inner: { Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: { VpcId: { Ref: 'Vpc' } } } },
    },
    {
      Parameters: { KeyArn: { Type: 'String' } },
      Outputs: {
        ClusterRef: { Value: { Ref: 'Cluster' } },
        ClusterArn: { Value: { 'Fn::GetAtt': ['Cluster', 'Arn'] } },
        KeyArnBack: { Value: { Ref: 'KeyArn' } },
        DeepVpc: { Value: { 'Fn::GetAtt': ['Inner', 'Outputs.VpcOut'] } },
      },
    },
  );
  const inner = tpl({}, { Parameters: { VpcId: { Type: 'AWS::EC2::VPC::Id' } }, Outputs: { VpcOut: { Value: { Ref: 'VpcId' } } } });
  const parentOf = (props: Record<string, unknown> = {}) =>
    tpl({ ...BASE, Platform: { Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: { KeyArn: { 'Fn::GetAtt': ['Key', 'Arn'] } }, ...props } } });
  const bound = () => model({ templates: [parentOf(), platform, inner], nested: [{ child: 1, parent: 0, logicalId: 'Platform' }, { child: 2, parent: 1, logicalId: 'Inner' }] });

  test('Fn::GetAtt <stack>.Outputs.<name> resolves to the resource the nested output names', () => {
    const m = bound();
    const p = m.stacks[0]!;
    expect(p.resolve({ 'Fn::GetAtt': ['Platform', 'Outputs.ClusterRef'] })).toEqual([{ k: 'res', r: m.stacks[1]!.resources.get('Cluster') }]);
    expect(p.resolve({ 'Fn::GetAtt': 'Platform.Outputs.ClusterArn' })).toMatchObject([{ k: 'res', r: { id: 'Cluster', stack: { name: 'tenant-a-stack1' } }, attr: 'Arn' }]);
    expect(p.resolve({ 'Fn::Sub': 'x-${Platform.Outputs.ClusterRef}' })).toMatchObject([{ k: 'str', parts: ['x-', { k: 'res', r: { id: 'Cluster' } }] }]);
  });
  test('a nested output that reads a parameter comes back to what the parent passed, through every level', () => {
    const m = bound();
    const p = m.stacks[0]!;
    expect(p.resolve({ 'Fn::GetAtt': ['Platform', 'Outputs.KeyArnBack'] })).toMatchObject([{ k: 'res', r: { id: 'Key', stack: { name: 'tenant-a-stack0' } }, attr: 'Arn' }]);
    expect(p.resolve({ 'Fn::GetAtt': ['Platform', 'Outputs.DeepVpc'] })).toMatchObject([{ k: 'res', r: { id: 'Vpc', stack: { name: 'tenant-a-stack1' } } }]);
  });
  test('an output the nested template does not declare cannot be followed', () => {
    const [v] = bound().stacks[0]!.resolve({ 'Fn::GetAtt': ['Platform', 'Outputs.Nope'] });
    expect(v).toEqual({ k: 'ext', kind: 'missing-resource', what: 'Fn::GetAtt Platform.Outputs.Nope (the nested template tenant-a-stack1 declares no output Nope)', name: 'Nope' });
  });
  test('a nested stack whose template was not read: its outputs cannot be followed and the stack is a model problem', () => {
    const m = model({ templates: [parentOf()] });
    const [v] = m.stacks[0]!.resolve({ 'Fn::GetAtt': ['Platform', 'Outputs.ClusterRef'] });
    expect(v).toEqual({ k: 'ext', kind: 'nested-output', what: 'Fn::GetAtt Platform.Outputs.ClusterRef (an output of a nested stack whose template was not read)', name: 'ClusterRef' });
    expect(m.stacks[0]!.modelProblems.map((p) => p.resource)).toEqual(['Platform']);
    expect(bound().stacks.map((s) => s.modelProblems)).toEqual([[], [], []]);
  });
  test('a cycle between a parameter and an output ends as unresolvable, not a crash', () => {
    const parent = tpl({ Child: { Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: { P: { 'Fn::GetAtt': ['Child', 'Outputs.O'] } } } } });
    const child = tpl({}, { Parameters: { P: { Type: 'String' } }, Outputs: { O: { Value: { Ref: 'P' } } } });
    const m = model({ templates: [parent, child], nested: [{ child: 1, parent: 0, logicalId: 'Child' }] });
    expect(m.stacks[0]!.resolve({ 'Fn::GetAtt': ['Child', 'Outputs.O'] })).toMatchObject([{ k: 'ext', kind: 'unsupported' }]);
  });
});

describe('lists through parameters and Fn::Split', () => {
  const SUBNETS = {
    ...BASE,
    SubnetB: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' } } },
  };
  const child = tpl(
    {
      Group: { Type: 'AWS::RDS::DBSubnetGroup', Properties: { SubnetIds: { Ref: 'Subnets' } } },
      Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBSubnetGroupName: { Ref: 'Group' } } },
    },
    { Parameters: { Subnets: { Type: 'List<AWS::EC2::Subnet::Id>' }, Names: { Type: 'CommaDelimitedList' }, Free: { Type: 'CommaDelimitedList' } } },
  );
  const withParent = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const parent = tpl({ ...SUBNETS, Child: { Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: parameters } } }, extra);
    const m = model({ templates: [parent, child], nested: [{ child: 1, parent: 0, logicalId: 'Child' }] });
    return { m, c: m.stacks[1]! };
  };
  const ids = (vals: readonly Val[]) => vals.map((v) => describeVal(v));

  test('the parent\'s subnets joined with "," come back as the list of those subnets', () => {
    const { c } = withParent({ Subnets: { 'Fn::Join': [',', [{ Ref: 'Subnet' }, { Ref: 'SubnetB' }]] } });
    expect(c.listValues({ Ref: 'Subnets' }).map(ids)).toEqual([['Ref Subnet', 'Ref SubnetB']]);
    expect(ids(c.flatValues({ Ref: 'Subnets' }))).toEqual(['Ref Subnet', 'Ref SubnetB']);
    expect(ids(c.resolve({ 'Fn::Select': [1, { Ref: 'Subnets' }] }))).toEqual(['Ref SubnetB']);
  });
  test('a parent list parameter joined into the nested one stays unresolvable, as the whole list', () => {
    const { c } = withParent({ Subnets: { 'Fn::Join': [',', { Ref: 'ParentSubnets' }] } }, { Parameters: { ParentSubnets: { Type: 'List<AWS::EC2::Subnet::Id>' } } });
    expect(c.flatValues({ Ref: 'Subnets' })).toEqual([{ k: 'ext', kind: 'param', what: 'parameter ParentSubnets (List<AWS::EC2::Subnet::Id>)', name: 'ParentSubnets', list: true }]);
    expect(ids(c.resolve({ 'Fn::Select': [1, { Ref: 'Subnets' }] }))).toEqual(['parameter ParentSubnets (List<AWS::EC2::Subnet::Id>)']);
  });
  test('a CommaDelimitedList passed as literal text is split and space-trimmed', () => {
    const { c } = withParent({ Names: 'a, b ,c' });
    expect(c.listValues({ Ref: 'Names' })).toEqual([[{ k: 'lit', v: 'a' }, { k: 'lit', v: 'b' }, { k: 'lit', v: 'c' }]]);
  });
  test('a list parameter nobody passes is one unresolvable value standing for the list', () => {
    const { c } = withParent({});
    expect(c.listValues({ Ref: 'Free' })).toEqual([[{ k: 'ext', kind: 'param', what: 'parameter Free (CommaDelimitedList)', name: 'Free', list: true }]]);
  });
  test('Fn::Split of a joined string gives the joined values back; Fn::Select picks from it', () => {
    const s = stackOf(tpl(SUBNETS));
    const split = { 'Fn::Split': [',', { 'Fn::Join': [',', [{ Ref: 'Subnet' }, { Ref: 'SubnetB' }]] }] };
    expect(ids(s.flatValues(split))).toEqual(['Ref Subnet', 'Ref SubnetB']);
    expect(ids(s.resolve({ 'Fn::Select': [0, split] }))).toEqual(['Ref Subnet']);
    expect(s.listValues({ 'Fn::Split': ['|', 'a|b'] })).toEqual([[{ k: 'lit', v: 'a' }, { k: 'lit', v: 'b' }]]);
  });
  test('a list property given as Fn::If of single values has both values, not an unresolvable list', () => {
    const s = stackOf(tpl(SUBNETS, { Parameters: { Env: { Type: 'String' } }, Conditions: { Prod: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } } }));
    expect(ids(s.flatValues({ 'Fn::If': ['Prod', { Ref: 'Subnet' }, { Ref: 'SubnetB' }] }))).toEqual(['Ref Subnet', 'Ref SubnetB']);
  });
  test('a database in the nested stack is placed in the parent\'s VPC through the joined subnets', () => {
    const { m, c } = withParent({ Subnets: { 'Fn::Join': [',', [{ Ref: 'Subnet' }, { Ref: 'SubnetB' }]] } });
    const p = placementOf(c.resources.get('Db')!);
    expect(p.vpcs).toEqual([m.stacks[0]!.resources.get('Vpc')]);
    expect(p.problems).toEqual([]);
  });
});

describe('placement', () => {
  test('follows a DB subnet group to its subnets and VPC', () => {
    const m = model({
      templates: [
        tpl({
          ...BASE,
          Group: { Type: 'AWS::RDS::DBSubnetGroup', Properties: { SubnetIds: [{ Ref: 'Subnet' }] } },
          Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBSubnetGroupName: { Ref: 'Group' } } },
        }),
      ],
    });
    const p = placementOf(m.stacks[0]!.resources.get('Db')!);
    expect(p.vpcs.map((v) => v.id)).toEqual(['Vpc']);
    expect(p.problems).toEqual([]);
  });
});
