/** ISO-ACCT-1, live: the credentials that read the tenant are the tenant account's own. */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need } from '../evidence.live';

export const liveActions = [...ACTIONS.identity];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  if (!inv.account) {
    report.unverifiable({ ...at(inv, inv.tenant, '-'), message: 'could not verify the account: the tenant account is not known (manifest or --account)' });
    return;
  }
  const id = need(inv.identity, inv, report, `that the tenant runs in account ${inv.account}`);
  if (!id) return;
  if (id.account !== inv.account) {
    report.fail({
      ...at(inv, id.arn, 'GetCallerIdentity.Account'),
      value: id.account,
      message: `the credentials are for account ${id.account} (${id.arn}), not the tenant's account ${inv.account}: nothing else was read`,
    });
    return;
  }
  report.pass({ ...at(inv, id.arn, 'GetCallerIdentity.Account'), value: id.account, message: `the tenant's resources were read in its own account ${id.account} as ${id.arn}` });
}
