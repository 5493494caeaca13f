/**
 * What a tenant's first deploy needs from its account, read from what will really be deployed: the tenant's
 * manifest (account, region) and its synthesized stack in the cloud assembly (zones of its subnets, its database
 * class and engine, its search instance types, how many VPCs, interface endpoints and Elastic IPs it creates, and
 * the CDK bootstrap version the assembly requires). Pure: no I/O but the caller's, no SDK.
 */
import type { CfnResource, CfnTemplate } from '../assembly/read';

export interface DatabaseRequirement {
  readonly logicalId: string;
  readonly engine: string;
  /** As written in the template: a major version (`16`) or a full one (`16.4`). */
  readonly engineVersion: string;
  readonly instanceClass: string;
  /** Runs in a VPC whose instance tenancy is `dedicated`. */
  readonly dedicated: boolean;
  /** The zones of its subnet group's subnets. */
  readonly zones: readonly string[];
}

export interface SearchRequirement {
  readonly logicalId: string;
  readonly engineVersion: string;
  readonly instanceTypes: readonly string[];
  /** The domain is placed in a VPC: OpenSearch needs its service-linked role in the account. */
  readonly inVpc: boolean;
  readonly zones: readonly string[];
}

export interface TenantRequirements {
  readonly tenant: string;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  /** Minimum CDK bootstrap stack version the assembly declares for this stack (cloud assembly manifest). */
  readonly bootstrapVersion?: number;
  readonly zones: readonly string[];
  readonly vpcs: number;
  /** Interface endpoints per VPC the stack creates, keyed by the VPC's logical id. */
  readonly interfaceEndpointsPerVpc: Readonly<Record<string, number>>;
  readonly elasticIps: number;
  readonly databases: readonly DatabaseRequirement[];
  readonly searchDomains: readonly SearchRequirement[];
  /** What could not be read from the template as a literal (a preflight that cannot read a value fails). */
  readonly unreadable: readonly string[];
}

export interface RequirementInput {
  readonly tenant: string;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  readonly bootstrapVersion?: number;
}

/** The logical id a `{ Ref: X }` names, or undefined. */
function refOf(value: unknown): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const ref = (value as Record<string, unknown>).Ref;
    if (typeof ref === 'string') return ref;
  }
  return undefined;
}

function props(r: CfnResource | undefined): Record<string, unknown> {
  return (r?.Properties ?? {});
}

export function tenantRequirements(input: RequirementInput): TenantRequirements {
  const resources = input.template.Resources ?? {};
  const unreadable: string[] = [];
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  const subnetZone = (subnetId: string): string | undefined => {
    const zone = props(resources[subnetId]).AvailabilityZone;
    if (typeof zone === 'string') return zone;
    unreadable.push(`${subnetId}.Properties.AvailabilityZone (not a literal zone name)`);
    return undefined;
  };
  const zonesOfSubnets = (ids: readonly unknown[], where: string): string[] => {
    const zones = new Set<string>();
    for (const id of ids) {
      const ref = refOf(id);
      if (!ref || resources[ref]?.Type !== 'AWS::EC2::Subnet') {
        unreadable.push(`${where} (a subnet the stack does not define)`);
        continue;
      }
      const zone = subnetZone(ref);
      if (zone) zones.add(zone);
    }
    return [...zones].sort();
  };
  const vpcOfSubnets = (ids: readonly unknown[]): string | undefined => {
    const first = refOf(ids[0]);
    return first ? refOf(props(resources[first]).VpcId) : undefined;
  };

  const zones = new Set<string>();
  for (const [id] of ofType('AWS::EC2::Subnet')) {
    const zone = subnetZone(id);
    if (zone) zones.add(zone);
  }

  const interfaceEndpointsPerVpc: Record<string, number> = {};
  for (const [id, r] of ofType('AWS::EC2::VPCEndpoint')) {
    const p = props(r);
    if (p.VpcEndpointType !== 'Interface') continue;
    const vpc = refOf(p.VpcId) ?? `${id}.Properties.VpcId`;
    interfaceEndpointsPerVpc[vpc] = (interfaceEndpointsPerVpc[vpc] ?? 0) + 1;
  }

  const databases: DatabaseRequirement[] = [];
  for (const [id, r] of ofType('AWS::RDS::DBInstance')) {
    const p = props(r);
    const { Engine: engine, EngineVersion: engineVersion, DBInstanceClass: instanceClass } = p;
    if (typeof engine !== 'string' || typeof engineVersion !== 'string' || typeof instanceClass !== 'string') {
      unreadable.push(`${id}: Engine, EngineVersion and DBInstanceClass must be literals to be checked`);
      continue;
    }
    const group = refOf(p.DBSubnetGroupName);
    const subnets = (props(group ? resources[group] : undefined).SubnetIds ?? []) as unknown[];
    const vpc = vpcOfSubnets(subnets);
    databases.push({
      logicalId: id,
      engine,
      engineVersion,
      instanceClass,
      dedicated: vpc !== undefined && props(resources[vpc]).InstanceTenancy === 'dedicated',
      zones: zonesOfSubnets(subnets, `${id}: its DB subnet group`),
    });
  }

  const searchDomains: SearchRequirement[] = [];
  for (const [id, r] of ofType('AWS::OpenSearchService::Domain')) {
    const p = props(r);
    const cluster = (p.ClusterConfig ?? {}) as Record<string, unknown>;
    const types = [cluster.InstanceType, cluster.DedicatedMasterEnabled === true ? cluster.DedicatedMasterType : undefined]
      .concat(cluster.WarmEnabled === true ? [cluster.WarmType] : [])
      .filter((t) => t !== undefined);
    if (typeof p.EngineVersion !== 'string' || types.some((t) => typeof t !== 'string')) {
      unreadable.push(`${id}: EngineVersion and the ClusterConfig instance types must be literals to be checked`);
      continue;
    }
    const vpcOptions = p.VPCOptions as { SubnetIds?: unknown[] } | undefined;
    searchDomains.push({
      logicalId: id,
      engineVersion: p.EngineVersion,
      instanceTypes: [...new Set(types as string[])],
      inVpc: vpcOptions !== undefined,
      zones: vpcOptions?.SubnetIds ? zonesOfSubnets(vpcOptions.SubnetIds, `${id}: VPCOptions.SubnetIds`) : [],
    });
  }

  return {
    tenant: input.tenant,
    account: input.account,
    region: input.region,
    stackName: input.stackName,
    bootstrapVersion: input.bootstrapVersion,
    zones: [...zones].sort(),
    vpcs: ofType('AWS::EC2::VPC').length,
    interfaceEndpointsPerVpc,
    elasticIps: ofType('AWS::EC2::EIP').length,
    databases,
    searchDomains,
    unreadable,
  };
}
