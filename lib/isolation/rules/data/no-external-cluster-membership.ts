import { describe, extOf, type ResourceRef } from '../../model';
import { targetResource } from '../../facts';
import type { IsolationRule, Reporter } from '../../rule';

/** Properties by which a database resource joins, replicates or clones another database. */
const LINKS: readonly { type: string; prop: string; targets: readonly string[]; what: string; severity?: 'warning' }[] = [
  { type: 'AWS::RDS::DBInstance', prop: 'DBClusterIdentifier', targets: ['AWS::RDS::DBCluster'], what: 'joins the cluster' },
  { type: 'AWS::RDS::DBInstance', prop: 'SourceDBInstanceIdentifier', targets: ['AWS::RDS::DBInstance'], what: 'is a read replica of' },
  { type: 'AWS::RDS::DBInstance', prop: 'SourceDBClusterIdentifier', targets: ['AWS::RDS::DBCluster'], what: 'is a replica of the cluster' },
  { type: 'AWS::RDS::DBCluster', prop: 'SourceDBClusterIdentifier', targets: ['AWS::RDS::DBCluster'], what: 'is cloned from (copy-on-write storage shared with)' },
  { type: 'AWS::RDS::DBCluster', prop: 'GlobalClusterIdentifier', targets: ['AWS::RDS::GlobalCluster'], what: 'joins the global cluster' },
  { type: 'AWS::RDS::DBCluster', prop: 'ReplicationSourceIdentifier', targets: ['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance'], what: 'replicates from' },
  { type: 'AWS::DocDB::DBInstance', prop: 'DBClusterIdentifier', targets: ['AWS::DocDB::DBCluster'], what: 'joins the cluster' },
  { type: 'AWS::Neptune::DBInstance', prop: 'DBClusterIdentifier', targets: ['AWS::Neptune::DBCluster'], what: 'joins the cluster' },
  { type: 'AWS::RDS::DBProxyTargetGroup', prop: 'DBClusterIdentifiers', targets: ['AWS::RDS::DBCluster'], what: 'proxies to the cluster' },
  { type: 'AWS::RDS::DBProxyTargetGroup', prop: 'DBInstanceIdentifiers', targets: ['AWS::RDS::DBInstance'], what: 'proxies to the instance' },
  { type: 'AWS::RDS::DBInstance', prop: 'DBSnapshotIdentifier', targets: ['AWS::RDS::DBSnapshot'], what: 'is restored from the snapshot', severity: 'warning' },
  { type: 'AWS::RDS::DBCluster', prop: 'SnapshotIdentifier', targets: [], what: 'is restored from the snapshot', severity: 'warning' },
];

function checkLink(r: ResourceRef, link: (typeof LINKS)[number], report: Reporter): void {
  const node = r.props[link.prop];
  if (node === undefined) return;
  const values = r.stack.flatValues(node);
  for (const v of values) {
    if (v.k === 'absent') continue;
    const target = targetResource(v);
    const path = `Properties.${link.prop}`;
    if (target && link.targets.includes(target.type)) {
      report.pass({ stack: r.stack.name, resource: r.id, path, value: describe(v), message: `${r.id} ${link.what} ${target.id}, defined by the tenant` });
    } else if (extOf(v) && extOf(v)!.kind !== 'import') {
      report.unverifiable({
        stack: r.stack.name, resource: r.id,
        path,
        value: describe(v),
        severity: link.severity,
        message: `${r.id} ${link.what} ${describe(v)}, which the verifier cannot follow to a resource of the tenant`,
      });
    } else {
      report.fail({
        stack: r.stack.name, resource: r.id,
        path,
        value: describe(v),
        severity: link.severity,
        message: `${r.id} ${link.what} ${describe(v)}, which is not defined in the tenant's templates (a shared database elsewhere)`,
      });
    }
  }
}

/** ISO-DATA-3: no database joins, replicates or clones a database defined elsewhere. */
export const noExternalClusterMembership: IsolationRule = {
  id: 'ISO-DATA-3',
  title: 'No database joins, replicates or clones a database defined outside the tenant',
  severity: 'error',
  concern: 'database',
  proves: 'network',
  rationale:
    'A DB instance added to the vendor\'s shared Aurora cluster, a read replica of a shared primary, an Aurora clone ' +
    '(copy-on-write storage shared with the source) or a proxy in front of a shared cluster all look like a database ' +
    'in the tenant template while the storage and engine are shared.',
  remediation: 'Define the database in the tenant stack with the TenantDatabase construct; never reference an external cluster or instance.',
  controls: ['HIPAA 164.308(a)(4)(ii)(A)', 'PCI DSS A1.1.1', 'NIST SC-4', 'NIST SC-32'],
  checkTemplate(tenant, report) {
    for (const link of LINKS) for (const r of tenant.ofType(link.type)) checkLink(r, link, report);
  },
};
