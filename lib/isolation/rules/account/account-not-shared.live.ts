/**
 * ISO-ACCT-2, live: no other tenant lives in the tenant's account. Per tenant: no database, search domain or VPC in
 * the account carries another tenant's tag. Across the fleet: no two tenants were read in the same account.
 */
import type { TenantInventory } from '../../inventory';
import type { FleetReporter, Reporter } from '../../rule';
import { ACTIONS, at, need, taggedForOther } from '../evidence.live';

export const liveActions = [...ACTIONS.identity, ...ACTIONS.databases, ...ACTIONS.searchDomains, ...ACTIONS.searchTags, ...ACTIONS.vpcs];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const dbs = need(inv.databases, inv, report, 'that no database of another tenant is in the account');
  const domains = need(inv.searchDomains, inv, report, 'that no search domain of another tenant is in the account');
  const vpcs = need(inv.vpcs, inv, report, 'that no VPC of another tenant is in the account');
  let foreign = 0;
  for (const d of dbs ?? []) {
    const other = taggedForOther(inv, d.tags);
    if (other) {
      foreign++;
      report.fail({ ...at(inv, d.arn, `TagList.${inv.tag.key}`), value: other, message: `DB instance ${d.id} in the tenant's account belongs to tenant ${other}: the account is shared` });
    }
  }
  for (const d of domains ?? []) {
    if (!d.tags.ok) {
      foreign++;
      need(d.tags, inv, report, `whose search domain ${d.name} is`);
      continue;
    }
    const other = taggedForOther(inv, d.tags.value);
    if (other) {
      foreign++;
      report.fail({ ...at(inv, d.arn, `TagList.${inv.tag.key}`), value: other, message: `search domain ${d.name} in the tenant's account belongs to tenant ${other}: the account is shared` });
    }
  }
  for (const v of vpcs ?? []) {
    const other = taggedForOther(inv, v.tags);
    if (other) {
      foreign++;
      report.fail({ ...at(inv, v.id, `Tags.${inv.tag.key}`), value: other, message: `VPC ${v.id} used by the tenant's data stores belongs to tenant ${other}` });
    }
  }
  if (foreign === 0 && dbs && domains && vpcs && inv.identity.ok) {
    report.pass({
      ...at(inv, inv.identity.value.account, '-'),
      message: `no database, search domain or VPC of account ${inv.identity.value.account} is tagged for another tenant (${dbs.length} databases, ${domains.length} domains, ${vpcs.length} VPCs)`,
    });
  }
}

export function checkLiveFleet(inventories: readonly TenantInventory[], report: FleetReporter): void {
  const byAccount = new Map<string, string[]>();
  for (const inv of inventories) {
    if (inv.identity.ok) byAccount.set(inv.identity.value.account, [...(byAccount.get(inv.identity.value.account) ?? []), inv.tenant]);
  }
  for (const inv of inventories) {
    if (!inv.identity.ok) continue; // ISO-ACCT-1 reports it
    const account = inv.identity.value.account;
    const others = (byAccount.get(account) ?? []).filter((t) => t !== inv.tenant);
    if (others.length > 0) {
      report.forTenant(inv.tenant).fail({ ...at(inv, account, '-'), value: account, message: `account ${account} is shared with tenant${others.length > 1 ? 's' : ''} ${others.join(', ')} (live)` });
    } else if (inventories.length > 1) {
      report.forTenant(inv.tenant).pass({ ...at(inv, account, '-'), value: account, message: `no other tenant of the ${inventories.length} verified lives in account ${account}` });
    }
  }
}
