import { describe, extOf, litString, type ResourceRef, type TenantModel } from '../../model';
import { foreignClusterArns, parseArn, targetResource } from '../../facts';
import type { Reporter } from '../../rule';

/**
 * Checks that a property naming a cluster resolves to a cluster the tenant defines. Shared by the ECS and
 * Kubernetes rules; a literal name or ARN matches only when a tenant cluster declares that literal name.
 */
/** A literal cluster ARN anywhere (an IAM policy, a scheduler target) names a cluster outside the tenant. */
export function checkForeignClusterArns(tenant: TenantModel, service: 'ecs' | 'eks', report: Reporter): void {
  const kind = service.toUpperCase();
  for (const l of foreignClusterArns(tenant, [service])) {
    report.fail({ stack: l.resource.stack.name, resource: l.resource.id, path: l.path, value: l.value, message: `${l.resource.id} names the ${kind} cluster ${l.value}, which the tenant's templates do not define (a shared cluster)` });
  }
}

export function checkClusterRef(
  r: ResourceRef,
  path: readonly string[],
  clusterTypes: readonly string[],
  kind: string,
  report: Reporter,
  options: { missing?: string } = {},
): void {
  const values = r.stack.valuesAt(r.props, path);
  const tenantNames = new Set(
    r.stack.tenant
      .ofType(...clusterTypes)
      .flatMap((c) => c.stack.resolve(c.props.ClusterName ?? c.props.Name).map(litString))
      .filter((n): n is string => !!n),
  );
  for (const v of values) {
    const p = `Properties.${path.join('.')}`;
    if (v.k === 'absent') {
      if (options.missing) report.unverifiable({ stack: r.stack.name, resource: r.id, path: p, message: options.missing });
      continue;
    }
    const target = targetResource(v);
    if (target && clusterTypes.includes(target.type)) {
      report.pass({ stack: r.stack.name, resource: r.id, path: p, value: describe(v), message: `${r.id} runs on the tenant's ${kind} cluster ${target.id}` });
      continue;
    }
    const literal = litString(v);
    const arn = parseArn(v);
    const name = literal !== undefined ? (arn ? arn.resource.split('/').pop() ?? literal : literal) : undefined;
    if (name !== undefined && tenantNames.has(name)) {
      report.pass({ stack: r.stack.name, resource: r.id, path: p, value: describe(v), message: `${r.id} runs on the tenant's ${kind} cluster named ${name}` });
      continue;
    }
    const ext = extOf(v);
    if (ext && ext.kind !== 'import') {
      report.unverifiable({
        stack: r.stack.name, resource: r.id,
        path: p,
        value: describe(v),
        message: `${r.id} runs on the ${kind} cluster ${describe(v)}, which the verifier cannot follow to a cluster the tenant defines`,
      });
    } else {
      report.fail({
        stack: r.stack.name, resource: r.id,
        path: p,
        value: describe(v),
        message: `${r.id} runs on the ${kind} cluster ${describe(v)}, which the tenant's templates do not define (a shared cluster)`,
      });
    }
  }
}

/** Cluster names that EC2 user data joins (`ECS_CLUSTER=...`, `bootstrap.sh <name>`, nodeadm `name:`). */
export function userDataClusters(r: ResourceRef): { value: string; own: boolean; kind: 'ECS' | 'EKS' }[] {
  const out: { value: string; own: boolean; kind: 'ECS' | 'EKS' }[] = [];
  const nodes = [
    ...r.stack.nodesAt(r.props, ['UserData']),
    ...r.stack.nodesAt(r.props, ['LaunchTemplateData', 'UserData']),
  ];
  for (const node of nodes) {
    for (const v of r.stack.resolve(node)) {
      const pieces = v.k === 'str' ? v.parts : v.k === 'lit' ? [String(v.v)] : [];
      const text = pieces.map((p) => (typeof p === 'string' ? p : p.k === 'res' ? '\u0001' : '\u0002')).join('');
      for (const m of text.matchAll(/ECS_CLUSTER=([^\s"'\\]+)/g)) out.push({ value: m[1]!, own: m[1]!.includes('\u0001'), kind: 'ECS' });
      for (const m of text.matchAll(/bootstrap\.sh['"]?\s+['"]?([^\s"'\\]+)/g)) out.push({ value: m[1]!, own: m[1]!.includes('\u0001'), kind: 'EKS' });
    }
  }
  return out;
}

/**
 * Fails EC2 instances and launch templates whose user data joins a cluster the tenant does not define
 * (`ECS_CLUSTER=<name>` for ECS, `bootstrap.sh <name>` for EKS). Shared by the ECS and Kubernetes rules.
 */
export function checkUserDataJoins(
  tenant: TenantModel,
  kind: 'ECS' | 'EKS',
  clusterTypes: readonly string[],
  nameProp: 'ClusterName' | 'Name',
  report: Reporter,
): void {
  const names = new Set(tenant.ofType(...clusterTypes).flatMap((c) => c.stack.resolve(c.props[nameProp]).map(litString)));
  for (const r of tenant.ofType('AWS::EC2::Instance', 'AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::LaunchConfiguration')) {
    for (const joined of userDataClusters(r).filter((j) => j.kind === kind)) {
      const shown = joined.value.replace(/[\u0001\u0002]/g, '?');
      if (joined.own || names.has(joined.value)) {
        report.pass({ stack: r.stack.name, resource: r.id, path: 'Properties.UserData', value: shown, message: `${r.id} joins the tenant's ${kind} cluster` });
      } else {
        report.fail({
          stack: r.stack.name, resource: r.id,
          path: 'Properties.UserData',
          value: kind === 'ECS' ? `ECS_CLUSTER=${shown}` : shown,
          message: `${r.id} ${kind === 'ECS' ? 'registers its instances with' : 'bootstraps its nodes into'} ${kind} cluster ${shown}, which the tenant's templates do not define`,
        });
      }
    }
  }
}
