/**
 * What a first real `cdk deploy` needs from the synthesized templates (issue 11, deploy blockers): pinned on the
 * example fleet and on probe tenants in regions whose zones are not a, b, c, and on the first (cluster) deploy of the
 * hsm level.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Aspects, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { buildApp } from '../../lib/app';
import { WithoutLambdaLoggingConfig } from '../../lib/stacks/deploy-aspects';
import { EXAMPLE_TENANTS, TODAY, fleetTemplates, testApp, testStack, type FleetTemplates, type TemplateJson } from '../support/fleet';

let fleet: FleetTemplates;
beforeAll(() => {
  fleet = fleetTemplates();
});

const resources = (t: TemplateJson, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const getAttId = (v: unknown) => (v as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt']?.[0];

/** Every custom resource whose handler (its ServiceToken function) runs in a VPC, with that VPC's endpoints. */
function inVpcCustomResources(t: TemplateJson): { id: string; dependsOn: string[]; endpoints: string[] }[] {
  const subnetVpc = new Map(resources(t, 'AWS::EC2::Subnet').map(([id, r]) => [id, JSON.stringify(r.Properties!.VpcId)]));
  const out: { id: string; dependsOn: string[]; endpoints: string[] }[] = [];
  for (const [id, r] of Object.entries(t.Resources)) {
    if (!r.Type.startsWith('Custom::') && r.Type !== 'AWS::CloudFormation::CustomResource') continue;
    const fn = t.Resources[getAttId(r.Properties?.ServiceToken) ?? ''];
    const subnets = (fn?.Properties?.VpcConfig as { SubnetIds?: { Ref: string }[] } | undefined)?.SubnetIds;
    if (!subnets?.length) continue;
    const vpc = subnetVpc.get(subnets[0]!.Ref);
    const endpoints = resources(t, 'AWS::EC2::VPCEndpoint')
      .filter(([, e]) => JSON.stringify(e.Properties!.VpcId) === vpc)
      .map(([eid]) => eid);
    out.push({ id, dependsOn: (r.DependsOn as string[] | undefined) ?? [], endpoints });
  }
  return out;
}

describe.each(EXAMPLE_TENANTS)('%s is deployable', (id) => {
  const json = () => fleet.json[id]!;

  test('every custom resource whose handler runs in a VPC waits for all of that VPC\'s endpoints', () => {
    const found = inVpcCustomResources(json());
    expect(found.length).toBe(id === 'fedline-gov' ? 7 : 0);
    for (const r of found) {
      expect(r.endpoints.length).toBeGreaterThanOrEqual(6);
      expect([r.id, r.dependsOn]).toEqual([r.id, expect.arrayContaining(r.endpoints)]);
    }
  });

  test('nothing is plain Retain: a failed first deploy deletes what it created (RetainExceptOnCreate)', () => {
    const retained = Object.entries(json().Resources).filter(([, r]) => r.DeletionPolicy === 'Retain');
    expect(retained.map(([rid]) => rid)).toEqual([]);
    expect(Object.values(json().Resources).filter((r) => r.DeletionPolicy === 'RetainExceptOnCreate').length).toBeGreaterThan(15);
  });

  test(id === 'fedline-gov' ? 'no Lambda function carries LoggingConfig (GovCloud)' : 'Lambda functions keep their LoggingConfig outside GovCloud', () => {
    const functions = resources(json(), 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    const withConfig = functions.filter(([, fn]) => fn.Properties!.LoggingConfig !== undefined).map(([fid]) => fid);
    if (id === 'fedline-gov') expect(withConfig).toEqual([]);
    else expect(withConfig.length).toBeGreaterThan(0);
  });
});

describe('WithoutLambdaLoggingConfig', () => {
  test('fails synth when one log group serves several functions (each needs /aws/lambda/<its name>)', () => {
    const stack = testStack({ account: '333333333333', region: 'us-gov-west-1' });
    const group = new logs.LogGroup(stack, 'Shared');
    for (const fid of ['One', 'Two']) {
      new lambda.Function(stack, fid, {
        code: lambda.Code.fromInline('exports.h = async () => {}'),
        handler: 'index.h',
        runtime: lambda.Runtime.NODEJS_22_X,
        logGroup: group,
      });
    }
    Aspects.of(stack).add(new WithoutLambdaLoggingConfig());
    expect(() => Template.fromStack(stack)).toThrow(
      /LoggingConfig is not available in us-gov-west-1: log group Shared\w+ must serve this function alone, .*\(it serves 2\)/,
    );
  });

  test('renames a group that serves one function to /aws/lambda/<name> and orders the function after it', () => {
    const stack = testStack({ account: '333333333333', region: 'us-gov-west-1' });
    new lambda.Function(stack, 'Fn', {
      code: lambda.Code.fromInline('exports.h = async () => {}'),
      handler: 'index.h',
      runtime: lambda.Runtime.NODEJS_22_X,
      logGroup: new logs.LogGroup(stack, 'Own'),
      loggingFormat: lambda.LoggingFormat.JSON,
    });
    Aspects.of(stack).add(new WithoutLambdaLoggingConfig());
    const t = Template.fromStack(stack);
    const fn = Object.values(t.findResources('AWS::Lambda::Function'))[0]!;
    expect(fn.Properties.LoggingConfig).toBeUndefined();
    const groupId = Object.keys(t.findResources('AWS::Logs::LogGroup'))[0]!;
    expect(fn.DependsOn).toContain(groupId);
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/lambda/${fn.Properties.FunctionName as string}` });
    expect(Stack.of(stack).region).toBe('us-gov-west-1');
  });
});

describe('probe tenants: zones that are not a, b, c, and the first deploy of the hsm level', () => {
  const manifest = (id: string, account: string, region: string, zones: string, extra = '') =>
    [
      `id: ${id}`,
      `account: "${account}"`,
      `region: ${region}`,
      'isolation: hardware',
      'compliance: [hipaa]',
      'licence:',
      '  justification: "probe tenant of the deploy-readiness tests"',
      '  approvedBy: probe@example.com',
      '  reviewBy: 2027-06-30',
      'network:',
      '  cidr: 10.60.0.0/16',
      `  availabilityZones: [${zones}]`,
      'workload:',
      '  ticketsPerDay: 2000',
      extra,
    ].join('\n');
  let built: ReturnType<typeof buildApp>;
  const template = (id: string): Template => Template.fromStack(built.stacks.find((s) => s.manifest.id === id)!);

  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exclusive-desk-probes-'));
    fs.writeFileSync(path.join(dir, 'probe-canada.yaml'), manifest('probe-canada', '666666666661', 'ca-central-1', 'ca-central-1a, ca-central-1b, ca-central-1d'));
    fs.writeFileSync(path.join(dir, 'probe-tokyo.yaml'), manifest('probe-tokyo', '666666666662', 'ap-northeast-1', 'ap-northeast-1a, ap-northeast-1c, ap-northeast-1d'));
    fs.writeFileSync(
      path.join(dir, 'probe-gov-first.yaml'),
      manifest('probe-gov-first', '666666666663', 'us-gov-west-1', 'us-gov-west-1a, us-gov-west-1b, us-gov-west-1c')
        .replace('isolation: hardware', 'isolation: hsm')
        .replace('compliance: [hipaa]', 'compliance: [itar]') + '\nhsm:\n  phase: cluster\n',
    );
    // The real app: nag packs and the isolation verifier run; synth throws on any error.
    const app = testApp();
    built = buildApp(app, { tenantsDir: dir, today: TODAY });
    app.synth();
  });

  test.each([
    ['probe-canada', ['ca-central-1a', 'ca-central-1b', 'ca-central-1d']],
    ['probe-tokyo', ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d']],
  ])('%s puts its subnets, database and search domain in the zones its manifest names', (id, zones) => {
    const t = template(id);
    const subnetZones = Object.values(t.findResources('AWS::EC2::Subnet')).map((s) => s.Properties.AvailabilityZone as string);
    expect([...new Set(subnetZones)].sort()).toEqual(zones);
    expect(subnetZones).toHaveLength(6);
    t.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true });
    t.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({ ZoneAwarenessEnabled: true, ZoneAwarenessConfig: { AvailabilityZoneCount: 3 } }),
    });
  });

  test('the cluster phase deploys the network, the ceremony path and the cluster, and nothing it would have to encrypt', () => {
    const t = template('probe-gov-first');
    t.resourceCountIs('Custom::ExclusiveDeskHsmCluster', 1);
    for (const type of [
      'Custom::ExclusiveDeskCustomKeyStore',
      'Custom::ExclusiveDeskHsmKey',
      'AWS::RDS::DBInstance',
      'AWS::OpenSearchService::Domain',
      'AWS::Backup::BackupVault',
      'Custom::LiveVerificationGate',
    ]) {
      t.resourceCountIs(type, 0);
    }
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-gov-west-1.ssmmessages' });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 2223, ToPort: 2225 });
    t.hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HsmCluster'), 'ClusterId'] } });
    t.allResourcesProperties('Custom::ExclusiveDeskHsmCluster', { ServiceTimeout: '3600' });
  });
});
