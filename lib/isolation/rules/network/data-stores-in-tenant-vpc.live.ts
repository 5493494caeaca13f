/**
 * ISO-NET-1, live: every DB instance and search domain sits in a VPC of the tenant (its account, its tag) behind
 * security groups of that VPC.
 */
import type { LiveSecurityGroup, LiveVpc, TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need, ownerOf, taggedForTenant } from '../evidence.live';

export const liveActions = [...ACTIONS.databases, ...ACTIONS.searchDomains, ...ACTIONS.vpcs, 'ec2:DescribeSecurityGroups'];

function judge(
  inv: TenantInventory,
  report: Reporter,
  store: { resource: string; what: string; path: string; vpcId?: string; groups: readonly string[]; none: string },
  vpcs: readonly LiveVpc[] | undefined,
  groups: readonly LiveSecurityGroup[] | undefined,
): void {
  if (!store.vpcId) {
    report.fail({ ...at(inv, store.resource, store.path), message: `${store.what}: ${store.none}` });
    return;
  }
  if (vpcs) {
    const vpc = vpcs.find((v) => v.id === store.vpcId);
    if (!vpc) {
      report.fail({ ...at(inv, store.resource, store.path), value: store.vpcId, message: `${store.what} is in VPC ${store.vpcId}, which the tenant's account cannot see as its own (another account's network)` });
    } else if (ownerOf(inv, vpc.ownerId) !== 'self') {
      report.fail({ ...at(inv, store.resource, store.path), value: store.vpcId, message: `${store.what} is in VPC ${vpc.id}, owned by account ${vpc.ownerId ?? 'unknown'} (a shared VPC), not the tenant's ${inv.account}` });
    } else if (!taggedForTenant(inv, vpc.tags)) {
      report.fail({ ...at(inv, store.resource, store.path), value: store.vpcId, message: `${store.what} is in VPC ${vpc.id}, which is not tagged ${inv.tag.key}=${inv.tag.value}: not a VPC the tenant's stack created` });
    } else {
      report.pass({ ...at(inv, store.resource, store.path), value: vpc.id, message: `${store.what} is in the tenant's VPC ${vpc.id}` });
    }
  }
  if (groups) {
    for (const id of store.groups) {
      const g = groups.find((x) => x.id === id);
      if (!g || g.vpcId !== store.vpcId) {
        report.fail({ ...at(inv, store.resource, 'SecurityGroups'), value: id, message: `${store.what} uses security group ${id}, which is not a group of its VPC ${store.vpcId}` });
      }
    }
  }
}

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const dbs = need(inv.databases, inv, report, 'where the databases are placed');
  const domains = need(inv.searchDomains, inv, report, 'where the search domains are placed');
  const vpcs = need(inv.vpcs, inv, report, 'the VPCs of the data stores');
  const groups = need(inv.securityGroups, inv, report, 'the security groups of the data stores');
  for (const d of dbs ?? []) {
    judge(
      inv,
      report,
      { resource: d.arn, what: `DB instance ${d.id}`, path: 'DescribeDBInstances.DBSubnetGroup.VpcId', vpcId: d.subnetGroup?.vpcId, groups: d.securityGroupIds, none: 'has no DB subnet group VPC' },
      vpcs,
      groups,
    );
  }
  for (const d of domains ?? []) {
    judge(
      inv,
      report,
      { resource: d.arn, what: `search domain ${d.name}`, path: 'DescribeDomains.VPCOptions.VPCId', vpcId: d.vpc?.vpcId, groups: d.vpc?.securityGroupIds ?? [], none: 'has no VPCOptions: its endpoint is public, outside any VPC' },
      vpcs,
      groups,
    );
  }
}
