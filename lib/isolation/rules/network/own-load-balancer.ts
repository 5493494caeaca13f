import { describe, extOf, type RawNode, type ResourceRef } from '../../model';
import { targetResource } from '../../facts';
import type { IsolationRule, Reporter } from '../../rule';

const LISTENER = ['AWS::ElasticLoadBalancingV2::Listener'];
const LOAD_BALANCER = ['AWS::ElasticLoadBalancingV2::LoadBalancer'];
const TARGET_GROUP = ['AWS::ElasticLoadBalancingV2::TargetGroup'];
const CLASSIC = ['AWS::ElasticLoadBalancing::LoadBalancer'];

/**
 * Judges one property that names a listener, load balancer or target group: a Ref/GetAtt of the tenant's own passes,
 * a parameter or other value the verifier cannot follow cannot be verified, a literal ARN or an import fails.
 * (Ref of AWS::ElasticLoadBalancingV2::Listener, LoadBalancer and TargetGroup returns the ARN; of
 * AWS::ElasticLoadBalancing::LoadBalancer the name: AWS CloudFormation User Guide, each type's "Return values".)
 */
function judge(r: ResourceRef, node: RawNode, path: string, types: readonly string[], what: string, report: Reporter): void {
  for (const v of r.stack.flatValues(node)) {
    if (v.k === 'absent') continue;
    const base = { stack: r.stack.name, resource: r.id, path, value: describe(v) };
    const t = targetResource(v);
    if (t && types.includes(t.type)) {
      report.pass({ ...base, message: `${r.id} attaches to the tenant's ${what} ${t.id}` });
      continue;
    }
    const ext = extOf(v);
    if (ext && ext.kind !== 'import') {
      report.unverifiable({ ...base, message: `${r.id} attaches to the ${what} ${describe(v)}, which the verifier cannot follow to a ${what} the tenant defines (it may be a load balancer shared by every customer)` });
    } else if (t) {
      report.unverifiable({ ...base, message: `${r.id} attaches to ${describe(v)}, a ${t.type}, not a ${what} the tenant defines` });
    } else {
      report.fail({ ...base, message: `${r.id} attaches to the ${what} ${describe(v)}, which the tenant's templates do not define: a load balancer shared with other customers` });
    }
  }
}

/** Every `TargetGroupArn` of a listener or listener rule action (plain forward and weighted ForwardConfig). */
function actionTargetGroups(r: ResourceRef, key: 'Actions' | 'DefaultActions', report: Reporter): void {
  const s = r.stack;
  s.elements(r.props[key]).forEach((action, i) => {
    if (!action || typeof action !== 'object') return;
    const a = action as Record<string, unknown>;
    if (a.TargetGroupArn !== undefined) judge(r, a.TargetGroupArn, `Properties.${key}[${i}].TargetGroupArn`, TARGET_GROUP, 'target group', report);
    for (const fc of s.nodesAt(a, ['ForwardConfig'])) {
      s.elements((fc as Record<string, unknown> | undefined)?.TargetGroups).forEach((tg, j) => {
        if (tg && typeof tg === 'object') judge(r, (tg as Record<string, unknown>).TargetGroupArn, `Properties.${key}[${i}].ForwardConfig.TargetGroups[${j}].TargetGroupArn`, TARGET_GROUP, 'target group', report);
      });
    }
  });
}

/** ISO-NET-7: listener rules, listeners and target-group registrations attach only to load balancers the tenant defines. */
export const ownLoadBalancer: IsolationRule = {
  id: 'ISO-NET-7',
  title: 'Listener rules, listeners and target groups attach only to load balancers the tenant defines',
  severity: 'error',
  concern: 'network',
  proves: 'network',
  rationale:
    'The shared-load-balancer fake runs one Application Load Balancer for every customer and routes by host name or ' +
    'header: each tenant stack adds only a listener rule (and a target group) to the vendor\'s listener, passed in as ' +
    'a parameter, an import or a literal ARN. Every customer\'s traffic, TLS termination, certificates and access logs ' +
    'then pass through one shared entry point.',
  remediation:
    'Define the load balancer and its listener in the tenant stack (elbv2.ApplicationLoadBalancer, addListener) and add ' +
    'rules and targets to that listener; never import a listener or take its ARN from a parameter.',
  controls: ['NIST SC-7', 'NIST AC-4', 'NIST SC-2', 'PCI DSS 1.2.1'],
  checkTemplate(tenant, report) {
    for (const r of tenant.ofType('AWS::ElasticLoadBalancingV2::ListenerRule')) {
      judge(r, r.props.ListenerArn, 'Properties.ListenerArn', LISTENER, 'listener', report);
      actionTargetGroups(r, 'Actions', report);
    }
    for (const r of tenant.ofType('AWS::ElasticLoadBalancingV2::ListenerCertificate')) {
      judge(r, r.props.ListenerArn, 'Properties.ListenerArn', LISTENER, 'listener', report);
    }
    for (const r of tenant.ofType('AWS::ElasticLoadBalancingV2::Listener')) {
      judge(r, r.props.LoadBalancerArn, 'Properties.LoadBalancerArn', LOAD_BALANCER, 'load balancer', report);
      actionTargetGroups(r, 'DefaultActions', report);
    }
    for (const r of tenant.ofType('AWS::ECS::Service')) {
      r.stack.elements(r.props.LoadBalancers).forEach((lb, i) => {
        if (!lb || typeof lb !== 'object') return;
        const l = lb as Record<string, unknown>;
        if (l.TargetGroupArn !== undefined) judge(r, l.TargetGroupArn, `Properties.LoadBalancers[${i}].TargetGroupArn`, TARGET_GROUP, 'target group', report);
        if (l.LoadBalancerName !== undefined) judge(r, l.LoadBalancerName, `Properties.LoadBalancers[${i}].LoadBalancerName`, CLASSIC, 'load balancer', report);
      });
    }
    for (const r of tenant.ofType('AWS::AutoScaling::AutoScalingGroup')) {
      if (r.props.TargetGroupARNs !== undefined) judge(r, r.props.TargetGroupARNs, 'Properties.TargetGroupARNs', TARGET_GROUP, 'target group', report);
      if (r.props.LoadBalancerNames !== undefined) judge(r, r.props.LoadBalancerNames, 'Properties.LoadBalancerNames', CLASSIC, 'load balancer', report);
    }
  },
};
