import { describe, litString } from '../../model';
import { placementOf, SEARCH_TYPES } from '../../facts';
import type { IsolationRule } from '../../rule';

/** ISO-NET-6: neither the database nor the search domain is reachable from the internet. */
export const notPubliclyReachable: IsolationRule = {
  id: 'ISO-NET-6',
  title: 'Neither the database nor the search domain is publicly reachable',
  severity: 'error',
  concern: 'network',
  proves: 'network',
  rationale:
    'A publicly accessible DB instance or a search domain with a public endpoint can be reached by anyone, including ' +
    'every other customer of the vendor; the isolation then rests on credentials alone.',
  remediation: 'Set publiclyAccessible false and place the domain in the VPC (TenantDatabase and TenantSearch do both).',
  controls: ['NIST SC-7', 'NIST AC-3', 'PCI DSS 1.3.1', 'PCI DSS 1.4.4', 'HIPAA 164.312(e)(1)'],
  checkTemplate(tenant, report) {
    for (const r of tenant.ofType('AWS::RDS::DBInstance')) {
      const values = r.stack.resolve(r.props.PubliclyAccessible);
      for (const v of values) {
        const path = 'Properties.PubliclyAccessible';
        if (v.k === 'absent') {
          // Default: false in a DB subnet group of a non-default VPC, true in the default VPC.
          if (r.props.DBSubnetGroupName === undefined && r.props.DBClusterIdentifier === undefined) {
            report.fail({ stack: r.stack.name, resource: r.id, path, value: '(not set)', message: `${r.id} sets no PubliclyAccessible and no subnet group: in the default VPC it defaults to publicly accessible` });
          } else report.pass({ stack: r.stack.name, resource: r.id, path, value: '(not set)', message: `${r.id} defaults to not publicly accessible in its subnet group` });
          continue;
        }
        const s = litString(v) ?? (v.k === 'lit' ? String(v.v) : undefined);
        if (s === undefined) report.unverifiable({ stack: r.stack.name, resource: r.id, path, value: describe(v), message: `${r.id}.PubliclyAccessible is ${describe(v)}` });
        else if (s.toLowerCase() === 'true') report.fail({ stack: r.stack.name, resource: r.id, path, value: s, message: `${r.id} is publicly accessible` });
        else report.pass({ stack: r.stack.name, resource: r.id, path, value: s, message: `${r.id} is not publicly accessible` });
      }
    }
    for (const r of tenant.ofType(...SEARCH_TYPES)) {
      const p = placementOf(r);
      if (p.none) report.fail({ stack: r.stack.name, resource: r.id, path: 'Properties.VPCOptions', message: `${r.id} has no VPCOptions: its endpoint is public` });
      else report.pass({ stack: r.stack.name, resource: r.id, path: 'Properties.VPCOptions', message: `${r.id} has a VPC endpoint only` });
    }
  },
};
