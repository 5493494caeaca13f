import { isCustomResource } from '../../facts';
import type { IsolationRule } from '../../rule';
import { checkClusterRef, checkForeignClusterArns, checkUserDataJoins } from './cluster-ref';

const EKS_CLUSTER = ['AWS::EKS::Cluster', 'Custom::AWSCDK-EKS-Cluster'];
/** Resources that place workloads, nodes or access on an EKS cluster named by ClusterName. */
const ON_CLUSTER = [
  'AWS::EKS::Nodegroup',
  'AWS::EKS::FargateProfile',
  'AWS::EKS::Addon',
  'AWS::EKS::AccessEntry',
  'AWS::EKS::PodIdentityAssociation',
  'AWS::EKS::IdentityProviderConfig',
];

/** ISO-COMP-2: Kubernetes workloads run only on EKS clusters the tenant defines. */
export const kubernetesOwnCluster: IsolationRule = {
  id: 'ISO-COMP-2',
  title: 'Kubernetes workloads run only on EKS clusters the tenant defines',
  severity: 'error',
  concern: 'compute',
  proves: 'network',
  rationale:
    'The namespace-per-customer fake applies the tenant\'s manifests or Helm charts to the vendor\'s EKS cluster ' +
    '(imported by name with a kubectl role), or adds a node group or Fargate profile to it: pods of every customer ' +
    'share the control plane, the nodes and the cluster network.',
  remediation: 'Define the EKS cluster in the tenant stack and apply manifests to it; never import a cluster by name or ARN.',
  controls: ['NIST SC-2', 'NIST SC-39', 'PCI DSS A1.1.2', 'HIPAA 164.308(a)(4)'],
  checkTemplate(tenant, report) {
    checkForeignClusterArns(tenant, 'eks', report);
    for (const r of tenant.ofType(...ON_CLUSTER)) checkClusterRef(r, ['ClusterName'], EKS_CLUSTER, 'EKS', report);
    for (const r of tenant.resources()) {
      if (!isCustomResource(r) || EKS_CLUSTER.includes(r.type)) continue;
      // CDK's KubernetesManifest / HelmChart / KubernetesPatch and hand-written equivalents name the cluster.
      const key = ['ClusterName', 'ClusterArn', 'Cluster', 'EksClusterName'].find((k) => r.props[k] !== undefined);
      const kube = /EKS|Kubernetes|Helm|Kubectl/i.test(r.type) || ['Manifest', 'Chart', 'Release', 'Namespace'].some((k) => r.props[k] !== undefined);
      if (key && kube) checkClusterRef(r, [key], EKS_CLUSTER, 'EKS', report);
    }
    // Instances joining a cluster through user data.
    checkUserDataJoins(tenant, 'EKS', EKS_CLUSTER, 'Name', report);
  },
};
