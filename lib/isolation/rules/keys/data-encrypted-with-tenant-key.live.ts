/**
 * ISO-KMS-1, live: every database (storage, Performance Insights, master secret), manual snapshot, log group a
 * database or search domain writes to, and search domain is encrypted with an enabled customer-managed key of the tenant's account.
 */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, dataKeyUses, judgeDataKey, need } from '../evidence.live';

export const liveActions = [...ACTIONS.keySources, ...ACTIONS.keyMetadata];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  need(inv.databases, inv, report, 'the keys of the databases');
  need(inv.snapshots, inv, report, 'the keys of the DB snapshots');
  need(inv.logGroups, inv, report, 'the keys of the log groups the databases and search domains write to');
  need(inv.searchDomains, inv, report, 'the keys of the search domains');
  for (const use of dataKeyUses(inv)) {
    if (use.disabled) {
      report.fail({ ...at(inv, use.resource, use.path), value: use.disabled, message: `${use.what} is not encrypted with a tenant key: ${use.disabled}` });
      continue;
    }
    judgeDataKey(inv, report, use, use.ref);
  }
}
