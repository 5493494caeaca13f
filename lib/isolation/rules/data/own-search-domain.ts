import { SEARCH_TYPES } from '../../facts';
import type { IsolationRule } from '../../rule';

/** ISO-DATA-2: the tenant's template defines its own search domain. */
export const ownSearchDomain: IsolationRule = {
  id: 'ISO-DATA-2',
  title: "The tenant's templates define its own OpenSearch domain",
  severity: 'error',
  concern: 'search',
  proves: 'network',
  rationale:
    'An index-per-customer deployment has no search domain in the tenant template: ticket text is indexed in a ' +
    'domain shared with other customers. Only a domain defined in the tenant\'s own templates is dedicated.',
  remediation: 'Compose the TenantSearch construct in the tenant stack (one OpenSearch domain per tenant).',
  controls: ['HIPAA 164.308(a)(4)(ii)(A)', 'PCI DSS A1.1.1', 'NIST SC-4', 'NIST SC-32'],
  checkTemplate(tenant, report) {
    const domains = tenant.ofType(...SEARCH_TYPES);
    if (domains.length === 0) {
      const stack = tenant.stacks[0]?.name ?? tenant.id;
      report.fail({
        resource: stack,
        stack,
        path: 'Resources',
        message: 'no AWS::OpenSearchService::Domain is defined: the tenant\'s ticket index lives in a search domain outside its templates',
      });
      return;
    }
    for (const r of domains) report.pass({ stack: r.stack.name, resource: r.id, path: 'Type', value: r.type, message: `dedicated search domain ${r.id}` });
  },
};
