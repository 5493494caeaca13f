import { describe } from '../../model';

import type { IsolationRule } from '../../rule';

/** ISO-NET-3: the tenant shares none of its resources through AWS RAM. */
export const noRamShares: IsolationRule = {
  id: 'ISO-NET-3',
  title: "None of the tenant's resources are shared through AWS RAM",
  severity: 'error',
  concern: 'network',
  proves: 'network',
  rationale:
    'A RAM resource share of the tenant\'s subnets (or transit gateway, prefix lists, ...) lets other accounts launch ' +
    'into or route through the tenant\'s network: the VPC is exclusive only on paper.',
  remediation: 'Remove the AWS::RAM::ResourceShare; nothing of an exclusive tenant is shared with other accounts.',
  controls: ['NIST AC-4', 'NIST SC-7', 'PCI DSS 1.3.1'],
  checkTemplate(tenant, report) {
    for (const r of tenant.ofType('AWS::RAM::ResourceShare')) {
      const principals = r.stack.listValues(r.props.Principals ?? []).flat().map(describe);
      const resources = r.stack.listValues(r.props.ResourceArns ?? []).flat().map(describe);
      report.fail({
        stack: r.stack.name, resource: r.id,
        path: 'Properties.Principals',
        value: principals.join(', ') || '(none)',
        message: `${r.id} shares ${resources.join(', ') || 'resources'} with ${principals.join(', ') || 'other principals'} through RAM`,
      });
    }
  },
};
