import { targetResource } from '../../facts';
import type { IsolationRule } from '../../rule';

/** ISO-HYG-4: every tenant VPC has flow logs (hygiene). */
export const networkHygiene: IsolationRule = {
  id: 'ISO-HYG-4',
  title: 'Every tenant VPC records flow logs',
  severity: 'warning',
  concern: 'network',
  rationale: 'Not an isolation question: flow logs are the evidence that the boundary held.',
  remediation: 'Use the TenantNetwork construct (flow logs to a KMS-encrypted log group).',
  controls: ['NIST AU-12', 'PCI DSS 10.2.1', 'HIPAA 164.312(b)'],
  checkTemplate(tenant, report) {
    const logged = new Set(
      tenant.ofType('AWS::EC2::FlowLog').flatMap((f) => f.stack.resolve(f.props.ResourceId).map(targetResource)).filter(Boolean),
    );
    for (const vpc of tenant.ofType('AWS::EC2::VPC')) {
      if (logged.has(vpc)) report.pass({ stack: vpc.stack.name, resource: vpc.id, path: '-', message: `${vpc.id} has flow logs` });
      else report.fail({ stack: vpc.stack.name, resource: vpc.id, path: '-', message: `${vpc.id} has no flow log` });
    }
  },
};
