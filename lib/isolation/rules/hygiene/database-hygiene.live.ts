/**
 * ISO-HYG-1, live: the DB instances are Multi-AZ, backed up, deletion-protected, IAM-authenticated and TLS-only
 * (`rds.force_ssl` = 1 in their parameter group, engine defaults included) as they run.
 */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need } from '../evidence.live';

export const liveActions = [...ACTIONS.databases, 'rds:DescribeDBParameters'];

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
    if (!d.engine?.includes('postgres')) continue; // rds.force_ssl is PostgreSQL's (and SQL Server's) switch
    const groups = need(inv.dbParameterGroups, inv, report, `the parameter groups of DB instance ${d.id}`);
    if (!groups) continue;
    const mine = groups.filter((g) => (d.parameterGroups ?? []).includes(g.name));
    const on = mine.some((g) => g.forceSsl === '1');
    const value = mine.map((g) => `${g.name}: rds.force_ssl=${g.forceSsl ?? '(not set)'}`).join(', ') || '(no parameter group)';
    const base = at(inv, d.arn, 'DescribeDBParameters.rds.force_ssl');
    if (on) report.pass({ ...base, value, message: `DB instance ${d.id}: requires TLS (${value})` });
    else report.fail({ ...base, value, message: `DB instance ${d.id}: does not require TLS (${value}); clients may connect in clear text` });
  }
}
