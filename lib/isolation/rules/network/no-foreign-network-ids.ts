import { describe, extOf, litString, splitValue, type ResourceRef, type TenantModel } from '../../model';
import { literalIdentifiers, targetResource, propertyIndex } from '../../facts';
import type { IsolationRule, Reporter } from '../../rule';

/** Property names that place a resource in a network; their values must be the tenant's own resources. */
// No prototype: a property named toString or constructor is not a network key.
const NETWORK_KEYS: Record<string, readonly string[]> = Object.assign(Object.create(null) as Record<string, readonly string[]>, {
  VpcId: ['AWS::EC2::VPC'],
  PeerVpcId: ['AWS::EC2::VPC'],
  SubnetId: ['AWS::EC2::Subnet'],
  SubnetIds: ['AWS::EC2::Subnet'],
  Subnets: ['AWS::EC2::Subnet'],
  VPCZoneIdentifier: ['AWS::EC2::Subnet'],
  SecurityGroupIds: ['AWS::EC2::SecurityGroup', 'AWS::EC2::VPC'],
  VpcSecurityGroupIds: ['AWS::EC2::SecurityGroup', 'AWS::EC2::VPC'],
  VPCSecurityGroups: ['AWS::EC2::SecurityGroup', 'AWS::EC2::VPC'],
  SecurityGroupId: ['AWS::EC2::SecurityGroup', 'AWS::EC2::VPC'],
  // Launch configurations, ECS awsvpc configurations, load balancers and EC2 instances; names or ids.
  SecurityGroups: ['AWS::EC2::SecurityGroup', 'AWS::EC2::VPC'],
  GroupId: ['AWS::EC2::SecurityGroup', 'AWS::EC2::VPC'],
  SourceSecurityGroupId: ['AWS::EC2::SecurityGroup', 'AWS::EC2::VPC'],
  DestinationSecurityGroupId: ['AWS::EC2::SecurityGroup', 'AWS::EC2::VPC'],
});
const NESTED_STACK = 'AWS::CloudFormation::Stack';
/** Keys checked outside the shared index walk (their names are too common to index). */
const EXTRA_KEYS: Record<string, readonly string[]> = Object.assign(Object.create(null) as Record<string, readonly string[]>, { Groups: ['AWS::EC2::SecurityGroup'] });
/** Keys whose literal values may be security group names (default VPC) rather than ids. */
const GROUP_NAME_KEYS = new Set(['SecurityGroups', 'Groups']);
/** Resource types whose own id-like properties are not network placements. */
const SKIP_TYPES = new Set(['AWS::EC2::VPCPeeringConnection']);

/** The literal GroupName of every security group the tenant defines. */
function tenantGroupNames(tenant: TenantModel): Set<string> {
  return tenant.cached('tenantGroupNames', () => new Set(
    tenant.ofType('AWS::EC2::SecurityGroup').flatMap((g) => g.stack.resolve(g.props.GroupName).map(litString)).filter((n): n is string => !!n),
  ));
}

function checkValue(r: ResourceRef, key: string, node: unknown, path: string, report: Reporter): void {
  const allowed = NETWORK_KEYS[key] ?? EXTRA_KEYS[key]!;
  let values = r.stack.flatValues(node);
  if (r.type === NESTED_STACK) {
    // A parameter passed to a nested stack whose template was read is checked where the nested stack uses it. Of
    // one that was not read (ISO-TPL-1 fails it), the values are still checked: CloudFormation takes a list there
    // only as one comma-joined string, so each member is one value.
    if (r.stack.nestedStack(r.id)) return;
    values = values.flatMap((v) => splitValue(v, ',', true));
  }
  for (const v of values) {
    if (v.k === 'absent') continue;
    const target = targetResource(v);
    if (target && allowed.includes(target.type)) continue;
    if (target && (target.type === 'AWS::EC2::SecurityGroup' || target.type === 'AWS::EC2::Subnet' || target.type === 'AWS::EC2::VPC')) continue;
    const ext = extOf(v);
    if (v.k === 'lit' && typeof v.v === 'string' && !/^(vpc|subnet|sg)-/.test(v.v)) {
      // A security group named, not referenced: one of the default VPC unless the tenant defines a group of that name.
      if (GROUP_NAME_KEYS.has(key) && !tenantGroupNames(r.stack.tenant).has(v.v)) {
        report.fail({ stack: r.stack.name, resource: r.id, path, value: describe(v), message: `${r.id}.${key} names the security group ${describe(v)}, which the tenant's templates do not define` });
      }
      continue; // other keys: names such as "default"
    }
    if (ext && ext.kind !== 'import') {
      report.unverifiable({ stack: r.stack.name, resource: r.id, path, value: describe(v), message: `${r.id}.${key} comes from ${ext.what}: the network may be shared` });
    } else if (!target) {
      report.fail({ stack: r.stack.name, resource: r.id, path, value: describe(v), message: `${r.id}.${key} is ${describe(v)}, a network the tenant's templates do not define` });
    }
  }
}

/** ISO-NET-2: no resource is placed in a VPC, subnet or security group the tenant does not define. */
export const noForeignNetworkIds: IsolationRule = {
  id: 'ISO-NET-2',
  title: 'No resource uses a VPC, subnet or security group the tenant does not define',
  severity: 'error',
  concern: 'network',
  proves: 'network',
  rationale:
    'Literal vpc-, subnet- and sg- ids, network parameters and imported network ids put tenant resources into a ' +
    'network someone else owns, typically the vendor\'s shared VPC or a subnet shared into the account with RAM.',
  remediation: 'Reference the TenantNetwork VPC, subnets and security groups (Ref/Fn::GetAtt) everywhere.',
  controls: ['NIST SC-7', 'NIST AC-4', 'PCI DSS 1.2.1', 'PCI DSS 1.3.1'],
  checkTemplate(tenant, report) {
    for (const entry of propertyIndex(tenant)) {
      const { resource: r, key } = entry;
      if (SKIP_TYPES.has(r.type) || !key || !entry.direct || !(key in NETWORK_KEYS)) continue;
      checkValue(r, key, entry.node, entry.path, report);
    }
    for (const lit of literalIdentifiers(tenant)) {
      if (lit.kind !== 'network' || lit.id.startsWith('pl-') || SKIP_TYPES.has(lit.resource.type)) continue;
      const key = lit.path.split('.').pop()?.replace(/(\[\d+\])+$/, '') ?? '';
      if (key in NETWORK_KEYS || (key in EXTRA_KEYS && lit.resource.type === 'AWS::EC2::LaunchTemplate')) continue; // already reported above
      report.fail({ stack: lit.resource.stack.name, resource: lit.resource.id, path: lit.path, value: lit.value, message: `${lit.resource.id} names ${lit.value}, a network resource the tenant's templates do not define` });
    }
    // Launch template network interfaces name their security groups as Groups.
    for (const r of tenant.ofType('AWS::EC2::LaunchTemplate')) {
      r.stack.elements(r.stack.nodesAt(r.props, ['LaunchTemplateData', 'NetworkInterfaces'])[0]).forEach((ni, i) => {
        if (ni && typeof ni === 'object' && (ni as Record<string, unknown>).Groups !== undefined) {
          checkValue(r, 'Groups', (ni as Record<string, unknown>).Groups, `Properties.LaunchTemplateData.NetworkInterfaces[${i}].Groups`, report);
        }
      });
    }
    const vpcs = tenant.ofType('AWS::EC2::VPC');
    if (vpcs.length > 0) {
      report.pass({ stack: vpcs[0]!.stack.name, resource: vpcs[0]!.id, path: '-', value: vpcs.map((v) => v.id).join(', '), message: `the tenant defines its VPC(s): ${vpcs.map((v) => v.id).join(', ')}` });
    }
  },
};
