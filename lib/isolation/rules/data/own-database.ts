import { DATABASE_TYPES } from '../../facts';
import type { IsolationRule } from '../../rule';

/** ISO-DATA-1: the tenant's template defines its own relational database. */
export const ownDatabase: IsolationRule = {
  id: 'ISO-DATA-1',
  title: "The tenant's templates define its own database instance or cluster",
  severity: 'error',
  concern: 'database',
  proves: 'network',
  rationale:
    'A schema-per-customer deployment has no database of its own in the tenant template: ticket data lands in a ' +
    'shared cluster defined somewhere else. Without a database resource in the tenant\'s own templates, nothing proves ' +
    'the data is dedicated.',
  remediation: 'Compose the TenantDatabase construct in the tenant stack (one RDS for PostgreSQL DB instance per tenant).',
  controls: ['HIPAA 164.308(a)(4)(ii)(A)', 'PCI DSS A1.1.1', 'NIST SC-4', 'NIST SC-32'],
  checkTemplate(tenant, report) {
    const own = tenant.ofType(...DATABASE_TYPES).filter(
      // An instance joining a cluster is the cluster's member: ISO-DATA-3 judges the cluster reference.
      (r) => !(r.type === 'AWS::RDS::DBInstance' && r.props.DBClusterIdentifier !== undefined),
    );
    const clusterMembers = tenant.ofType('AWS::RDS::DBInstance').filter((r) => r.props.DBClusterIdentifier !== undefined);
    if (own.length === 0 && clusterMembers.length === 0) {
      const stack = tenant.stacks[0]?.name ?? tenant.id;
      report.fail({
        resource: stack,
        stack,
        path: 'Resources',
        message: 'no AWS::RDS::DBInstance or AWS::RDS::DBCluster is defined: the tenant\'s data lives in a database outside its templates',
      });
      return;
    }
    for (const r of own) report.pass({ stack: r.stack.name, resource: r.id, path: 'Type', value: r.type, message: `dedicated ${r.type} ${r.id}` });
    for (const r of clusterMembers) {
      if (!own.some((c) => c.type === 'AWS::RDS::DBCluster')) {
        report.fail({
          stack: r.stack.name, resource: r.id,
          path: 'Properties.DBClusterIdentifier',
          message: `${r.id} is a member of a cluster the tenant does not define, and the tenant has no database of its own`,
        });
      }
    }
  },
};
