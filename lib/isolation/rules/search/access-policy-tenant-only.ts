import { placementOf, SEARCH_TYPES } from '../../facts';
import { litString } from '../../model';
import type { IsolationRule } from '../../rule';
import { grantsOf } from '../keys/policy';

/** ISO-SRCH-1: the search domain's access policy names only the tenant's principals. */
export const accessPolicyTenantOnly: IsolationRule = {
  id: 'ISO-SRCH-1',
  title: "The search domain's access policy names only the tenant's principals",
  severity: 'error',
  concern: 'search',
  proves: 'network',
  rationale:
    'A domain whose access policy admits the vendor\'s account, another customer or "*" can be queried from outside ' +
    'the tenant; with an index-per-customer layout this is how one customer\'s query reaches another\'s tickets.',
  remediation: 'Grant only the tenant account\'s roles in the domain access policy (TenantSearch accessPrincipals).',
  controls: ['NIST AC-3', 'NIST AC-6', 'PCI DSS 7.2.1', 'HIPAA 164.312(a)(1)'],
  checkTemplate(tenant, report) {
    for (const r of tenant.ofType(...SEARCH_TYPES)) {
      const path = 'Properties.AccessPolicies';
      if (r.props.AccessPolicies === undefined) {
        report.pass({ stack: r.stack.name, resource: r.id, path, message: `${r.id} has no resource-based access policy (only the tenant account's IAM policies apply)` });
        continue;
      }
      const grants = grantsOf(r.stack, r.props.AccessPolicies);
      if ('unresolved' in grants) {
        report.unverifiable({ stack: r.stack.name, resource: r.id, path, value: grants.unresolved, message: `${r.id}'s access policy cannot be read: ${grants.unresolved}` });
        continue;
      }
      const inVpc = !placementOf(r).none;
      const fgac = r.stack.valuesAt(r.props, ['AdvancedSecurityOptions', 'Enabled']).every((v) => litString(v) === 'true' || (v.k === 'lit' && v.v === true));
      let bad = false;
      for (const g of grants) {
        if (g.owner === 'self' || g.pinned || g.kind === 'Service') continue;
        const at = `${path}.Statement[${g.statement}]`;
        if (g.kind === 'Wildcard' && inVpc && fgac) {
          report.fail({ stack: r.stack.name, resource: r.id, path: at, value: g.value, severity: 'warning', message: `${r.id} admits "*" in its access policy; the VPC endpoint and fine-grained access control still limit it to the tenant network` });
          continue;
        }
        bad = true;
        if (g.owner === 'unknown' && g.kind === 'AWS') report.unverifiable({ stack: r.stack.name, resource: r.id, path: at, value: g.value, message: `${r.id} admits ${g.value}, which cannot be shown to be the tenant's` });
        else report.fail({ stack: r.stack.name, resource: r.id, path: at, value: g.value, message: `${r.id} admits ${g.kind === 'Wildcard' ? 'every principal ("*")' : g.value}${g.orgOnly ? ' (only an organization condition, which spans the vendor\'s accounts)' : ''}` });
      }
      if (!bad) report.pass({ stack: r.stack.name, resource: r.id, path, message: `${r.id} admits only the tenant's principals` });
    }
  },
};
