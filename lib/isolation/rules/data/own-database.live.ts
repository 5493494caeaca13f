/** ISO-DATA-1, live: the tenant's account and region hold its own RDS DB instance. */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need, taggedForTenant } from '../evidence.live';

export const liveActions = [...ACTIONS.databases];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const dbs = need(inv.databases, inv, report, "the tenant's database");
  if (!dbs) return;
  if (dbs.length === 0) {
    report.fail({ ...at(inv, inv.account ?? inv.tenant, 'DescribeDBInstances'), message: `no RDS DB instance exists in ${inv.account}/${inv.region}: the tenant's data lives in a database outside its account` });
    return;
  }
  for (const d of dbs) {
    const tagged = taggedForTenant(inv, d.tags) ? ` tagged ${inv.tag.key}=${inv.tag.value}` : '';
    const member = d.clusterId ? `, a member of cluster ${d.clusterId} in the same account` : '';
    report.pass({ ...at(inv, d.arn, 'DescribeDBInstances'), value: d.engine, message: `dedicated DB instance ${d.id} (${d.engine ?? 'engine unknown'}, ${d.instanceClass ?? 'class unknown'})${tagged}${member}` });
  }
}
