/** ISO-NET-3, live: the tenant's account owns no active AWS RAM resource share (of its subnets or anything else). */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { at, explain, need } from '../evidence.live';

export const liveActions = ['ram:GetResourceShares', 'ram:ListResources'];

const GONE = new Set(['DELETED', 'DELETING', 'FAILED']);

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const shares = need(inv.resourceShares, inv, report, 'that nothing of the tenant is shared through AWS RAM');
  if (!shares) return;
  const active = shares.filter((s) => !GONE.has(s.status ?? ''));
  for (const s of active) {
    const base = at(inv, s.arn, 'GetResourceShares');
    const external = s.allowExternalPrincipals ? ' (external principals allowed)' : '';
    if (!s.resources.ok) {
      report.fail({ ...base, value: s.status, message: `the tenant's account shares resources through RAM share ${s.name ?? s.arn}${external}; its resources could not be listed: ${explain(s.resources.error)}` });
      continue;
    }
    const subnets = s.resources.value.filter((r) => r.type === 'ec2:Subnet').map((r) => r.arn);
    const all = s.resources.value.map((r) => r.arn);
    report.fail({
      ...base,
      value: all.join(', ') || '(no resources)',
      message:
        `RAM share ${s.name ?? s.arn}${external} shares ${all.length} resource${all.length === 1 ? '' : 's'} of the tenant` +
        (subnets.length > 0 ? `, including subnets ${subnets.join(', ')}: other accounts can launch into the tenant's network` : ''),
    });
  }
  if (active.length === 0) report.pass({ ...at(inv, inv.account ?? inv.tenant, 'GetResourceShares'), message: `account ${inv.account} owns no active RAM resource share` });
}
