import { describe, litString, type ResourceRef } from '../../model';
import { targetResource } from '../../facts';
import type { IsolationRule, Reporter } from '../../rule';

const REGULATED = ['hipaa', 'pci-dss', 'sox', 'fedramp-moderate', 'fedramp-high', 'itar'];

function expect(r: ResourceRef, prop: string, ok: (v: string | undefined) => boolean, report: Reporter, good: string, bad: string): void {
  for (const v of r.stack.resolve(r.props[prop])) {
    const s = v.k === 'absent' ? undefined : v.k === 'lit' ? String(v.v) : undefined;
    if (v.k !== 'absent' && v.k !== 'lit') report.fail({ stack: r.stack.name, resource: r.id, path: `Properties.${prop}`, value: describe(v), message: `${r.id}: ${prop} cannot be resolved (${bad})` });
    else if (ok(s)) report.pass({ stack: r.stack.name, resource: r.id, path: `Properties.${prop}`, value: s ?? '(not set)', message: `${r.id}: ${good}` });
    else report.fail({ stack: r.stack.name, resource: r.id, path: `Properties.${prop}`, value: s ?? '(not set)', message: `${r.id}: ${bad}` });
  }
}

/** ISO-HYG-1: database resilience and hardening (hygiene, never decides isolation). */
export const databaseHygiene: IsolationRule = {
  id: 'ISO-HYG-1',
  title: 'The database is Multi-AZ, backed up, deletion-protected, IAM-authenticated and TLS-only',
  severity: 'warning',
  concern: 'database',
  rationale:
    'Not an isolation question, but an exclusive database that is lost or readable in clear text fails the customer ' +
    'as surely: Multi-AZ, backups of 7 days (35 for regulated regimes), deletion protection, a retained snapshot on ' +
    'delete, IAM authentication and rds.force_ssl.',
  remediation: 'Use the TenantDatabase construct defaults (backupRetention, multiAz, deletionProtection).',
  controls: ['HIPAA 164.308(a)(7)(ii)(A)', 'PCI DSS 12.10.1', 'NIST CP-9', 'NIST SC-8'],
  checkTemplate(tenant, report) {
    const minBackup = tenant.compliance.some((c) => REGULATED.includes(c)) ? 35 : 7;
    for (const r of tenant.ofType('AWS::RDS::DBInstance')) {
      if (r.props.DBClusterIdentifier !== undefined) continue;
      expect(r, 'MultiAZ', (s) => s === 'true', report, 'Multi-AZ', 'not Multi-AZ');
      expect(r, 'BackupRetentionPeriod', (s) => Number(s ?? 1) >= minBackup, report, `backups kept at least ${minBackup} days`, `backups kept fewer than ${minBackup} days`);
      expect(r, 'DeletionProtection', (s) => s === 'true', report, 'deletion protection on', 'no deletion protection');
      expect(r, 'EnableIAMDatabaseAuthentication', (s) => s === 'true', report, 'IAM authentication on', 'IAM authentication off');
      const policy = r.raw.DeletionPolicy;
      if (policy === 'Snapshot' || policy === 'Retain' || policy === 'RetainExceptOnCreate') report.pass({ stack: r.stack.name, resource: r.id, path: 'DeletionPolicy', value: policy, message: `${r.id} keeps its data on stack delete` });
      else report.fail({ stack: r.stack.name, resource: r.id, path: 'DeletionPolicy', value: String(policy ?? '(not set)'), message: `${r.id} is deleted with its stack (DeletionPolicy ${String(policy ?? 'Delete')})` });
      const groups = r.stack.resolve(r.props.DBParameterGroupName).map(targetResource);
      const forceSsl = groups.some((g) =>
        g && g.stack.valuesAt(g.props, ['Parameters', 'rds.force_ssl']).some((v) => ['1', 'true'].includes(String(litString(v) ?? (v.k === 'lit' ? v.v : '')))),
      );
      if (forceSsl) report.pass({ stack: r.stack.name, resource: r.id, path: 'Properties.DBParameterGroupName', message: `${r.id} requires TLS (rds.force_ssl=1)` });
      else report.fail({ stack: r.stack.name, resource: r.id, path: 'Properties.DBParameterGroupName', message: `${r.id} has no parameter group of the tenant with rds.force_ssl=1` });
    }
  },
};
