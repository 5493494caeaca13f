import { reportAccesses, storeAccesses, type StoreAccess } from '../../access';
import type { IsolationRule } from '../../rule';

function message(a: StoreAccess): string {
  const verb = a.via === 'policy' ? 'grants access to' : 'points the workload at';
  const rows = a.leadingKeys ? ' limited to some partition keys by dynamodb:LeadingKeys' : '';
  if (a.verdict === 'own') return `${a.resource.id} ${verb} ${a.reason}${rows}`;
  const pooled = a.leadingKeys ? ': row-level pooling, only the partition key separates the tenants' : ' (a pooled store)';
  if (a.verdict === 'foreign') return `${a.resource.id} ${verb} ${a.reason}${rows}${pooled}`;
  return `${a.resource.id} ${verb} ${a.reason}${rows}, which may be a pooled store`;
}

/** ISO-DATA-8: IAM policies grant no table or other data store the tenant does not define. */
export const ownTablesOnly: IsolationRule = {
  id: 'ISO-DATA-8',
  title: 'IAM policies, tasks and functions reach only DynamoDB tables and other data stores the tenant defines',
  severity: 'error',
  concern: 'database',
  proves: 'network',
  rationale:
    'The pooled-table fake gives each customer a role whose policy grants the vendor\'s one DynamoDB table, often ' +
    'narrowed to the customer\'s items with the dynamodb:LeadingKeys condition (row-level pooling), or grants the ' +
    'vendor\'s Aurora cluster through the RDS Data API, its OpenSearch domain, DAX or ElastiCache cluster. The ' +
    'tenant\'s templates define no such store; its data sits beside every other customer\'s, separated by a key.',
  remediation:
    'Define the table (dynamodb.TableV2 with the tenant key) or store in the tenant stack and grant it with ' +
    'table.grantReadWriteData; pass table.tableName to the workload, never a name from a parameter, SSM or an import.',
  controls: ['HIPAA 164.308(a)(4)(ii)(A)', 'PCI DSS A1.1.1', 'NIST AC-4', 'NIST SC-4'],
  checkTemplate(tenant, report) {
    reportAccesses(storeAccesses(tenant).filter((a) => a.service !== 's3'), report, message);
  },
};
