import type { IsolationRule } from '../../rule';

const SERVERLESS = [
  'AWS::OpenSearchServerless::Collection',
  'AWS::OpenSearchServerless::SecurityPolicy',
  'AWS::OpenSearchServerless::AccessPolicy',
  'AWS::OpenSearchServerless::VpcEndpoint',
  'AWS::OpenSearchServerless::Index',
];

/** ISO-DATA-5: search runs on a provisioned domain, never OpenSearch Serverless. */
export const noServerlessSearch: IsolationRule = {
  id: 'ISO-DATA-5',
  title: 'Search runs on a dedicated domain, not an OpenSearch Serverless collection',
  severity: 'error',
  concern: 'search',
  proves: 'network',
  rationale:
    'An OpenSearch Serverless collection looks like a per-tenant resource, but its indexing and search compute (OCUs) ' +
    'is shared across the collections of the account and encryption policies can span collections: the data is not ' +
    'on a domain of its own.',
  remediation: 'Replace the collection with an AWS::OpenSearchService::Domain from the TenantSearch construct.',
  controls: ['NIST SC-4', 'NIST SC-32', 'PCI DSS A1.1.1'],
  checkTemplate(tenant, report) {
    for (const r of tenant.ofType(...SERVERLESS)) {
      report.fail({
        stack: r.stack.name, resource: r.id,
        path: 'Type',
        value: r.type,
        message: `${r.id} is ${r.type}: OpenSearch Serverless compute is shared, not a dedicated search domain`,
      });
    }
  },
};
