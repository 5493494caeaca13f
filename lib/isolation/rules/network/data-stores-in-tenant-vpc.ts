import { DATABASE_TYPES, placementOf, SEARCH_TYPES, targetResource } from '../../facts';
import { describe } from '../../model';
import type { IsolationRule } from '../../rule';

/** ISO-NET-1: every database and search domain sits in a VPC the tenant defines. */
export const dataStoresInTenantVpc: IsolationRule = {
  id: 'ISO-NET-1',
  title: 'Every database and search domain sits in a VPC the tenant defines, behind its own security groups',
  severity: 'error',
  concern: 'network',
  proves: 'network',
  rationale:
    'The shared-VPC fake places the tenant\'s "dedicated" database in the vendor\'s VPC by literal subnet ids, ' +
    'parameters or imports: the network, its routes and every neighbour in it are shared.',
  remediation: 'Place the database and domain in the TenantNetwork VPC(s): vpc/subnets props of TenantDatabase and TenantSearch.',
  controls: ['NIST SC-7', 'NIST AC-4', 'PCI DSS 1.3.1', 'HIPAA 164.312(e)(1)'],
  checkTemplate(tenant, report) {
    for (const r of tenant.ofType(...DATABASE_TYPES, ...SEARCH_TYPES)) {
      const p = placementOf(r);
      if (p.none) {
        report.fail({ stack: r.stack.name, resource: r.id, path: r.type.includes('RDS') ? 'Properties.DBSubnetGroupName' : 'Properties.VPCOptions', message: `${r.id}: ${p.none}` });
        continue;
      }
      for (const problem of p.problems) {
        const msg = `${r.id} is placed through ${problem.path} = ${problem.value}, ${problem.outside ? 'which is not a subnet of a VPC the tenant defines' : 'which the verifier cannot follow to a VPC of the tenant'}`;
        if (problem.outside) report.fail({ stack: r.stack.name, resource: r.id, path: problem.path, value: problem.value, message: msg });
        else report.unverifiable({ stack: r.stack.name, resource: r.id, path: problem.path, value: problem.value, message: msg });
      }
      if (p.problems.length === 0 && p.vpcs.length > 0) {
        report.pass({ stack: r.stack.name, resource: r.id, path: '-', value: p.vpcs.map((v) => v.id).join(', '), message: `${r.id} is in the tenant VPC ${p.vpcs.map((v) => v.id).join(', ')}` });
      }
      // Its security groups must be the tenant's too.
      const sgPaths = r.type.includes('RDS') ? [['VPCSecurityGroups']] : [['VPCOptions', 'SecurityGroupIds']];
      for (const path of sgPaths) {
        for (const node of r.stack.nodesAt(r.props, path)) {
          for (const v of r.stack.listValues(node).flat()) {
            if (v.k === 'absent') continue;
            const sg = targetResource(v);
            const ok = sg && (sg.type === 'AWS::EC2::SecurityGroup' || (sg.type === 'AWS::EC2::VPC' && v.k === 'res' && v.attr === 'DefaultSecurityGroup'));
            if (!ok) {
              report.fail({
                stack: r.stack.name, resource: r.id,
                path: `Properties.${path.join('.')}`,
                value: describe(v),
                message: `${r.id} uses the security group ${describe(v)}, which the tenant's templates do not define`,
              });
            }
          }
        }
      }
    }
  },
};
