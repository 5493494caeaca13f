/** ISO-KMS-3, live: no key (by ARN) protects data of two tenants of the verified fleet. */
import type { TenantInventory } from '../../inventory';
import type { FleetReporter } from '../../rule';
import { ACTIONS, at } from '../evidence.live';

export const liveActions = [...ACTIONS.keySources, ...ACTIONS.keyMetadata];

function keyArns(inv: TenantInventory): Map<string, string> {
  // ARN -> first resource that uses it (keys named only by an alias are the tenant's own by construction).
  const out = new Map<string, string>();
  for (const k of inv.keys) {
    const arn = k.metadata.ok ? k.metadata.value.arn : k.ref;
    const user = k.usedBy[0]?.resource ?? k.aliases[0];
    if (user) out.set(arn, user);
  }
  return out;
}

export function checkLiveFleet(inventories: readonly TenantInventory[], report: FleetReporter): void {
  const users = new Map<string, Set<string>>();
  const byTenant = new Map(inventories.map((inv) => [inv.tenant, keyArns(inv)]));
  for (const [tenant, keys] of byTenant) for (const arn of keys.keys()) users.set(arn, (users.get(arn) ?? new Set()).add(tenant));
  for (const inv of inventories) {
    const mine = byTenant.get(inv.tenant) ?? new Map<string, string>();
    let shared = 0;
    for (const [arn, user] of mine) {
      const others = [...(users.get(arn) ?? [])].filter((t) => t !== inv.tenant);
      if (others.length === 0) continue;
      shared++;
      report.forTenant(inv.tenant).fail({ ...at(inv, user, 'KmsKeyId'), value: arn, message: `key ${arn} is also used by tenant${others.length > 1 ? 's' : ''} ${others.join(', ')} (live)` });
    }
    if (shared === 0 && inventories.length > 1 && mine.size > 0) {
      report.forTenant(inv.tenant).pass({ ...at(inv, inv.account ?? inv.tenant, '-'), message: `none of the tenant's ${mine.size} keys is used by the other ${inventories.length - 1} tenant(s)` });
    }
  }
}
