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
