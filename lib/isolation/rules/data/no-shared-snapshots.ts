import { describe, extOf, piecesOf, type ResourceRef, type TenantModel } from '../../model';
import { accountOwnership, parseArn, targetResource, tenantResourceNames } from '../../facts';
import type { IsolationRule, Reporter } from '../../rule';
import { grantsOf } from '../keys/policy';

/** ISO-DATA-6: no snapshot or backup of tenant data is shared with, or copied to, another account. */
export const noSharedSnapshots: IsolationRule = {
  id: 'ISO-DATA-6',
  title: 'No snapshot or backup of tenant data is shared with or copied to another account',
  severity: 'error',
  concern: 'database',
  proves: 'network',
  rationale:
    'A manual DB snapshot shared with another account (or made public with `all`) hands over a full copy of the ' +
    'tenant\'s tickets, and a backup plan that copies recovery points to a vault of another account, or a vault whose ' +
    'access policy admits one, does the same on a schedule. A snapshot share is in no template at all: only the live ' +
    'check (`rds:DescribeDBSnapshotAttributes`) sees it; templates show the backup copies and vault policies. S3 ' +
    'replication copies every new object (attachments, exports) to its destination bucket: a bucket the tenant does ' +
    'not define, or another account, is a copy outside the tenant.',
  remediation:
    'Remove foreign accounts and `all` from the snapshot\'s restore attribute (ModifyDBSnapshotAttribute ValuesToRemove); ' +
    'copy backups only to vaults of the tenant account and keep vault access policies to the tenant (TenantDatabase backup plan).',
  controls: ['HIPAA 164.312(a)(1)', 'PCI DSS 7.2.1', 'NIST AC-3', 'NIST AC-4', 'NIST CP-9'],
  checkTemplate(tenant, report) {
    for (const vault of tenant.ofType('AWS::Backup::BackupVault')) {
      const path = 'Properties.AccessPolicy';
      if (vault.props.AccessPolicy === undefined) {
        report.pass({ stack: vault.stack.name, resource: vault.id, path, message: `${vault.id} has no access policy: only the tenant account reaches its recovery points` });
        continue;
      }
      const grants = grantsOf(vault.stack, vault.props.AccessPolicy);
      if ('unresolved' in grants) {
        report.unverifiable({ stack: vault.stack.name, resource: vault.id, path, value: grants.unresolved, message: `${vault.id}'s access policy cannot be read: ${grants.unresolved}` });
        continue;
      }
      let bad = false;
      for (const g of grants) {
        if (g.owner === 'self' || g.pinned || g.kind === 'Service') continue;
        bad = true;
        const at = `${path}.Statement[${g.statement}]`;
        const who = g.kind === 'Wildcard' ? 'every principal ("*")' : g.value;
        if (g.owner === 'unknown' && g.kind === 'AWS') report.unverifiable({ stack: vault.stack.name, resource: vault.id, path: at, value: g.value, message: `${vault.id} admits ${who}, which cannot be shown to be the tenant's` });
        else report.fail({ stack: vault.stack.name, resource: vault.id, path: at, value: g.value, message: `${vault.id} lets ${who} copy or restore the tenant's recovery points` });
      }
      if (!bad) report.pass({ stack: vault.stack.name, resource: vault.id, path, message: `${vault.id}'s access policy admits only the tenant` });
    }
    for (const plan of tenant.ofType('AWS::Backup::BackupPlan')) {
      const s = plan.stack;
      const rules = s.nodesAt(plan.props, ['BackupPlan', 'BackupPlanRule']).flatMap((n) => s.elements(n));
      rules.forEach((rule, i) => {
        const copies = s.nodesAt(rule, ['CopyActions']).flatMap((n) => s.elements(n));
        copies.forEach((copy, j) => {
          const path = `Properties.BackupPlan.BackupPlanRule[${i}].CopyActions[${j}].DestinationBackupVaultArn`;
          for (const v of s.valuesAt(copy, ['DestinationBackupVaultArn'])) {
            if (v.k === 'absent') continue;
            const target = targetResource(v);
            if (target?.type === 'AWS::Backup::BackupVault') {
              report.pass({ stack: plan.stack.name, resource: plan.id, path, value: describe(v), message: `${plan.id} copies backups to the tenant's vault ${target.id}` });
              continue;
            }
            const arn = parseArn(v);
            const owner = arn?.account === 'self' ? 'self' : arn?.account ? accountOwnership(tenant, arn.account) : 'unknown';
            const base = { stack: plan.stack.name, resource: plan.id, path, value: describe(v) };
            if (owner === 'self') report.pass({ ...base, message: `${plan.id} copies backups to a vault of the tenant account` });
            else if (owner === 'other') report.fail({ ...base, message: `${plan.id} copies the tenant's backups to ${describe(v)}, a vault of account ${String(arn?.account)}` });
            else if (extOf(v) || owner === 'unknown') report.unverifiable({ ...base, message: `${plan.id} copies the tenant's backups to ${describe(v)}, which cannot be shown to be the tenant's` });
          }
        });
      });
    }
    for (const bucket of tenant.ofType('AWS::S3::Bucket')) checkReplication(tenant, bucket, report);
  },
};

/** S3 replication rules of a bucket: every destination must be a bucket of the tenant, in the tenant's account. */
function checkReplication(tenant: TenantModel, bucket: ResourceRef, report: Reporter): void {
  const s = bucket.stack;
  const rules = s.nodesAt(bucket.props, ['ReplicationConfiguration', 'Rules']).flatMap((n) => s.elements(n));
  rules.forEach((rule, i) => {
    const base = `Properties.ReplicationConfiguration.Rules[${i}].Destination`;
    const where = { stack: s.name, resource: bucket.id };
    for (const v of s.valuesAt(rule, ['Destination', 'Account'])) {
      if (v.k === 'absent') continue;
      const owner = accountOwnership(tenant, v);
      if (owner === 'other') report.fail({ ...where, path: `${base}.Account`, value: describe(v), message: `${bucket.id} replicates the tenant's objects to account ${describe(v)}, not the tenant's ${tenant.account}` });
      else if (owner !== 'self') report.unverifiable({ ...where, path: `${base}.Account`, value: describe(v), message: `${bucket.id} replicates to account ${describe(v)}, which cannot be shown to be the tenant's` });
    }
    for (const v of s.valuesAt(rule, ['Destination', 'Bucket'])) {
      if (v.k === 'absent') continue;
      const path = `${base}.Bucket`;
      const target = targetResource(v) ?? piecesOf(v)?.map((p) => (typeof p === 'string' ? undefined : targetResource(p))).find((r) => r !== undefined);
      if (target?.type === 'AWS::S3::Bucket') {
        report.pass({ ...where, path, value: describe(v), message: `${bucket.id} replicates to the tenant's bucket ${target.id}` });
        continue;
      }
      // Literal text, with pseudo parameters (the partition) as "*"; undefined when a piece cannot be followed.
      const pieces = extOf(v) ? undefined : piecesOf(v);
      const text = pieces?.map((p) => (typeof p === 'string' ? p : '*')).join('');
      const name = text !== undefined ? /^arn:[^:]*:s3:::([^/*]+)$/.exec(text)?.[1] : undefined;
      if (name && tenantResourceNames(tenant).has(name)) {
        report.pass({ ...where, path, value: describe(v), message: `${bucket.id} replicates to the tenant's bucket ${name}` });
      } else if (text !== undefined) {
        report.fail({ ...where, path, value: describe(v), message: `${bucket.id} replicates the tenant's objects to ${describe(v)}, a bucket the tenant's templates do not define` });
      } else {
        report.unverifiable({ ...where, path, value: describe(v), message: `${bucket.id} replicates the tenant's objects to ${describe(v)}, which cannot be shown to be a bucket of the tenant` });
      }
    }
  });
}
