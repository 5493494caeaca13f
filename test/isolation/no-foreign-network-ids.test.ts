/**
 * ISO-NET-2 on the security groups of launch configurations (and launch template network interfaces), which it
 * already checked on launch templates' SecurityGroupIds: compliant, violation, could-not-verify and not-applicable,
 * and the public ECS cluster template someone else wrote.
 */
import * as path from 'node:path';
import { readTemplateFile } from '../../lib/assembly/read';
import type { Finding } from '../../lib/isolation/rule';
import { findingsOf, statusOf, tpl, type TenantSpec } from './support';

const RULE = 'ISO-NET-2';
const brief = (fs: readonly Finding[]) => fs.map((f) => ({ rule: f.rule, resource: f.resource, path: f.path, kind: f.kind }));
const spec = (resources: Record<string, unknown>, extra: Record<string, unknown> = {}): TenantSpec => ({ account: '111111111111', templates: [tpl(resources, extra)] });
const VPC = { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } } };
const SG = { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'd', GroupName: 'tenant-a-hosts', VpcId: { Ref: 'Vpc' } } } };
const lc = (groups: unknown) => ({ Lc: { Type: 'AWS::AutoScaling::LaunchConfiguration', Properties: { ImageId: 'ami-1', InstanceType: 'm5.large', SecurityGroups: groups } } });

describe('ISO-NET-2 on launch configurations', () => {
  test('passes the tenant\'s own security group, by reference or by its group name', () => {
    const s = spec({ ...VPC, ...SG, ...lc([{ Ref: 'Sg' }, 'tenant-a-hosts']) });
    expect(statusOf(RULE, s)).toBe('pass');
    expect(findingsOf(RULE, s)).toEqual([]);
  });

  // The engine reports one finding per resource, path and kind: one bad group per case.
  test.each([
    ['a vendor sg- id', 'sg-0123456789abcdef0', '"sg-0123456789abcdef0"'],
    ['a default-VPC group name', 'shared-web', '"shared-web"'],
    ['an imported group', { 'Fn::ImportValue': 'platform-sg' }, 'Fn::ImportValue platform-sg (exported outside the tenant)'],
  ])('fails %s', (_what, group, value) => {
    const s = spec({ ...VPC, ...SG, ...lc([{ Ref: 'Sg' }, group]) });
    expect(brief(findingsOf(RULE, s))).toEqual([{ rule: RULE, resource: 'Lc', path: 'Properties.SecurityGroups', kind: 'violation' }]);
    expect(findingsOf(RULE, s)[0]!.value).toBe(value);
  });

  test('cannot verify groups passed in as a parameter', () => {
    const s = spec({ ...VPC, ...lc({ Ref: 'HostGroups' }) }, { Parameters: { HostGroups: { Type: 'List<AWS::EC2::SecurityGroup::Id>' } } });
    expect(brief(findingsOf(RULE, s))).toEqual([{ rule: RULE, resource: 'Lc', path: 'Properties.SecurityGroups', kind: 'unverifiable' }]);
  });

  test('checks launch template network interface Groups too', () => {
    const s = spec({
      ...VPC,
      Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { NetworkInterfaces: [{ DeviceIndex: 0, Groups: ['sg-0123456789abcdef0'] }] } } },
    });
    expect(brief(findingsOf(RULE, s))).toEqual([{ rule: RULE, resource: 'Lt', path: 'Properties.LaunchTemplateData.NetworkInterfaces[0].Groups', kind: 'violation' }]);
  });

  test('is not applicable to a tenant with no network at all', () => {
    expect(statusOf(RULE, spec({ Topic: { Type: 'AWS::SNS::Topic' } }))).toBe('not-applicable');
  });

  test('the public ECS cluster template (launch configuration on its own host group) passes', () => {
    const CORPUS = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus', 'aws-cloudformation-templates');
    const loaded = readTemplateFile(path.join(CORPUS, 'ECS/EC2LaunchType/clusters/public-vpc.yaml'));
    if ('message' in loaded) throw new Error(loaded.message);
    const s: TenantSpec = { account: '111111111111', templates: [loaded.template] };
    expect(findingsOf(RULE, s)).toEqual([]);
    expect(statusOf(RULE, s)).toBe('pass');
  });
});
