/**
 * ISO-FLEET-1, live: no physical resource (VPC, subnet, security group, DB instance, search domain) appears in two
 * tenants' inventories, e.g. a vendor VPC shared into several tenant accounts. Keys: ISO-KMS-3.
 */
import type { TenantInventory } from '../../inventory';
import type { FleetReporter } from '../../rule';
import { ACTIONS, at } from '../evidence.live';

export const liveActions = [...ACTIONS.vpcs, ...ACTIONS.databases, ...ACTIONS.searchDomains, 'ec2:DescribeSecurityGroups'];

function identifiers(inv: TenantInventory): Map<string, string> {
  const out = new Map<string, string>(); // physical id -> what it is
  for (const v of inv.vpcs.ok ? inv.vpcs.value : []) out.set(v.id, 'VPC');
  for (const d of inv.databases.ok ? inv.databases.value : []) {
    out.set(d.arn, 'DB instance');
    for (const s of d.subnetGroup?.subnetIds ?? []) out.set(s, `subnet of DB instance ${d.id}`);
  }
  for (const d of inv.searchDomains.ok ? inv.searchDomains.value : []) {
    out.set(d.arn, 'search domain');
    for (const s of d.vpc?.subnetIds ?? []) out.set(s, `subnet of search domain ${d.name}`);
  }
  for (const g of inv.securityGroups.ok ? inv.securityGroups.value : []) out.set(g.id, 'security group');
  return out;
}

export function checkLiveFleet(inventories: readonly TenantInventory[], report: FleetReporter): void {
  const owners = new Map<string, Set<string>>();
  const byTenant = new Map(inventories.map((inv) => [inv.tenant, identifiers(inv)]));
  for (const [tenant, ids] of byTenant) for (const id of ids.keys()) owners.set(id, (owners.get(id) ?? new Set()).add(tenant));
  for (const inv of inventories) {
    let shared = 0;
    for (const [id, what] of byTenant.get(inv.tenant) ?? []) {
      const others = [...(owners.get(id) ?? [])].filter((t) => t !== inv.tenant);
      if (others.length === 0) continue;
      shared++;
      report.forTenant(inv.tenant).fail({ ...at(inv, id, '-'), value: id, message: `${id} (${what}) also belongs to tenant${others.length > 1 ? 's' : ''} ${others.join(', ')} (live)` });
    }
    if (shared === 0 && inventories.length > 1) {
      report.forTenant(inv.tenant).pass({ ...at(inv, inv.account ?? inv.tenant, '-'), message: `none of the tenant's ${byTenant.get(inv.tenant)?.size ?? 0} VPCs, subnets, groups, databases and domains belongs to the other ${inventories.length - 1} tenant(s)` });
    }
  }
}
