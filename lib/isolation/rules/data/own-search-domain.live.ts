/** ISO-DATA-2, live: the tenant's account and region hold its own search domain. */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need } from '../evidence.live';

export const liveActions = [...ACTIONS.searchDomains];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const domains = need(inv.searchDomains, inv, report, "the tenant's search domain");
  if (!domains) return;
  if (domains.length === 0) {
    report.fail({ ...at(inv, inv.account ?? inv.tenant, 'ListDomainNames'), message: `no OpenSearch domain exists in ${inv.account}/${inv.region}: the tenant's ticket index lives in a domain outside its account` });
    return;
  }
  for (const d of domains) report.pass({ ...at(inv, d.arn, 'DescribeDomains'), value: d.engineVersion, message: `dedicated search domain ${d.name} (${d.engineVersion ?? 'version unknown'})` });
}
