/** ISO-NET-2, live: every VPC the tenant's data stores use, and every VPC tagged for the tenant, is owned by its account. */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need, ownerOf } from '../evidence.live';

export const liveActions = [...ACTIONS.vpcs, ...ACTIONS.databases, ...ACTIONS.searchDomains];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  need(inv.databases, inv, report, 'the networks the databases use');
  need(inv.searchDomains, inv, report, 'the networks the search domains use');
  const vpcs = need(inv.vpcs, inv, report, "the owners of the tenant's VPCs");
  for (const v of vpcs ?? []) {
    const owner = ownerOf(inv, v.ownerId);
    const base = at(inv, v.id, 'DescribeVpcs.OwnerId');
    if (owner === 'self') report.pass({ ...base, value: v.ownerId, message: `VPC ${v.id} is owned by the tenant's account ${v.ownerId}` });
    else if (owner === 'other') report.fail({ ...base, value: v.ownerId, message: `VPC ${v.id} is owned by account ${v.ownerId} and shared into the tenant's account: a network the tenant does not own` });
    else report.unverifiable({ ...base, value: v.ownerId ?? '(none)', message: `could not verify who owns VPC ${v.id} (OwnerId ${v.ownerId ?? 'missing'})` });
  }
}
