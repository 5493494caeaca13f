/**
 * ISO-NET-5, live: the security groups of the tenant's VPCs admit traffic only from the tenant's own groups and
 * address ranges, as they are now (rules added after deployment included).
 */
import type { LiveSecurityGroup, TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { cidrWithin, isPrivateCidr } from '../../facts';
import { ACTIONS, at, need, ownerOf, taggedForTenant } from '../evidence.live';

export const liveActions = [...ACTIONS.vpcs, 'ec2:DescribeSecurityGroups', 'ec2:DescribeManagedPrefixLists'];

function portsOf(i: LiveSecurityGroup['ingress'][number]): string {
  if (i.protocol === '-1') return 'all traffic';
  return i.fromPort === i.toPort ? `${i.protocol}/${i.fromPort}` : `${i.protocol}/${i.fromPort}-${i.toPort}`;
}

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const vpcs = need(inv.vpcs, inv, report, "the address ranges of the tenant's VPCs");
  const groups = need(inv.securityGroups, inv, report, "the ingress rules of the tenant's security groups");
  if (!groups) return;
  const ownCidrs = (vpcs ?? []).filter((v) => taggedForTenant(inv, v.tags)).flatMap((v) => v.cidrs);
  const groupIds = new Set(groups.map((g) => g.id));
  for (const g of groups) {
    g.ingress.forEach((rule, i) => {
      const path = `DescribeSecurityGroups.IpPermissions[${i}]`;
      const base = at(inv, g.id, path);
      const ports = portsOf(rule);
      for (const cidr of rule.cidrs) {
        if (cidr === '0.0.0.0/0' || !isPrivateCidr(cidr)) {
          report.fail({ ...base, value: cidr, message: `${g.id} (${g.name ?? 'unnamed'}) admits ${cidr} (${cidr === '0.0.0.0/0' ? 'the whole internet' : 'a public range'}) on ${ports}` });
        } else if (ownCidrs.some((own) => cidrWithin(cidr, own))) {
          report.pass({ ...base, value: cidr, message: `${g.id} admits ${cidr}, inside the tenant's VPC ranges, on ${ports}` });
        } else if (!vpcs) {
          report.unverifiable({ ...base, value: cidr, message: `could not verify ${g.id}: it admits ${cidr} and the tenant's VPC ranges are unknown` });
        } else {
          report.fail({ ...base, value: cidr, severity: 'warning', message: `${g.id} admits ${cidr}, a private range outside the tenant's VPCs (another network), on ${ports}` });
        }
      }
      for (const cidr of rule.ipv6Cidrs) {
        if (cidr === '::/0') report.fail({ ...base, value: cidr, message: `${g.id} (${g.name ?? 'unnamed'}) admits ${cidr} (the whole IPv6 internet) on ${ports}` });
        else report.fail({ ...base, value: cidr, severity: 'warning', message: `${g.id} admits the IPv6 range ${cidr}, which the tenant's VPCs do not define, on ${ports}` });
      }
      for (const pair of rule.groups) {
        const owner = pair.userId ? ownerOf(inv, pair.userId) : 'self';
        const who = `${pair.groupId ?? '?'}${pair.userId ? ` (account ${pair.userId})` : ''}${pair.peeringId ? ` through peering ${pair.peeringId}` : ''}`;
        if (owner === 'other') report.fail({ ...base, value: who, message: `${g.id} admits security group ${who} of another account on ${ports}` });
        else if (pair.groupId && groupIds.has(pair.groupId)) report.pass({ ...base, value: pair.groupId, message: `${g.id} admits the tenant's security group ${pair.groupId} on ${ports}` });
        else report.fail({ ...base, value: who, message: `${g.id} admits security group ${who}, which is not in a VPC of the tenant, on ${ports}` });
      }
      if (rule.prefixLists.length > 0) {
        const lists = need(inv.prefixLists, inv, report, `the prefix lists ${g.id} admits`);
        for (const id of rule.prefixLists) {
          const list = lists?.find((l) => l.id === id);
          if (!lists) continue;
          if (list && ownerOf(inv, list.ownerId) === 'self') {
            report.pass({ ...base, value: id, message: `${g.id} admits the tenant's prefix list ${id} (${list.name ?? 'unnamed'}) on ${ports}` });
          } else {
            report.fail({ ...base, value: id, message: `${g.id} admits the prefix list ${id}${list ? ` (${list.name ?? 'unnamed'}, owner ${list.ownerId ?? 'unknown'})` : ''}, whose ranges the tenant does not own, on ${ports}` });
          }
        }
      }
    });
  }
}
