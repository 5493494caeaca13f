/** ISO-SRCH-1, live: each search domain's access policy, as it is now, admits only the tenant's principals. */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need, unquote } from '../evidence.live';
import { grantsOfPolicy } from '../keys/policy';

export const liveActions = [...ACTIONS.searchDomains];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  for (const d of need(inv.searchDomains, inv, report, 'the access policies of the search domains') ?? []) {
    const path = 'DescribeDomains.AccessPolicies';
    if (!d.accessPolicies) {
      report.pass({ ...at(inv, d.arn, path), message: `search domain ${d.name} has no resource-based access policy (only the tenant account's IAM policies apply)` });
      continue;
    }
    const grants = grantsOfPolicy(d.accessPolicies, inv.account);
    if ('unresolved' in grants) {
      report.unverifiable({ ...at(inv, d.arn, path), value: grants.unresolved, message: `could not verify the access policy of ${d.name}: ${grants.unresolved}` });
      continue;
    }
    let bad = false;
    for (const raw of grants) {
      const g = { ...raw, value: unquote(raw.value) };
      if (g.owner === 'self' || g.pinned || g.kind === 'Service') continue;
      const where = at(inv, d.arn, `${path}.Statement[${g.statement}]`);
      if (g.kind === 'Wildcard' && d.vpc && d.fineGrainedAccessControl) {
        report.fail({ ...where, value: g.value, severity: 'warning', message: `search domain ${d.name} admits "*" in its access policy; its VPC endpoint and fine-grained access control still limit it to the tenant network` });
        continue;
      }
      bad = true;
      if (g.owner === 'unknown' && g.kind === 'AWS') report.unverifiable({ ...where, value: g.value, message: `could not verify search domain ${d.name}: it admits ${g.value}, which cannot be shown to be the tenant's` });
      else report.fail({ ...where, value: g.value, message: `search domain ${d.name} admits ${g.kind === 'Wildcard' ? 'every principal ("*")' : g.value}${g.orgOnly ? " (only an organization condition, which spans the vendor's accounts)" : ''}` });
    }
    if (!bad) report.pass({ ...at(inv, d.arn, path), message: `search domain ${d.name} admits only the tenant's principals` });
  }
}
