/** ISO-DATA-6, live: no manual DB snapshot may be restored by another account, or by everyone (`all`). */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need, ownerOf } from '../evidence.live';

export const liveActions = [...ACTIONS.snapshots, ...ACTIONS.snapshotAttributes];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const snapshots = need(inv.snapshots, inv, report, 'that no DB snapshot is shared');
  if (!snapshots) return;
  for (const s of snapshots) {
    const restore = need(s.restore, inv, report, `who may restore DB snapshot ${s.id}`);
    if (!restore) continue;
    const path = 'DescribeDBSnapshotAttributes.restore';
    const foreign = restore.filter((a) => a === 'all' || ownerOf(inv, a) !== 'self');
    if (restore.includes('all')) {
      report.fail({ ...at(inv, s.arn, path), value: restore.join(', '), message: `DB snapshot ${s.id} is public: its restore attribute is "all", so any AWS account can restore the tenant's data` });
    } else if (foreign.length > 0) {
      report.fail({ ...at(inv, s.arn, path), value: foreign.join(', '), message: `DB snapshot ${s.id} is shared with account${foreign.length > 1 ? 's' : ''} ${foreign.join(', ')}, outside the tenant` });
    } else {
      report.pass({ ...at(inv, s.arn, path), value: restore.join(', ') || '(none)', message: `DB snapshot ${s.id} is shared with no other account` });
    }
  }
}
