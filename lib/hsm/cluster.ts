/**
 * Custom::ExclusiveDeskHsmCluster: the tenant's own CloudHSM cluster and its first HSM. CloudFormation has no
 * resource for either. The cluster is never deleted by a stack operation; initialisation is out of band
 * (docs/hsm.md).
 */
import {
  CloudHSMV2Client,
  CreateClusterCommand,
  CreateHsmCommand,
  DescribeClustersCommand,
  TagResourceCommand,
  type Cluster,
} from '@aws-sdk/client-cloudhsm-v2';
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

export async function onClusterEvent(event: OnEventRequest, hsm: CloudHSMV2Client): Promise<OnEventResponse> {
  if (event.RequestType === 'Delete') {
    // HSM material is never deleted by a stack operation: the cluster is left for the operator (docs/hsm.md).
    log(`${RESOURCE}: retaining CloudHSM cluster ${event.PhysicalResourceId ?? '(none)'} on delete`);
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
  // Create: adopt a cluster a failed earlier attempt of this same resource left behind, else create one.
  const owned = (await describe(hsm, { vpcIds: [props.VpcId] })).find(
    (c) =>
      !GONE.includes(c.State ?? '') &&
      c.TagList?.some((t) => t.Key === LOGICAL_ID_TAG && t.Value === event.LogicalResourceId) &&
      props.Tags.every((want) => c.TagList?.some((t) => t.Key === want.Key && t.Value === want.Value)),
  );
  if (owned?.ClusterId) {
    log(`${RESOURCE}: adopting CloudHSM cluster ${owned.ClusterId} created by an earlier attempt`);
    return { PhysicalResourceId: owned.ClusterId, Data: { ClusterId: owned.ClusterId } };
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
export async function isClusterComplete(event: IsCompleteRequest, hsm: CloudHSMV2Client): Promise<IsCompleteResponse> {
  if (event.RequestType === 'Delete') return { IsComplete: true };
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
