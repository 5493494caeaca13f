/**
 * ISO-NET-7: one load balancer for every customer, each tenant adding a listener rule to the vendor's listener;
 * compliant, violation, could-not-verify and not-applicable cases, CDK listener rules synthesized for real, and the
 * public ECS service templates that attach to an imported listener.
 */
import * as path from 'node:path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { readTemplateFile, type CfnTemplate } from '../../lib/assembly/read';
import type { Finding } from '../../lib/isolation/rule';
import { findingsOf, statusOf, tpl, type TenantSpec } from './support';

const RULE = 'ISO-NET-7';
const brief = (fs: readonly Finding[]) => fs.map((f) => ({ rule: f.rule, resource: f.resource, path: f.path, kind: f.kind }));
const spec = (resources: Record<string, unknown>, extra: Record<string, unknown> = {}): TenantSpec => ({ account: '111111111111', templates: [tpl(resources, extra)] });
const rule = (listener: unknown, tg: unknown = { Ref: 'Tg' }) => ({
  Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
  Properties: { ListenerArn: listener, Priority: 10, Conditions: [{ Field: 'host-header', Values: ['tenant-a.example.com'] }], Actions: [{ Type: 'forward', TargetGroupArn: tg }] },
});
const TG = { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP' } };
const LISTENER_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/shared-alb/50dc6c495c0c9188/f2f7dc8efc522ab2';

describe('ISO-NET-7', () => {
  test('passes a rule on the tenant\'s own listener of its own load balancer', () => {
    const s = spec({
      Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: {} },
      Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: { Ref: 'Alb' }, Port: 443, DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Tg' } }] } },
      Tg: TG,
      Rule: rule({ Ref: 'Listener' }),
      Svc: { Type: 'AWS::ECS::Service', Properties: { Cluster: 'c', LoadBalancers: [{ ContainerName: 'app', ContainerPort: 80, TargetGroupArn: { Ref: 'Tg' } }] } },
    });
    expect(statusOf(RULE, s)).toBe('pass');
    expect(findingsOf(RULE, s)).toEqual([]);
  });

  test('fails a host-header rule on a literal listener ARN and a listener on another load balancer', () => {
    const s = spec({
      Tg: TG,
      Rule: rule(LISTENER_ARN),
      Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: { 'Fn::ImportValue': 'platform-alb-arn' }, Port: 8443, DefaultActions: [] } },
      Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '1', MaxSize: '1', TargetGroupARNs: ['arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/shared/73e2d6bc24d8a067'] } },
    });
    expect(brief(findingsOf(RULE, s))).toEqual([
      { rule: RULE, resource: 'Rule', path: 'Properties.ListenerArn', kind: 'violation' },
      { rule: RULE, resource: 'Listener', path: 'Properties.LoadBalancerArn', kind: 'violation' },
      { rule: RULE, resource: 'Asg', path: 'Properties.TargetGroupARNs', kind: 'violation' },
    ]);
    expect(findingsOf(RULE, s)[0]!.message).toBe(
      `Rule attaches to the listener "${LISTENER_ARN}", which the tenant's templates do not define: a load balancer shared with other customers`,
    );
  });

  test('cannot verify a listener ARN passed in as a parameter', () => {
    const s = spec({ Tg: TG, Rule: rule({ Ref: 'ListenerArn' }) }, { Parameters: { ListenerArn: { Type: 'String' } } });
    expect(statusOf(RULE, s)).toBe('unverifiable');
    expect(brief(findingsOf(RULE, s))).toEqual([{ rule: RULE, resource: 'Rule', path: 'Properties.ListenerArn', kind: 'unverifiable' }]);
  });

  test('is not applicable without listeners, rules or registrations', () => {
    expect(statusOf(RULE, spec({ Topic: { Type: 'AWS::SNS::Topic' } }))).toBe('not-applicable');
  });

  test('CDK: a rule on a listener imported by ARN parameter cannot be verified; on the tenant\'s own ALB it passes', () => {
    function synth(build: (stack: Stack, vpc: ec2.Vpc) => void): CfnTemplate {
      const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Tenant', { env: { account: '111111111111', region: 'eu-west-1' } });
      const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0 });
      build(stack, vpc);
      return Template.fromStack(stack).toJSON() as CfnTemplate;
    }
    const fake = synth((stack, vpc) => {
      const arn = new CfnParameter(stack, 'SharedListenerArn');
      const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Shared', {
        listenerArn: arn.valueAsString,
        securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'SharedSg', 'sg-0123456789abcdef0'),
      });
      new elbv2.ApplicationListenerRule(stack, 'Rule', {
        listener,
        priority: 10,
        conditions: [elbv2.ListenerCondition.hostHeaders(['tenant-a.example.com'])],
        action: elbv2.ListenerAction.forward([new elbv2.ApplicationTargetGroup(stack, 'Tg', { vpc, port: 80 })]),
      });
    });
    expect(brief(findingsOf(RULE, { account: '111111111111', templates: [fake] }))).toEqual([
      { rule: RULE, resource: expect.stringMatching(/^Rule[0-9A-F]{8}$/), path: 'Properties.ListenerArn', kind: 'unverifiable' },
    ]);

    const genuine = synth((stack, vpc) => {
      const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
      const listener = alb.addListener('Http', { port: 80, open: false });
      listener.addTargetGroups('Default', { targetGroups: [new elbv2.ApplicationTargetGroup(stack, 'Tg', { vpc, port: 80 })] });
      listener.addTargetGroups('TenantHost', {
        priority: 10,
        conditions: [elbv2.ListenerCondition.hostHeaders(['tenant-a.example.com'])],
        targetGroups: [new elbv2.ApplicationTargetGroup(stack, 'Tg2', { vpc, port: 80 })],
      });
    });
    expect(statusOf(RULE, { account: '111111111111', templates: [genuine] })).toBe('pass');
  });

  test('the public ECS service templates attach their rule to a listener imported from the cluster stack', () => {
    const CORPUS = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus', 'aws-cloudformation-templates');
    const loaded = readTemplateFile(path.join(CORPUS, 'ECS/FargateLaunchType/services/public-service.yaml'));
    if ('message' in loaded) throw new Error(loaded.message);
    const findings = findingsOf(RULE, { account: '111111111111', templates: [loaded.template] });
    expect(brief(findings)).toEqual([
      { rule: RULE, resource: 'LoadBalancerRule', path: 'Properties.ListenerArn', kind: 'violation' },
    ]);
    expect(findings[0]!.message).toContain('Fn::ImportValue of a computed name');
  });
});
