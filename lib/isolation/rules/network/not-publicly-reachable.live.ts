/** ISO-NET-6, live: no DB instance is publicly accessible and no search domain has a public endpoint. */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need } from '../evidence.live';

export const liveActions = [...ACTIONS.databases, ...ACTIONS.searchDomains];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  for (const d of need(inv.databases, inv, report, 'whether the databases are publicly accessible') ?? []) {
    const base = at(inv, d.arn, 'DescribeDBInstances.PubliclyAccessible');
    if (d.publiclyAccessible) report.fail({ ...base, value: 'true', message: `DB instance ${d.id} is publicly accessible: it resolves to a public address` });
    else report.pass({ ...base, value: 'false', message: `DB instance ${d.id} is not publicly accessible` });
  }
  for (const d of need(inv.searchDomains, inv, report, 'whether the search domains have a public endpoint') ?? []) {
    const base = at(inv, d.arn, 'DescribeDomains.VPCOptions');
    if (d.publicEndpoint) report.fail({ ...base, value: d.publicEndpoint, message: `search domain ${d.name} has the public endpoint ${d.publicEndpoint}` });
    else report.pass({ ...base, value: d.vpc?.vpcId, message: `search domain ${d.name} has a VPC endpoint only (${d.vpc?.vpcId})` });
  }
}
