/** ISO-HYG-3, live: the tenant's customer-managed keys with KMS key material rotate automatically. */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need } from '../evidence.live';

export const liveActions = [...ACTIONS.keySources, ...ACTIONS.keyMetadata, 'kms:GetKeyRotationStatus'];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  for (const k of inv.keys) {
    if (!k.rotation) continue; // AWS managed, HSM-backed or imported material: rotation does not apply
    const on = need(k.rotation, inv, report, `the rotation of ${k.ref}`);
    if (on === undefined) continue;
    const base = at(inv, k.ref, 'GetKeyRotationStatus.KeyRotationEnabled');
    if (on) report.pass({ ...base, value: 'true', message: `${k.ref} rotates its key material` });
    else report.fail({ ...base, value: 'false', message: `${k.ref} does not rotate its key material` });
  }
}
