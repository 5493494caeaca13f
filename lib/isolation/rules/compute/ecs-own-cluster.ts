import type { IsolationRule } from '../../rule';
import { checkClusterRef, checkForeignClusterArns, checkUserDataJoins } from './cluster-ref';

const ECS_CLUSTER = ['AWS::ECS::Cluster'];

/** ISO-COMP-1: ECS workloads run only on clusters the tenant defines. */
export const ecsOwnCluster: IsolationRule = {
  id: 'ISO-COMP-1',
  title: 'ECS services and tasks run only on clusters the tenant defines',
  severity: 'error',
  concern: 'compute',
  proves: 'network',
  rationale:
    'The shared-cluster fake gives each customer an ECS service of its own on the vendor\'s cluster (a literal name, ' +
    'an ARN or an imported value): the tenant\'s tasks share hosts, the cluster\'s capacity and its agents with every ' +
    'other customer.',
  remediation: 'Define an AWS::ECS::Cluster in the tenant stack and reference it (Ref/Fn::GetAtt), never a literal or imported cluster.',
  controls: ['NIST SC-2', 'NIST SC-39', 'PCI DSS A1.1.2', 'HIPAA 164.308(a)(4)'],
  checkTemplate(tenant, report) {
    checkForeignClusterArns(tenant, 'ecs', report);
    for (const r of tenant.ofType('AWS::ECS::Service')) {
      checkClusterRef(r, ['Cluster'], ECS_CLUSTER, 'ECS', report, {
        missing: `${r.id} sets no Cluster: it runs on the account's "default" cluster, which the tenant's templates do not define`,
      });
    }
    for (const r of tenant.ofType('AWS::ECS::TaskSet', 'AWS::ECS::ClusterCapacityProviderAssociations')) {
      checkClusterRef(r, ['Cluster'], ECS_CLUSTER, 'ECS', report);
    }
    // Scheduled tasks: EventBridge rule targets and Scheduler schedules whose ARN is a cluster.
    for (const r of tenant.ofType('AWS::Events::Rule')) {
      r.stack.elements(r.props.Targets).forEach((t, i) => {
        const target = (t ?? {}) as Record<string, unknown>;
        if (target.EcsParameters === undefined) return;
        checkClusterRef({ ...r, props: target }, ['Arn'], ECS_CLUSTER, 'ECS', {
          pass: (o) => report.pass({ ...o, path: `Properties.Targets[${i}].Arn` }),
          fail: (o) => report.fail({ ...o, path: `Properties.Targets[${i}].Arn` }),
          unverifiable: (o) => report.unverifiable({ ...o, path: `Properties.Targets[${i}].Arn` }),
        });
      });
    }
    for (const r of tenant.ofType('AWS::Scheduler::Schedule')) {
      if (r.stack.nodesAt(r.props, ['Target', 'EcsParameters']).length > 0) checkClusterRef(r, ['Target', 'Arn'], ECS_CLUSTER, 'ECS', report);
    }
    // Instances joining a cluster through user data.
    checkUserDataJoins(tenant, 'ECS', ECS_CLUSTER, 'ClusterName', report);
  },
};
