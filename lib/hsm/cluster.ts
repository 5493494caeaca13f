/**
 * Custom::ExclusiveDeskHsmCluster: the tenant's own CloudHSM cluster and its first HSM. CloudFormation has no
 * resource for either. One tenant has one cluster: a create adopts the cluster an earlier attempt of this resource
 * left, and refuses to make a second one while another cluster of the tenant exists. Initialisation is out of band
 * (docs/hsm.md). The resource is `RetainExceptOnCreate`, so CloudFormation asks for a delete only when the deploy that
 * created it rolls back; the handler then deletes the cluster if, and only if, it is still UNINITIALIZED (it holds
 * no key material, no user and no trust anchor yet), so the retry meets no cluster in a VPC being deleted.
 */
import {
  CloudHSMV2Client,
  CreateClusterCommand,
  CreateHsmCommand,
  DeleteClusterCommand,
  DeleteHsmCommand,
  DescribeClustersCommand,
  TagResourceCommand,
  type Cluster,
} from '@aws-sdk/client-cloudhsm-v2';
import { DeleteSecurityGroupCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  sameTags,
  stringProp,
  tagsProp,
  type IsCompleteRequest,
  type IsCompleteResponse,
  type OnEventRequest,
  type OnEventResponse,
  type Tag,
} from './types';
import { log } from './log';

const RESOURCE = 'Custom::ExclusiveDeskHsmCluster';
/** Tag that ties a cluster to the stack resource that created it (so a retried create adopts it). */
export const LOGICAL_ID_TAG = 'exclusive-desk:logical-id';

interface ClusterProps {
  readonly HsmType: string;
  readonly SubnetIds: string[];
  readonly VpcId: string;
  readonly Tags: Tag[];
}

function readProps(props: Readonly<Record<string, unknown>> | undefined): ClusterProps {
  const subnets = props?.SubnetIds;
  if (!Array.isArray(subnets) || subnets.length < 2 || !subnets.every((s): s is string => typeof s === 'string')) {
    throw new Error(`${RESOURCE}: property SubnetIds must list at least 2 subnet ids, got ${JSON.stringify(subnets)}`);
  }
  return {
    HsmType: stringProp(props, 'HsmType', RESOURCE),
    VpcId: stringProp(props, 'VpcId', RESOURCE),
    SubnetIds: subnets,
    Tags: tagsProp(props),
  };
}

async function describe(hsm: CloudHSMV2Client, filters: Record<string, string[]>): Promise<Cluster[]> {
  const clusters: Cluster[] = [];
  let token: string | undefined;
  do {
    const out = await hsm.send(new DescribeClustersCommand({ Filters: filters, NextToken: token }));
    clusters.push(...(out.Clusters ?? []));
    token = out.NextToken;
  } while (token);
  return clusters;
}

export async function describeCluster(hsm: CloudHSMV2Client, clusterId: string): Promise<Cluster> {
  const [cluster] = await describe(hsm, { clusterIds: [clusterId] });
  if (!cluster) throw new Error(`${RESOURCE}: CloudHSM cluster ${clusterId} does not exist`);
  return cluster;
}

const GONE = ['DELETE_IN_PROGRESS', 'DELETED'];
/** States in which a cluster holds nothing: no trust anchor, no users, no keys (it is deleted on a failed create). */
const EMPTY = ['CREATE_IN_PROGRESS', 'UNINITIALIZED'];

const hasTags = (c: Cluster, tags: readonly Tag[]): boolean =>
  tags.every((want) => c.TagList?.some((t) => t.Key === want.Key && t.Value === want.Value));

export async function onClusterEvent(event: OnEventRequest, hsm: CloudHSMV2Client): Promise<OnEventResponse> {
  if (event.RequestType === 'Delete') {
    // Only the rollback of the creating deploy asks (RetainExceptOnCreate); isComplete deletes an empty cluster only.
    log(`${RESOURCE}: delete of CloudHSM cluster ${event.PhysicalResourceId ?? '(none)'}: checking whether it is empty`);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const props = readProps(event.ResourceProperties);
  if (event.RequestType === 'Update') {
    const clusterId = event.PhysicalResourceId!;
    const old = readProps(event.OldResourceProperties);
    const sameSubnets = [...old.SubnetIds].sort().join() === [...props.SubnetIds].sort().join();
    if (old.HsmType !== props.HsmType || !sameSubnets || old.VpcId !== props.VpcId) {
      throw new Error(
        `${RESOURCE}: HsmType, SubnetIds and VpcId of CloudHSM cluster ${clusterId} cannot change in place ` +
          `(was ${old.HsmType} in ${old.SubnetIds.join(',')}, asked ${props.HsmType} in ${props.SubnetIds.join(',')}); ` +
          'migrate the cluster out of band as docs/hsm.md describes',
      );
    }
    if (!sameTags(old.Tags, props.Tags) && props.Tags.length > 0) {
      await hsm.send(new TagResourceCommand({ ResourceId: clusterId, TagList: props.Tags }));
    }
    return { PhysicalResourceId: clusterId, Data: { ClusterId: clusterId } };
  }
  // Create: every live cluster of this tenant (its tags), in any VPC of the account and region.
  const tenants = (await describe(hsm, {})).filter((c) => !GONE.includes(c.State ?? '') && hasTags(c, props.Tags));
  const owned = tenants.find(
    (c) => c.VpcId === props.VpcId && c.TagList?.some((t) => t.Key === LOGICAL_ID_TAG && t.Value === event.LogicalResourceId),
  );
  if (owned?.ClusterId) {
    log(`${RESOURCE}: adopting CloudHSM cluster ${owned.ClusterId} created by an earlier attempt`);
    return { PhysicalResourceId: owned.ClusterId, Data: { ClusterId: owned.ClusterId } };
  }
  const other = tenants[0];
  if (other) {
    throw new Error(
      `${RESOURCE}: the tenant already has CloudHSM cluster ${other.ClusterId ?? '?'} (${other.State ?? '?'}) in ` +
        `${other.VpcId ?? '?'}, not in ${props.VpcId}; one tenant has one cluster, so no second one is created. ` +
        'If it is the leftover of an abandoned attempt and UNINITIALIZED, delete its HSMs and the cluster; if it ' +
        'holds the tenant keys, recover the network it lives in (docs/hsm.md, "Recovery")',
    );
  }
  const out = await hsm.send(
    new CreateClusterCommand({
      HsmType: props.HsmType,
      SubnetIds: props.SubnetIds,
      TagList: [...props.Tags, { Key: LOGICAL_ID_TAG, Value: event.LogicalResourceId }],
    }),
  );
  const clusterId = out.Cluster?.ClusterId;
  if (!clusterId) throw new Error(`${RESOURCE}: CreateCluster returned no ClusterId`);
  log(`${RESOURCE}: created CloudHSM cluster ${clusterId}`);
  return { PhysicalResourceId: clusterId, Data: { ClusterId: clusterId } };
}

/**
 * Complete once the cluster exists with an active first HSM (state UNINITIALIZED or later). Creates the first HSM,
 * in the zone of the first subnet, when the new cluster has none.
 */
export async function isClusterComplete(
  event: IsCompleteRequest,
  hsm: CloudHSMV2Client,
  ec2?: EC2Client,
): Promise<IsCompleteResponse> {
  if (event.RequestType === 'Delete') return deleteIfEmpty(event.PhysicalResourceId, hsm, ec2);
  const clusterId = event.PhysicalResourceId;
  const cluster = await describeCluster(hsm, clusterId);
  const state = cluster.State ?? 'UNKNOWN';
  const data = { ClusterId: clusterId, SecurityGroup: cluster.SecurityGroup ?? '', State: state };
  if (GONE.includes(state)) throw new Error(`${RESOURCE}: CloudHSM cluster ${clusterId} is ${state}`);
  if (state === 'CREATE_IN_PROGRESS') return { IsComplete: false };
  if (state === 'UNINITIALIZED') {
    const hsms = cluster.Hsms ?? [];
    if (hsms.length === 0) {
      const zones = Object.keys(cluster.SubnetMapping ?? {}).sort();
      const zone = zones[0];
      if (!zone) throw new Error(`${RESOURCE}: CloudHSM cluster ${clusterId} has no subnet mapping`);
      await hsm.send(new CreateHsmCommand({ ClusterId: clusterId, AvailabilityZone: zone }));
      log(`${RESOURCE}: creating the first HSM of ${clusterId} in ${zone}`);
      return { IsComplete: false };
    }
    if (!hsms.some((h) => h.State === 'ACTIVE')) return { IsComplete: false };
  }
  // UNINITIALIZED with an active HSM, or any later state: the out-of-band initialisation can start.
  return { IsComplete: true, Data: data };
}

/**
 * The delete CloudFormation sends when the deploy that created the cluster rolls back (the resource is
 * RetainExceptOnCreate): an empty cluster is deleted, HSMs first, then the cluster, then the security group CloudHSM
 * made for it in the tenant's VPC, so the rollback can delete the subnets and the VPC. A cluster in any later state
 * (initialised: it has the customer's trust anchor, users, perhaps keys) is never deleted by a stack operation.
 */
async function deleteIfEmpty(clusterId: string, hsm: CloudHSMV2Client, ec2?: EC2Client): Promise<IsCompleteResponse> {
  const [cluster] = clusterId.startsWith('cluster-') ? await describe(hsm, { clusterIds: [clusterId] }) : [];
  if (!cluster) return { IsComplete: true };
  const state = cluster.State ?? 'UNKNOWN';
  if (state === 'DELETE_IN_PROGRESS') return { IsComplete: false };
  if (state === 'DELETED') {
    if (cluster.SecurityGroup && ec2) {
      try {
        await ec2.send(new DeleteSecurityGroupCommand({ GroupId: cluster.SecurityGroup }));
        log(`${RESOURCE}: deleted security group ${cluster.SecurityGroup} of deleted cluster ${clusterId}`);
      } catch (e) {
        if ((e as { name?: string }).name !== 'InvalidGroup.NotFound') throw e;
      }
    }
    return { IsComplete: true };
  }
  if (!EMPTY.includes(state)) {
    log(`${RESOURCE}: retaining CloudHSM cluster ${clusterId} (${state}): it is initialised, never deleted by a stack`);
    return { IsComplete: true };
  }
  if (state === 'CREATE_IN_PROGRESS') return { IsComplete: false };
  const hsms = cluster.Hsms ?? [];
  if (hsms.length > 0) {
    for (const h of hsms) {
      if (h.State === 'DELETE_IN_PROGRESS' || h.State === 'CREATE_IN_PROGRESS') continue;
      await hsm.send(new DeleteHsmCommand({ ClusterId: clusterId, HsmId: h.HsmId }));
      log(`${RESOURCE}: deleting HSM ${h.HsmId ?? '?'} of the empty cluster ${clusterId} (its creating deploy rolled back)`);
    }
    return { IsComplete: false };
  }
  await hsm.send(new DeleteClusterCommand({ ClusterId: clusterId }));
  log(`${RESOURCE}: deleting the empty cluster ${clusterId} (its creating deploy rolled back)`);
  return { IsComplete: false };
}
