import { describe, extOf, litString, type ResourceRef, type StackModel, type TenantModel } from '../../model';
import { accountOwnership, cidrInfo, cidrWithin, isPrivateCidr, propertyIndex, targetResource } from '../../facts';
import type { IsolationRule, Reporter } from '../../rule';

const LOAD_BALANCERS = ['AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancing::LoadBalancer'];

/** Which resources use each security group (by logical id). */
function sgUsers(tenant: TenantModel): Map<ResourceRef, ResourceRef[]> {
  return tenant.cached('sgUsers', () => {
    const users = new Map<ResourceRef, ResourceRef[]>();
    for (const { resource: r, node, key, direct } of propertyIndex(tenant)) {
      if (r.type.startsWith('AWS::EC2::SecurityGroup') || !key || !direct || !/SecurityGroup/i.test(key)) continue;
      const vals = r.stack.flatValues(node);
      for (const v of vals) {
        const sg = targetResource(v);
        if (sg?.type === 'AWS::EC2::SecurityGroup' && !(users.get(sg) ?? []).includes(r)) users.set(sg, [...(users.get(sg) ?? []), r]);
      }
    }
    return users;
  });
}

function tenantCidrs(tenant: TenantModel): string[] {
  return tenant.cached('tenantCidrs', () =>
    [
      ...tenant.ofType('AWS::EC2::VPC').flatMap((v) => v.stack.resolve(v.props.CidrBlock)),
      ...tenant.ofType('AWS::EC2::VPCCidrBlock').flatMap((v) => v.stack.resolve(v.props.CidrBlock)),
    ]
      .map(litString)
      .filter((c): c is string => !!c),
  );
}

/** Parameters (per stack) that set the CIDR block of a tenant VPC: ingress from them is ingress from the VPC. */
function tenantCidrParams(tenant: TenantModel): Set<string> {
  return tenant.cached('tenantCidrParams', () => {
    const out = new Set<string>();
    for (const vpc of tenant.ofType('AWS::EC2::VPC', 'AWS::EC2::VPCCidrBlock')) {
      for (const v of vpc.stack.resolve(vpc.props.CidrBlock)) if (v.k === 'ext' && v.kind === 'param') out.add(`${vpc.stack.name}:${v.name}`);
    }
    return out;
  });
}

function checkRule(
  stack: StackModel,
  owner: ResourceRef,
  sg: ResourceRef | undefined,
  rule: Record<string, unknown>,
  path: string,
  report: Reporter,
): void {
  const tenant = stack.tenant;
  const users = sg ? (sgUsers(tenant).get(sg) ?? []) : [];
  const lbOnly = users.length > 0 && users.every((u) => LOAD_BALANCERS.includes(u.type));
  const subject = sg ? sg.id : owner.id;
  const here = { stack: owner.stack.name, resource: owner.id };
  for (const key of ['CidrIp', 'CidrIpv6']) {
    for (const v of stack.resolve(rule[key])) {
      if (v.k === 'absent') continue;
      const t = targetResource(v);
      if (t && (t.type === 'AWS::EC2::VPC' || t.type === 'AWS::EC2::VPCCidrBlock')) {
        report.pass({ ...here, path: `${path}.${key}`, value: describe(v), message: `${subject} admits the tenant VPC ${t.id}` });
        continue;
      }
      const cidr = litString(v);
      if (v.k === 'ext' && v.kind === 'param' && tenantCidrParams(tenant).has(`${stack.name}:${v.name}`)) {
        report.pass({ ...here, path: `${path}.${key}`, value: describe(v), message: `${subject} admits ${describe(v)}, the parameter that also sets a tenant VPC's range` });
        continue;
      }
      if (cidr === undefined) {
        report.unverifiable({ ...here, path: `${path}.${key}`, value: describe(v), message: `${subject} admits ${describe(v)}, which cannot be resolved to a range` });
        continue;
      }
      const range = cidrInfo(cidr);
      const anywhere = cidr.endsWith('/0') || (range !== undefined && range.start === 0 && range.end === 2 ** 32 - 1);
      if (anywhere || (key === 'CidrIp' && !isPrivateCidr(cidr))) {
        const msg = `${subject} admits ${cidr} (${anywhere ? 'the whole internet' : 'a public range'})`;
        if (lbOnly) {
          report.fail({ ...here, path: `${path}.${key}`, value: cidr, severity: 'warning', message: `${msg} on a security group used only by load balancers: a public entry point, not a data store` });
        } else report.fail({ ...here, path: `${path}.${key}`, value: cidr, message: msg });
      } else if (tenantCidrs(tenant).some((own) => cidrWithin(cidr, own))) {
        report.pass({ ...here, path: `${path}.${key}`, value: cidr, message: `${subject} admits ${cidr}, inside the tenant's VPC ranges` });
      } else {
        report.fail({ ...here, path: `${path}.${key}`, value: cidr, severity: 'warning', message: `${subject} admits ${cidr}, a private range outside the tenant's VPCs (another network)` });
      }
    }
  }
  for (const v of stack.resolve(rule.SourceSecurityGroupId)) {
    if (v.k === 'absent') continue;
    const t = targetResource(v);
    if (t && (t.type === 'AWS::EC2::SecurityGroup' || t.type === 'AWS::EC2::VPC')) {
      report.pass({ ...here, path: `${path}.SourceSecurityGroupId`, value: describe(v), message: `${subject} admits the tenant's security group ${t.id}` });
    } else if (extOf(v) && extOf(v)!.kind !== 'import') {
      report.unverifiable({ ...here, path: `${path}.SourceSecurityGroupId`, value: describe(v), message: `${subject} admits the security group ${describe(v)}` });
    } else {
      report.fail({ ...here, path: `${path}.SourceSecurityGroupId`, value: describe(v), message: `${subject} admits the security group ${describe(v)}, which the tenant does not define` });
    }
  }
  for (const v of stack.resolve(rule.SourceSecurityGroupOwnerId)) {
    if (v.k === 'absent') continue;
    const o = accountOwnership(tenant, v);
    if (o === 'self') continue;
    const msg = `${subject} admits security groups of account ${describe(v)}`;
    if (o === 'other') report.fail({ ...here, path: `${path}.SourceSecurityGroupOwnerId`, value: describe(v), message: msg });
    else report.unverifiable({ ...here, path: `${path}.SourceSecurityGroupOwnerId`, value: describe(v), message: msg });
  }
  for (const v of stack.resolve(rule.SourceSecurityGroupName)) {
    if (v.k === 'absent') continue;
    const t = targetResource(v);
    if (t?.type === 'AWS::EC2::SecurityGroup') continue;
    report.fail({ ...here, path: `${path}.SourceSecurityGroupName`, value: describe(v), message: `${subject} admits the security group named ${describe(v)}, which the tenant does not define` });
  }
  for (const v of stack.resolve(rule.SourcePrefixListId)) {
    if (v.k === 'absent') continue;
    const t = targetResource(v);
    if (t?.type === 'AWS::EC2::PrefixList') {
      report.pass({ ...here, path: `${path}.SourcePrefixListId`, value: describe(v), message: `${subject} admits the tenant's prefix list ${t.id}` });
      continue;
    }
    report.fail({ ...here, path: `${path}.SourcePrefixListId`, value: describe(v), message: `${subject} admits the prefix list ${describe(v)}, whose ranges the tenant does not define` });
  }
}

/** ISO-NET-5: security groups admit traffic only from the tenant's own groups and ranges. */
export const ingressOnlyFromTenant: IsolationRule = {
  id: 'ISO-NET-5',
  title: "Security groups admit traffic only from the tenant's own security groups and address ranges",
  severity: 'error',
  concern: 'network',
  proves: 'network',
  rationale:
    'Ingress from a security group of the vendor (sg- literal, another account\'s group), a vendor prefix list or ' +
    '0.0.0.0/0 opens the tenant\'s data stores to machines that serve other customers: the network boundary is shared.',
  remediation: 'Allow ingress only from the tenant\'s own security groups (TenantDatabase allowFrom / connections), never from CIDRs or foreign groups.',
  controls: ['NIST SC-7', 'NIST AC-4', 'PCI DSS 1.3.1', 'PCI DSS 1.3.2', 'HIPAA 164.312(e)(1)'],
  checkTemplate(tenant, report) {
    for (const sg of tenant.ofType('AWS::EC2::SecurityGroup')) {
      sg.stack.elements(sg.props.SecurityGroupIngress).forEach((rule, i) => {
        if (rule && typeof rule === 'object') checkRule(sg.stack, sg, sg, rule as Record<string, unknown>, `Properties.SecurityGroupIngress[${i}]`, report);
      });
    }
    for (const ing of tenant.ofType('AWS::EC2::SecurityGroupIngress')) {
      let sg: ResourceRef | undefined;
      for (const v of ing.stack.resolve(ing.props.GroupId ?? ing.props.GroupName)) {
        const t = targetResource(v);
        if (t?.type === 'AWS::EC2::SecurityGroup') sg = t;
      }
      checkRule(ing.stack, ing, sg, ing.props, 'Properties', report);
    }
  },
};
