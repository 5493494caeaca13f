/** ISO-HYG-1, live: the DB instances are Multi-AZ, backed up, deletion-protected and IAM-authenticated as they run. */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need } from '../evidence.live';

export const liveActions = [...ACTIONS.databases];

/** The minimum backup retention of any tenant (regulated regimes need 35 days: the template check knows the regime). */
const MIN_BACKUP_DAYS = 7;

export function checkLive(inv: TenantInventory, report: Reporter): void {
  for (const d of need(inv.databases, inv, report, 'the database hygiene') ?? []) {
    const check = (field: string, ok: boolean, value: string, good: string, bad: string): void => {
      const base = at(inv, d.arn, `DescribeDBInstances.${field}`);
      if (ok) report.pass({ ...base, value, message: `DB instance ${d.id}: ${good}` });
      else report.fail({ ...base, value, message: `DB instance ${d.id}: ${bad}` });
    };
    check('MultiAZ', d.multiAz, String(d.multiAz), 'Multi-AZ', 'not Multi-AZ');
    check('BackupRetentionPeriod', (d.backupRetentionPeriod ?? 0) >= MIN_BACKUP_DAYS, String(d.backupRetentionPeriod ?? 0), `backups kept ${d.backupRetentionPeriod} days`, `backups kept fewer than ${MIN_BACKUP_DAYS} days`);
    check('DeletionProtection', d.deletionProtection, String(d.deletionProtection), 'deletion protection on', 'no deletion protection (it can be deleted in one call)');
    check('IAMDatabaseAuthenticationEnabled', d.iamAuthentication, String(d.iamAuthentication), 'IAM authentication on', 'IAM authentication off');
  }
}
