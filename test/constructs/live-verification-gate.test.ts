/**
 * LiveVerificationGate: the custom resource after the stateful resources, the function outside any VPC with a
 * generated least-privilege role, the encrypted log group, the drift schedule and its alarm, and one esbuild bundle
 * for the whole fleet.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, AssetStaging, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GATE_RESOURCE_TYPE, LiveVerificationGate, catalogueFingerprint, rateOf, type LiveVerificationGateProps } from '../../constructs/live-verification-gate';
import type { IsolationLevel } from '../../lib/isolation/levels';
import { TENANT_TAG_KEY } from '../../lib/live/config';
import { liveActionsFor } from '../../lib/live/permissions';
import { TENANT_TAG } from '../../lib/stacks/tenant-stack';
import { synthFleet, testApp } from '../support/fleet';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function gateStack(level: IsolationLevel = 'hardware', over: Partial<LiveVerificationGateProps> = {}, app: App = testApp(), id = 'Tenant') {
  const stack = new Stack(app, id, { env: ENV });
  const logsKey = new kms.Key(stack, 'LogsKey');
  const dataKey = new kms.Key(stack, 'DataKey');
  const db = new CfnResource(stack, 'Database', { type: 'AWS::RDS::DBInstance', properties: { DBInstanceClass: 'db.r6i.large', Engine: 'postgres' } });
  const gate = new LiveVerificationGate(stack, 'LiveVerification', { tenantId: 'acme-health', level, logsKey, verifies: [dataKey, db], ...over });
  return {
    stack,
    gate,
    logsKey,
    dataKey,
    db,
    get template(): Template {
      return Template.fromStack(stack);
    },
  };
}

describe('the deploy-time gate', () => {
  const { stack, template, dataKey, db, gate } = (() => {
    const g = gateStack();
    return { ...g, template: g.template };
  })();
  const id = (c: { node: { defaultChild?: unknown } } | CfnResource) => stack.getLogicalId(c instanceof CfnResource ? c : (c.node.defaultChild as CfnResource));

  test('is a custom resource on the function, with the tenant, account, region and level it verifies', () => {
    template.hasResourceProperties(GATE_RESOURCE_TYPE, {
      ServiceToken: { 'Fn::GetAtt': [id(gate.function), 'Arn'] },
      ServiceTimeout: '360',
      Target: { Tenant: 'acme-health', Account: '111111111111', Region: 'eu-west-1', Level: 'hardware' },
      Catalogue: catalogueFingerprint(),
    });
  });

  test('runs after the stateful resources exist, and after its role and log group', () => {
    const gateResource = Object.values(template.findResources(GATE_RESOURCE_TYPE))[0] as { DependsOn: string[] };
    expect(gateResource.DependsOn).toEqual(expect.arrayContaining([id(dataKey), id(db), id(gate.role), id(gate.policy), id(gate.logGroup)]));
  });

  test('the function runs outside any VPC, with its own role, log group and a timeout', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
      Role: { 'Fn::GetAtt': [id(gate.role), 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: id(gate.logGroup) } },
      VpcConfig: Match.absent(),
    });
  });

  test('the log group is explicit and encrypted with the tenant logs key', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogsKey'), 'Arn'] }, RetentionInDays: 365 });
  });

  test('has only its managed policy (no inline policy, no AWS managed policy)', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [{ Ref: id(gate.policy) }], Policies: Match.absent() });
  });

  test('acknowledges the LambdaInsideVPC rules with the reason', () => {
    const acks = gate.function.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules' || /acknowledg/i.test(m.type));
    const text = JSON.stringify(acks);
    for (const rule of ['HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC']) expect(text).toContain(rule);
    expect(text).toContain('Lambda cannot attach to the dedicated-tenancy VPCs');
  });
});

describe('the IAM policy is generated from the rules that count at the level', () => {
  function policy(level: IsolationLevel) {
    const { template } = gateStack(level);
    const statements = new Capture();
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { PolicyDocument: { Statement: statements } });
    return statements.asArray() as { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[];
  }
  const actions = (s: { Action: string | string[] }[]) => s.flatMap((x) => (Array.isArray(x.Action) ? x.Action : [x.Action]));

  test.each(['account', 'hardware', 'hsm'] as IsolationLevel[])('at %s: exactly the declared read actions, plus its own stack status and log group', (level) => {
    const statements = policy(level);
    const granted = actions(statements).sort();
    const extra = ['cloudformation:DescribeStacks', 'logs:CreateLogStream', 'logs:PutLogEvents'];
    expect(granted.filter((a) => !extra.includes(a))).toEqual(liveActionsFor(level));
    expect(granted).toEqual(expect.arrayContaining(extra));
    expect(granted.filter((a) => a.includes('*'))).toEqual([]);
    expect(granted.filter((a) => !/:(Describe|List|Get)/.test(a) && !extra.includes(a))).toEqual([]);
  });

  test('key reads are scoped to the tenant account, list/describe to its region, stack status to its own stack', () => {
    const statements = policy('hsm');
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.ReadTenantKeys!.Resource).toBe('arn:aws:kms:eu-west-1:111111111111:key/*');
    expect(bySid.DescribeTenantRegion!.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } });
    expect(bySid.ReadOwnStackStatus!.Resource).toEqual({ Ref: 'AWS::StackId' });
    expect(actions(statements)).toEqual(expect.arrayContaining(['cloudhsm:DescribeClusters', 'kms:DescribeCustomKeyStores']));
    expect(actions(policy('account'))).not.toContain('cloudhsm:DescribeClusters');
  });
});

describe('the drift check', () => {
  test('a daily EventBridge schedule by default, running the same function with the drift-check input', () => {
    const { template, gate, stack } = gateStack();
    const fnId = stack.getLogicalId(gate.function.node.defaultChild as CfnResource);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          Input: JSON.stringify({ 'exclusive-desk': 'drift-check', Target: { Tenant: 'acme-health', Account: '111111111111', Region: 'eu-west-1', Level: 'hardware' } }),
          RetryPolicy: { MaximumRetryAttempts: 2 },
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] } });
  });

  test('an alarm on the per-tenant error-findings metric; a silent check alarms too', () => {
    const { template } = gateStack();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ExclusiveDesk/LiveVerification',
      MetricName: 'ErrorFindings',
      Dimensions: [{ Name: 'Tenant', Value: 'acme-health' }],
      Statistic: 'Maximum',
      Period: 86400,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
    });
  });

  test('the manifest schedule sets the rule and the alarm period', () => {
    const { template } = gateStack('hardware', { schedule: events.Schedule.expression('rate(12 hours)') });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(12 hours)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Period: 43200, TreatMissingData: 'breaching' });
  });

  test('alarm actions, when given, notify on ALARM and OK', () => {
    const app = testApp();
    const topicStack = new Stack(app, 'Ops', { env: ENV });
    const topic = new sns.Topic(topicStack, 'Ops');
    const { template } = gateStack('hardware', { alarmActions: [new cloudwatchActions.SnsAction(topic)] }, app);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [Match.anyValue()], OKActions: [Match.anyValue()] });
  });

  test('a cron schedule (frequency unknown) does not treat missing data as a breach', () => {
    const { template } = gateStack('hardware', { schedule: events.Schedule.expression('cron(0 3 ? * MON-FRI *)') });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Period: 86400, TreatMissingData: 'notBreaching' });
  });

  test('rateOf reads rate expressions only', () => {
    expect(rateOf('rate(1 day)')!.toSeconds()).toBe(86400);
    expect(rateOf('rate(30 minutes)')!.toSeconds()).toBe(1800);
    expect(rateOf('cron(0 3 * * ? *)')).toBeUndefined();
  });
});

describe('props are checked early', () => {
  test('a timeout outside 1-15 minutes', () => {
    expect(() => gateStack('hardware', { timeout: Duration.minutes(20) })).toThrow('timeout must be between 1 and 15 minutes, got 20 minutes');
  });
  test('nothing to wait for', () => {
    expect(() => gateStack('hardware', { verifies: [] })).toThrow('verifies must list the stateful resources the gate verifies');
  });
  test('an environment-agnostic stack', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    expect(() => new LiveVerificationGate(stack, 'G', { tenantId: 't', level: 'account', logsKey: new kms.Key(stack, 'K'), verifies: [stack] })).toThrow(
      /needs a stack with an explicit account and region/,
    );
  });
});

describe('one bundle for the fleet (esbuild, locally, no Docker)', () => {
  test('three tenant stacks share one asset, bundled once per synth', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const childProcess = require('node:child_process') as typeof import('node:child_process');
    const spawn = jest.spyOn(childProcess, 'spawnSync');
    AssetStaging.clearAssetHashCache();
    const app = testApp({ context: { 'aws:cdk:bundling-stacks': ['**'] } });
    const stacks = ['a', 'b', 'c'].map((t) => gateStack('hardware', { tenantId: `tenant-${t}` }, app, `ExclusiveDesk-tenant-${t}`).stack);
    const assembly = app.synth();
    const esbuildRuns = spawn.mock.calls.filter((c) => JSON.stringify(c).includes('esbuild'));
    spawn.mockRestore();
    expect(esbuildRuns).toHaveLength(1);
    const codes = stacks.map((s) => {
      const fn = Object.values(assembly.getStackByName(s.stackName).template.Resources as Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>).find((r) => r.Type === 'AWS::Lambda::Function')!;
      return fn.Properties.Code!.S3Key;
    });
    expect(new Set(codes).size).toBe(1);
    const assets = fs.readdirSync(assembly.directory).filter((f) => f.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const bundle = fs.readFileSync(path.join(assembly.directory, assets[0]!, 'index.js'), 'utf8');
    expect(bundle).toContain('drift-check');
    expect(bundle).not.toContain('aws-cdk-lib');
  });
});

describe('in the tenant stacks of the example fleet', () => {
  const fleet = synthFleet();

  test.each([
    ['acme-health', 'hardware', 'rate(1 day)'],
    ['contoso-markets', 'hardware', 'rate(12 hours)'],
    ['fedline-gov', 'hsm', 'rate(1 day)'],
    ['northwind-bank', 'account', 'rate(1 day)'],
  ])('%s: a gate at its promised level (%s), on its manifest schedule (%s)', (tenant, level, schedule) => {
    const template = fleet.templates[tenant]!;
    template.hasResourceProperties(GATE_RESOURCE_TYPE, { Target: Match.objectLike({ Tenant: tenant, Level: level }) });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: schedule });
    const gate = Object.values(fleet.json[tenant]!.Resources).find((r) => r.Type === GATE_RESOURCE_TYPE)!;
    const dependsOn = gate.DependsOn as string[];
    // After the database, the search domain, the keys and the VPCs (and the HSM keys at hsm).
    for (const type of ['AWS::RDS::DBInstance', 'AWS::OpenSearchService::Domain', 'AWS::KMS::Key', 'AWS::EC2::VPC']) {
      const ids = Object.entries(fleet.json[tenant]!.Resources).filter(([, r]) => r.Type === type).map(([id]) => id);
      expect(ids.length).toBeGreaterThan(0);
      expect(dependsOn).toEqual(expect.arrayContaining(ids));
    }
    if (level === 'hsm') expect(dependsOn.some((d) => d.startsWith('Hsm'))).toBe(true);
    const actions = new Capture();
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DescribeTenantRegion', Action: actions })]) } });
    expect((actions.asArray() as string[]).includes('cloudhsm:DescribeClusters')).toBe(level === 'hsm');
  });

  test('the live rules look for the tag the tenant stack puts on every resource', () => {
    expect(TENANT_TAG_KEY).toBe(TENANT_TAG);
  });

  test('the log group is encrypted with the tenant logs key (the HSM logs key at hsm)', () => {
    const logGroup = (tenant: string) =>
      Object.entries(fleet.json[tenant]!.Resources).find(([id, r]) => r.Type === 'AWS::Logs::LogGroup' && id.startsWith('LiveVerificationLogs'))![1];
    expect(JSON.stringify(logGroup('acme-health').Properties!.KmsKeyId)).toContain('KeysLogsKey');
    expect(JSON.stringify(logGroup('fedline-gov').Properties!.KmsKeyId)).toContain('Hsm');
  });
});
