/**
 * Collects one tenant's live inventory with read-only AWS API calls.
 *
 * - Scoped to the tenant: the credentials' account is confirmed first (`sts:GetCallerIdentity`); on a mismatch or
 *   no credentials nothing else is read. Every call goes to the tenant's region; EC2 calls filter by the tenant tag
 *   or by the tenant's VPC ids; APIs without filters (RDS, OpenSearch, RAM, KMS) list the tenant's own account.
 * - Only what the rules that count at the target level declare in `liveActions` is called.
 * - The SDK's paginators and its retry strategy (adaptive by default); a small limiter bounds concurrency.
 * - Never throws for an API error: every failure becomes a `CollectionError` in the inventory, which the rules
 *   report as "could not verify".
 */
import { paginateDescribeClusters } from '@aws-sdk/client-cloudhsm-v2';
import { paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeVpnGatewaysCommand,
  paginateDescribeFlowLogs,
  paginateDescribeInstances,
  paginateDescribeManagedPrefixLists,
  paginateDescribeSecurityGroups,
  paginateDescribeTransitGatewayAttachments,
  paginateDescribeVpcEndpoints,
  paginateDescribeVpcEndpointServiceConfigurations,
  paginateDescribeVpcEndpointServicePermissions,
  paginateDescribeVpcPeeringConnections,
  paginateDescribeVpcs,
  type Filter,
  type IpPermission,
  type Vpc,
  type VpcPeeringConnection,
} from '@aws-sdk/client-ec2';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  paginateDescribeCustomKeyStores,
  paginateListAliases,
  paginateListGrants,
} from '@aws-sdk/client-kms';
import {
  DescribeDomainsCommand,
  ListDomainNamesCommand,
  ListTagsCommand,
  paginateDescribeInboundConnections,
  paginateDescribeOutboundConnections,
  type DomainStatus,
} from '@aws-sdk/client-opensearch';
import { paginateGetResourceShares, paginateListResources } from '@aws-sdk/client-ram';
import {
  DescribeDBSnapshotAttributesCommand,
  paginateDescribeDBInstances,
  paginateDescribeDBParameters,
  paginateDescribeDBSnapshots,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type {
  Collected,
  CollectionError,
  LiveAlias,
  LiveDbInstance,
  LiveDbSnapshot,
  LiveDbParameterGroup,
  LiveLogGroup,
  LiveEndpointService,
  LiveIdentity,
  LiveKey,
  LiveKeyMetadata,
  LivePeering,
  LiveResourceShare,
  LiveSearchConnection,
  LiveSearchDomain,
  LiveSecurityGroup,
  LiveVpc,
  Tags,
  TenantInventory,
} from '../isolation/inventory';
import { allPages, attempt, chunks, each, failure, skipped, success, type AttemptContext } from './attempt';
import type { LiveClients } from './clients';
import { collectTargetGroups } from './collect-access';
import { partitionOfRegion, TENANT_TAG_KEY, type LiveTarget } from './config';
import { limiter } from './limit';
import { keyAliasName } from '../naming';
import { liveActionsFor } from './permissions';

export interface CollectOptions {
  readonly clients: LiveClients;
  /** At most this many API operations in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Aborts calls in flight and stops new ones (the gate's deadline). @default - none */
  readonly signal?: AbortSignal;
  /** The actions the collector may call. @default liveActionsFor(target.level) */
  readonly allowedActions?: readonly string[];
  /** The collection time stamp. @default - now */
  readonly now?: () => Date;
}

function tagsOf(list: readonly { Key?: string; Value?: string }[] | undefined): Tags {
  const out: Record<string, string> = {};
  for (const t of list ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

function firstError(...parts: Collected<unknown>[]): CollectionError | undefined {
  for (const p of parts) if (!p.ok) return p.error;
  return undefined;
}

/** The parts' lists as one, or the first part's error: a partial list must not pass for a complete one. */
function allOrFirstError<T>(parts: readonly Collected<readonly T[]>[]): Collected<T[]> {
  const error = firstError(...parts);
  return error ? failure(error) : success(parts.flatMap((p) => (p.ok ? p.value : [])));
}

/** A part not collected because what it is looked up by (`what`) could not be read. */
function unknownInput(action: string, what: string, cause: CollectionError | undefined): Collected<never> {
  return failure(skipped(action, `not collected: ${what} are unknown (${cause?.action} failed: ${cause?.code})`));
}

function dbInstance(d: DBInstance): LiveDbInstance {
  return {
    arn: d.DBInstanceArn ?? d.DBInstanceIdentifier ?? '(unknown)',
    id: d.DBInstanceIdentifier ?? '(unknown)',
    engine: d.Engine,
    instanceClass: d.DBInstanceClass,
    status: d.DBInstanceStatus,
    storageEncrypted: d.StorageEncrypted === true,
    kmsKeyId: d.KmsKeyId,
    performanceInsightsEnabled: d.PerformanceInsightsEnabled === true,
    performanceInsightsKmsKeyId: d.PerformanceInsightsKMSKeyId,
    masterUserSecret: d.MasterUserSecret ? { secretArn: d.MasterUserSecret.SecretArn, kmsKeyId: d.MasterUserSecret.KmsKeyId } : undefined,
    publiclyAccessible: d.PubliclyAccessible === true,
    subnetGroup: d.DBSubnetGroup
      ? {
          name: d.DBSubnetGroup.DBSubnetGroupName,
          vpcId: d.DBSubnetGroup.VpcId,
          subnetIds: (d.DBSubnetGroup.Subnets ?? []).map((s) => s.SubnetIdentifier).filter((s): s is string => !!s),
        }
      : undefined,
    securityGroupIds: (d.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId).filter((g): g is string => !!g),
    deletionProtection: d.DeletionProtection === true,
    multiAz: d.MultiAZ === true,
    backupRetentionPeriod: d.BackupRetentionPeriod,
    iamAuthentication: d.IAMDatabaseAuthenticationEnabled === true,
    clusterId: d.DBClusterIdentifier,
    readReplicaSource: d.ReadReplicaSourceDBInstanceIdentifier,
    readReplicas: d.ReadReplicaDBInstanceIdentifiers ?? [],
    parameterGroups: (d.DBParameterGroups ?? []).map((g) => g.DBParameterGroupName).filter((n): n is string => !!n),
    tags: tagsOf(d.TagList),
  };
}

function vpc(v: Vpc): LiveVpc {
  const cidrs = unique([
    ...(v.CidrBlock ? [v.CidrBlock] : []),
    ...(v.CidrBlockAssociationSet ?? [])
      .filter((a) => !a.CidrBlockState?.State || a.CidrBlockState.State === 'associated')
      .map((a) => a.CidrBlock)
      .filter((c): c is string => !!c),
  ]);
  return {
    id: v.VpcId ?? '(unknown)',
    ownerId: v.OwnerId,
    tenancy: v.InstanceTenancy,
    cidrs,
    isDefault: v.IsDefault === true,
    tags: tagsOf(v.Tags),
  };
}

function peering(p: VpcPeeringConnection): LivePeering {
  const side = (i: VpcPeeringConnection['RequesterVpcInfo']) => ({ vpcId: i?.VpcId, ownerId: i?.OwnerId, region: i?.Region, cidr: i?.CidrBlock });
  return { id: p.VpcPeeringConnectionId ?? '(unknown)', status: p.Status?.Code, requester: side(p.RequesterVpcInfo), accepter: side(p.AccepterVpcInfo) };
}

function ingressOf(p: IpPermission): LiveSecurityGroup['ingress'][number] {
  return {
    protocol: p.IpProtocol,
    fromPort: p.FromPort,
    toPort: p.ToPort,
    cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp).filter((c): c is string => !!c),
    ipv6Cidrs: (p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6).filter((c): c is string => !!c),
    groups: (p.UserIdGroupPairs ?? []).map((g) => ({ groupId: g.GroupId, userId: g.UserId, peeringId: g.VpcPeeringConnectionId })),
    prefixLists: (p.PrefixListIds ?? []).map((l) => l.PrefixListId).filter((l): l is string => !!l),
  };
}

function searchDomain(d: DomainStatus, tags: Collected<Tags>): LiveSearchDomain {
  return {
    name: d.DomainName ?? '(unknown)',
    arn: d.ARN ?? d.DomainName ?? '(unknown)',
    engineVersion: d.EngineVersion,
    publicEndpoint: d.VPCOptions?.VPCId ? undefined : (d.Endpoint ?? d.EndpointV2 ?? '(public)'),
    vpc: d.VPCOptions?.VPCId
      ? { vpcId: d.VPCOptions.VPCId, subnetIds: d.VPCOptions.SubnetIds ?? [], securityGroupIds: d.VPCOptions.SecurityGroupIds ?? [] }
      : undefined,
    encryptionAtRest: { enabled: d.EncryptionAtRestOptions?.Enabled === true, kmsKeyId: d.EncryptionAtRestOptions?.KmsKeyId },
    nodeToNodeEncryption: d.NodeToNodeEncryptionOptions?.Enabled === true,
    enforceHttps: d.DomainEndpointOptions?.EnforceHTTPS === true,
    tlsPolicy: d.DomainEndpointOptions?.TLSSecurityPolicy,
    fineGrainedAccessControl: d.AdvancedSecurityOptions?.Enabled === true,
    accessPolicies: d.AccessPolicies || undefined,
    logGroupArns: Object.values(d.LogPublishingOptions ?? {})
      .filter((o) => o.Enabled !== false && o.CloudWatchLogsLogGroupArn)
      .map((o) => o.CloudWatchLogsLogGroupArn!),
    instanceCount: d.ClusterConfig?.InstanceCount,
    zoneAwareness: d.ClusterConfig?.ZoneAwarenessEnabled === true,
    tags,
  };
}

/** Turns a key reference (ARN, key id, alias name or alias ARN) into the ARN form used to match references. */
export function keyRef(ref: string, target: LiveTarget, aliases: readonly LiveAlias[] = []): string {
  const partition = partitionOfRegion(target.region);
  const aliasName = /^(?:arn:[^:]+:kms:[^:]*:[^:]*:)?(alias\/.+)$/.exec(ref)?.[1];
  if (aliasName) {
    const alias = aliases.find((a) => a.name === aliasName);
    if (alias?.targetKeyId) return keyRef(alias.targetKeyId, target);
    return ref;
  }
  if (ref.startsWith('arn:')) return ref;
  if (/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/.test(ref)) {
    return `arn:${partition}:kms:${target.region}:${target.account}:key/${ref}`;
  }
  return ref;
}

/** The error of every inventory part when nothing could be collected. */
function blockedInventory(
  base: Pick<TenantInventory, 'tenant' | 'account' | 'region' | 'partition' | 'level' | 'collectedAt' | 'tag' | 'identity'>,
  actions: string[],
  error: CollectionError,
): TenantInventory {
  const f = <T>(action: string): Collected<T> => failure({ ...error, action });
  return {
    ...base,
    actions,
    databases: f('rds:DescribeDBInstances'),
    snapshots: f('rds:DescribeDBSnapshots'),
    logGroups: f('logs:DescribeLogGroups'),
    dbParameterGroups: f('rds:DescribeDBParameters'),
    aliases: f('kms:ListAliases'),
    keys: [],
    vpcs: f('ec2:DescribeVpcs'),
    peerings: f('ec2:DescribeVpcPeeringConnections'),
    transitGatewayAttachments: f('ec2:DescribeTransitGatewayAttachments'),
    vpnGateways: f('ec2:DescribeVpnGateways'),
    securityGroups: f('ec2:DescribeSecurityGroups'),
    prefixLists: f('ec2:DescribeManagedPrefixLists'),
    vpcEndpoints: f('ec2:DescribeVpcEndpoints'),
    endpointServices: f('ec2:DescribeVpcEndpointServiceConfigurations'),
    flowLogs: f('ec2:DescribeFlowLogs'),
    instances: f('ec2:DescribeInstances'),
    resourceShares: f('ram:GetResourceShares'),
    targetGroups: f('elasticloadbalancing:DescribeTargetGroups'),
    searchDomains: f('es:ListDomainNames'),
    searchConnections: f('es:DescribeOutboundConnections'),
    hsmClusters: f('cloudhsm:DescribeClusters'),
    customKeyStores: f('kms:DescribeCustomKeyStores'),
  };
}

/** Collects the tenant's live inventory. Never throws for an API error. */
export async function collectInventory(target: LiveTarget, options: CollectOptions): Promise<TenantInventory> {
  const { clients } = options;
  const ctx: AttemptContext = {
    limit: limiter(options.concurrency ?? 4),
    allowed: new Set(options.allowedActions ?? liveActionsFor(target.level)),
    signal: options.signal,
    actions: [],
    level: target.level,
  };
  const tag = { key: TENANT_TAG_KEY, value: target.tenant };
  const base = {
    tenant: target.tenant,
    account: target.account,
    region: target.region,
    partition: partitionOfRegion(target.region),
    level: target.level,
    collectedAt: (options.now?.() ?? new Date()).toISOString(),
    tag,
  };

  // 1. Whose credentials are these? Nothing else is read unless they are the tenant account's.
  const identity = await attempt<LiveIdentity>(ctx, 'sts:GetCallerIdentity', undefined, async (o) => {
    const r = await clients.sts.send(new GetCallerIdentityCommand({}), o);
    return { account: r.Account ?? '(unknown)', arn: r.Arn ?? '(unknown)' };
  });
  if (!identity.ok) {
    const e = identity.error;
    ctx.blocked = skipped('-', `not called: nothing is read until sts:GetCallerIdentity confirms the account (${e.code}: ${e.message})`, undefined, e.code);
    return blockedInventory({ ...base, identity }, ctx.actions, ctx.blocked);
  }
  if (identity.value.account !== target.account) {
    ctx.blocked = skipped(
      '-',
      `not called: the credentials are for account ${identity.value.account} (${identity.value.arn}), not the tenant's account ${target.account}`,
      undefined,
      'WrongAccount',
    );
    return blockedInventory({ ...base, identity }, ctx.actions, ctx.blocked);
  }

  // 2. Everything that does not depend on other answers, in parallel (bounded by the limiter).
  const databasesP = attempt(ctx, 'rds:DescribeDBInstances', undefined, async (o) =>
    (await allPages(paginateDescribeDBInstances({ client: clients.rds, pageSize: 100 }, {}, o), (p) => p.DBInstances)).map(dbInstance),
  );
  const snapshotsP = collectSnapshots(ctx, clients);
  const aliasesP = attempt(ctx, 'kms:ListAliases', undefined, async (o) =>
    (await allPages(paginateListAliases({ client: clients.kms, pageSize: 100 }, {}, o), (p) => p.Aliases)).map(
      (a): LiveAlias => ({ name: a.AliasName ?? '', arn: a.AliasArn, targetKeyId: a.TargetKeyId }),
    ),
  );
  const taggedVpcsP = attempt(ctx, 'ec2:DescribeVpcs', undefined, async (o) =>
    (await allPages(paginateDescribeVpcs({ client: clients.ec2, pageSize: 100 }, { Filters: [{ Name: `tag:${tag.key}`, Values: [tag.value] }] }, o), (p) => p.Vpcs)).map(vpc),
  );
  const domainsP = collectSearchDomains(ctx, clients);
  const sharesP = collectResourceShares(ctx, clients);
  const targetGroupsP = collectTargetGroups(ctx, clients.elbv2, tag);
  const endpointServicesP = collectEndpointServices(ctx, clients);
  const hsmClustersP = attempt(ctx, 'cloudhsm:DescribeClusters', undefined, async (o) =>
    (await allPages(paginateDescribeClusters({ client: clients.cloudhsm, pageSize: 25 }, {}, o), (p) => p.Clusters)).map((c) => ({
      id: c.ClusterId ?? '(unknown)',
      state: c.State,
      vpcId: c.VpcId,
      tags: tagsOf(c.TagList),
    })),
  );
  const keyStoresP = attempt(ctx, 'kms:DescribeCustomKeyStores', undefined, async (o) =>
    (await allPages(paginateDescribeCustomKeyStores({ client: clients.kms, pageSize: 100 }, {}, o), (p) => p.CustomKeyStores)).map((s) => ({
      id: s.CustomKeyStoreId ?? '(unknown)',
      name: s.CustomKeyStoreName,
      type: s.CustomKeyStoreType,
      cloudHsmClusterId: s.CloudHsmClusterId,
      connectionState: s.ConnectionState,
    })),
  );
  const connectionsP = collectSearchConnections(ctx, clients);

  const [databases, snapshots, aliases, taggedVpcs, searchDomains] = await Promise.all([databasesP, snapshotsP, aliasesP, taggedVpcsP, domainsP]);

  // 3. VPCs the data stores are placed in that carry no tenant tag are looked up too (by id filter, which returns
  //    nothing rather than an error for an id the account cannot see).
  const taggedIds = taggedVpcs.ok ? taggedVpcs.value.map((v) => v.id) : [];
  const referencedIds = unique([
    ...(databases.ok ? databases.value.map((d) => d.subnetGroup?.vpcId) : []),
    ...(searchDomains.ok ? searchDomains.value.map((d) => d.vpc?.vpcId) : []),
  ].filter((v): v is string => !!v && !taggedIds.includes(v)));
  const referencedVpcs: Collected<LiveVpc[]> =
    referencedIds.length === 0
      ? success([])
      : await attempt(ctx, 'ec2:DescribeVpcs', referencedIds.join(','), async (o) =>
          (await allPages(paginateDescribeVpcs({ client: clients.ec2 }, { Filters: [{ Name: 'vpc-id', Values: referencedIds }] }, o), (p) => p.Vpcs)).map(vpc),
        );
  const vpcs: Collected<LiveVpc[]> = allOrFirstError([taggedVpcs, referencedVpcs]);
  const vpcError = vpcs.ok ? undefined : vpcs.error;
  const vpcIds = unique([...taggedIds, ...referencedIds, ...(referencedVpcs.ok ? referencedVpcs.value.map((v) => v.id) : [])]);

  // 4. Network paths and groups of those VPCs, and the keys the data stores use.
  const byVpc = <T>(action: string, run: (filters: Filter[], o: { abortSignal?: AbortSignal }) => Promise<T[]>): Promise<Collected<T[]>> =>
    vpcIds.length === 0 && !vpcs.ok
      ? Promise.resolve(unknownInput(action, "the tenant's VPCs", vpcError))
      : vpcIds.length === 0
        ? Promise.resolve(success([]))
        : attempt(ctx, action, vpcIds.join(','), (o) => run([{ Name: 'vpc-id', Values: vpcIds }], o));

  const securityGroupsP = byVpc('ec2:DescribeSecurityGroups', async (Filters, o) =>
    (await allPages(paginateDescribeSecurityGroups({ client: clients.ec2, pageSize: 100 }, { Filters }, o), (p) => p.SecurityGroups)).map(
      (g): LiveSecurityGroup => ({ id: g.GroupId ?? '(unknown)', name: g.GroupName, vpcId: g.VpcId, ownerId: g.OwnerId, ingress: (g.IpPermissions ?? []).map(ingressOf) }),
    ),
  );
  // Peerings in both directions: the tenant's VPC as requester, and as accepter.
  const peeringsP = byVpc('ec2:DescribeVpcPeeringConnections', async (_f, o) => {
    const found = new Map<string, LivePeering>();
    for (const side of ['requester-vpc-info.vpc-id', 'accepter-vpc-info.vpc-id']) {
      const list = await allPages(
        paginateDescribeVpcPeeringConnections({ client: clients.ec2, pageSize: 100 }, { Filters: [{ Name: side, Values: vpcIds }] }, o),
        (p) => p.VpcPeeringConnections,
      );
      for (const p of list) found.set(p.VpcPeeringConnectionId ?? '', peering(p));
    }
    return [...found.values()];
  });
  const tgwP = byVpc('ec2:DescribeTransitGatewayAttachments', async (_f, o) =>
    (
      await allPages(
        paginateDescribeTransitGatewayAttachments({ client: clients.ec2, pageSize: 100 }, { Filters: [{ Name: 'resource-id', Values: vpcIds }] }, o),
        (p) => p.TransitGatewayAttachments,
      )
    ).map((a) => ({
      id: a.TransitGatewayAttachmentId ?? '(unknown)',
      transitGatewayId: a.TransitGatewayId,
      transitGatewayOwnerId: a.TransitGatewayOwnerId,
      resourceId: a.ResourceId,
      resourceOwnerId: a.ResourceOwnerId,
      resourceType: a.ResourceType,
      state: a.State,
    })),
  );
  // Virtual private gateways attached to the tenant's VPCs (one call: the API has no pagination).
  const vpnGatewaysP = byVpc('ec2:DescribeVpnGateways', async (_f, o) =>
    (
      (await clients.ec2.send(new DescribeVpnGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: vpcIds }] }), o)).VpnGateways ?? []
    ).map((g) => ({
      id: g.VpnGatewayId ?? '(unknown)',
      state: g.State,
      type: g.Type,
      attachments: (g.VpcAttachments ?? []).map((a) => ({ vpcId: a.VpcId, state: a.State })),
    })),
  );
  const endpointsP = byVpc('ec2:DescribeVpcEndpoints', async (Filters, o) =>
    (await allPages(paginateDescribeVpcEndpoints({ client: clients.ec2, pageSize: 100 }, { Filters }, o), (p) => p.VpcEndpoints)).map((e) => ({
      id: e.VpcEndpointId ?? '(unknown)',
      vpcId: e.VpcId,
      type: e.VpcEndpointType,
      serviceName: e.ServiceName,
      state: e.State,
    })),
  );
  const flowLogsP = byVpc('ec2:DescribeFlowLogs', async (_f, o) =>
    (
      await allPages(
        paginateDescribeFlowLogs({ client: clients.ec2, pageSize: 100 }, { Filter: [{ Name: 'resource-id', Values: vpcIds }] }, o),
        (p) => p.FlowLogs,
      )
    ).map((f) => ({ id: f.FlowLogId ?? '(unknown)', resourceId: f.ResourceId, status: f.FlowLogStatus })),
  );
  const instancesP = byVpc('ec2:DescribeInstances', async (Filters, o) =>
    (await allPages(paginateDescribeInstances({ client: clients.ec2, pageSize: 100 }, { Filters }, o), (p) => p.Reservations))
      .flatMap((r) => r.Instances ?? [])
      .map((i) => ({ id: i.InstanceId ?? '(unknown)', vpcId: i.VpcId, tenancy: i.Placement?.Tenancy, type: i.InstanceType, state: i.State?.Name })),
  );
  const [logGroups, dbParameterGroups] = await Promise.all([
    collectLogGroups(ctx, clients, databases, searchDomains),
    collectParameterGroups(ctx, clients, databases),
  ]);
  const keysP = collectKeys(ctx, clients, target, { databases, snapshots, searchDomains, aliases, logGroups });

  const [securityGroups, peerings, transitGatewayAttachments, vpnGateways, vpcEndpoints, flowLogs, instances, keys, resourceShares, endpointServices, hsmClusters, customKeyStores, searchConnections] =
    await Promise.all([securityGroupsP, peeringsP, tgwP, vpnGatewaysP, endpointsP, flowLogsP, instancesP, keysP, sharesP, endpointServicesP, hsmClustersP, keyStoresP, connectionsP]);

  // 5. Prefix lists the ingress rules name (who owns them).
  const prefixIds = securityGroups.ok ? unique(securityGroups.value.flatMap((g) => g.ingress.flatMap((i) => i.prefixLists))) : [];
  const prefixLists =
    prefixIds.length === 0
      ? success([])
      : await attempt(ctx, 'ec2:DescribeManagedPrefixLists', prefixIds.join(','), async (o) =>
          (
            await allPages(
              paginateDescribeManagedPrefixLists({ client: clients.ec2 }, { PrefixListIds: prefixIds }, o),
              (p) => p.PrefixLists,
            )
          ).map((l) => ({ id: l.PrefixListId ?? '(unknown)', name: l.PrefixListName, ownerId: l.OwnerId })),
        );

  return {
    ...base,
    actions: ctx.actions,
    identity,
    databases,
    snapshots,
    logGroups,
    dbParameterGroups,
    aliases,
    keys,
    vpcs,
    peerings,
    transitGatewayAttachments,
    vpnGateways,
    securityGroups,
    prefixLists,
    vpcEndpoints,
    endpointServices,
    flowLogs,
    instances,
    resourceShares,
    targetGroups: await targetGroupsP,
    searchDomains,
    searchConnections,
    hsmClusters,
    customKeyStores,
  };
}

/** Manual snapshots (automated ones cannot be shared) and, for each, who may restore it. */
async function collectSnapshots(ctx: AttemptContext, clients: LiveClients): Promise<Collected<LiveDbSnapshot[]>> {
  const list = await attempt(ctx, 'rds:DescribeDBSnapshots', undefined, async (o) =>
    allPages(paginateDescribeDBSnapshots({ client: clients.rds, pageSize: 100 }, { SnapshotType: 'manual' }, o), (p) => p.DBSnapshots),
  );
  if (!list.ok) return list;
  return success(
    await each(list.value, async (s): Promise<LiveDbSnapshot> => {
      const id = s.DBSnapshotIdentifier ?? '(unknown)';
      const restore = await attempt(ctx, 'rds:DescribeDBSnapshotAttributes', s.DBSnapshotArn ?? id, async (o) => {
        const r = await clients.rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: id }), o);
        return (r.DBSnapshotAttributesResult?.DBSnapshotAttributes ?? []).filter((a) => a.AttributeName === 'restore').flatMap((a) => a.AttributeValues ?? []);
      });
      return {
        arn: s.DBSnapshotArn ?? id,
        id,
        instanceId: s.DBInstanceIdentifier,
        type: s.SnapshotType,
        encrypted: s.Encrypted === true,
        kmsKeyId: s.KmsKeyId,
        restore,
      };
    }),
  );
}

/** Every domain of the account (OpenSearch lists no tags in bulk: `es:ListTags` per domain). */
async function collectSearchDomains(ctx: AttemptContext, clients: LiveClients): Promise<Collected<LiveSearchDomain[]>> {
  const names = await attempt(ctx, 'es:ListDomainNames', undefined, async (o) =>
    ((await clients.opensearch.send(new ListDomainNamesCommand({}), o)).DomainNames ?? []).map((d) => d.DomainName).filter((n): n is string => !!n),
  );
  if (!names.ok) return names;
  const batches = await each(chunks(names.value, 5), (batch) =>
    attempt(ctx, 'es:DescribeDomains', batch.join(','), async (o) => (await clients.opensearch.send(new DescribeDomainsCommand({ DomainNames: batch }), o)).DomainStatusList ?? []),
  );
  const all = allOrFirstError(batches);
  if (!all.ok) return all;
  const statuses = all.value;
  return success(
    await each(statuses, async (d) => {
      const tags = await attempt(ctx, 'es:ListTags', d.ARN, async (o) => tagsOf((await clients.opensearch.send(new ListTagsCommand({ ARN: d.ARN }), o)).TagList));
      return searchDomain(d, tags);
    }),
  );
}

async function collectSearchConnections(ctx: AttemptContext, clients: LiveClients): Promise<Collected<LiveSearchConnection[]>> {
  type Info = { AWSDomainInformation?: { DomainName?: string; OwnerId?: string; Region?: string } } | undefined;
  const side = (i: Info) => ({ domainName: i?.AWSDomainInformation?.DomainName, ownerId: i?.AWSDomainInformation?.OwnerId, region: i?.AWSDomainInformation?.Region });
  const outbound = await attempt(ctx, 'es:DescribeOutboundConnections', undefined, async (o) =>
    (await allPages(paginateDescribeOutboundConnections({ client: clients.opensearch, pageSize: 100 }, {}, o), (p) => p.Connections)).map(
      (c): LiveSearchConnection => ({
        id: c.ConnectionId ?? '(unknown)',
        direction: 'outbound',
        status: c.ConnectionStatus?.StatusCode,
        mode: c.ConnectionMode,
        local: side(c.LocalDomainInfo),
        remote: side(c.RemoteDomainInfo),
      }),
    ),
  );
  const inbound = await attempt(ctx, 'es:DescribeInboundConnections', undefined, async (o) =>
    (await allPages(paginateDescribeInboundConnections({ client: clients.opensearch, pageSize: 100 }, {}, o), (p) => p.Connections)).map(
      // For an inbound connection the tenant's domain is the remote (destination) side.
      (c): LiveSearchConnection => ({
        id: c.ConnectionId ?? '(unknown)',
        direction: 'inbound',
        status: c.ConnectionStatus?.StatusCode,
        mode: c.ConnectionMode,
        local: side(c.RemoteDomainInfo),
        remote: side(c.LocalDomainInfo),
      }),
    ),
  );
  return allOrFirstError([outbound, inbound]);
}

/** Shares the account owns, with their resources. */
async function collectResourceShares(ctx: AttemptContext, clients: LiveClients): Promise<Collected<LiveResourceShare[]>> {
  const shares = await attempt(ctx, 'ram:GetResourceShares', undefined, async (o) =>
    allPages(paginateGetResourceShares({ client: clients.ram, pageSize: 100 }, { resourceOwner: 'SELF' }, o), (p) => p.resourceShares),
  );
  if (!shares.ok) return shares;
  return success(
    await each(shares.value, async (s): Promise<LiveResourceShare> => ({
      arn: s.resourceShareArn ?? '(unknown)',
      name: s.name,
      status: s.status,
      allowExternalPrincipals: s.allowExternalPrincipals,
      resources: await attempt(ctx, 'ram:ListResources', s.resourceShareArn, async (o) =>
        (
          await allPages(paginateListResources({ client: clients.ram, pageSize: 100 }, { resourceOwner: 'SELF', resourceShareArns: s.resourceShareArn ? [s.resourceShareArn] : [] }, o), (p) => p.resources)
        ).map((r) => ({ arn: r.arn ?? '(unknown)', type: r.type, status: r.status })),
      ),
    })),
  );
}

/** Endpoint services the tenant offers, and who may connect to each. */
async function collectEndpointServices(ctx: AttemptContext, clients: LiveClients): Promise<Collected<LiveEndpointService[]>> {
  const services = await attempt(ctx, 'ec2:DescribeVpcEndpointServiceConfigurations', undefined, async (o) =>
    allPages(paginateDescribeVpcEndpointServiceConfigurations({ client: clients.ec2, pageSize: 100 }, {}, o), (p) => p.ServiceConfigurations),
  );
  if (!services.ok) return services;
  return success(
    await each(services.value, async (s): Promise<LiveEndpointService> => ({
      id: s.ServiceId ?? '(unknown)',
      name: s.ServiceName,
      allowedPrincipals: await attempt(ctx, 'ec2:DescribeVpcEndpointServicePermissions', s.ServiceId, async (o) =>
        (await allPages(paginateDescribeVpcEndpointServicePermissions({ client: clients.ec2, pageSize: 100 }, { ServiceId: s.ServiceId }, o), (p) => p.AllowedPrincipals))
          .map((p) => p.Principal)
          .filter((p): p is string => !!p),
      ),
    })),
  );
}

/** The parameter groups of the tenant's databases, with `rds.force_ssl` (all pages: the API cannot filter by name). */
async function collectParameterGroups(ctx: AttemptContext, clients: LiveClients, databases: Collected<readonly LiveDbInstance[]>): Promise<Collected<LiveDbParameterGroup[]>> {
  const action = 'rds:DescribeDBParameters';
  if (!databases.ok) return unknownInput(action, 'the databases', databases.error);
  const names = unique(databases.value.flatMap((d) => d.parameterGroups ?? []));
  const groups = await each(names, (name) =>
    attempt(ctx, action, name, async (o): Promise<LiveDbParameterGroup[]> => {
      const params = await allPages(paginateDescribeDBParameters({ client: clients.rds, pageSize: 100 }, { DBParameterGroupName: name }, o), (p) => p.Parameters);
      return [{ name, forceSsl: params.find((p) => p.ParameterName === 'rds.force_ssl')?.ParameterValue }];
    }),
  );
  return allOrFirstError(groups);
}

/** The name of a log group from its ARN (`arn:...:log-group:<name>` with an optional `:*`). */
function logGroupName(arn: string): string | undefined {
  return /:log-group:(.+?)(?::\*)?$/.exec(arn)?.[1];
}

/**
 * The log groups the tenant's data stores write to: each database's exports (name prefix `/aws/rds/instance/<id>/`)
 * and each search domain's published logs (by name).
 */
async function collectLogGroups(
  ctx: AttemptContext,
  clients: LiveClients,
  databases: Collected<readonly LiveDbInstance[]>,
  searchDomains: Collected<readonly LiveSearchDomain[]>,
): Promise<Collected<LiveLogGroup[]>> {
  const action = 'logs:DescribeLogGroups';
  for (const [what, part] of [['databases', databases], ['search domains', searchDomains]] as const) {
    if (!part.ok) return unknownInput(action, `the ${what}`, part.error);
  }
  const lookups = [
    ...(databases.ok ? databases.value : []).map((d) => ({ prefix: `/aws/rds/instance/${d.id}/`, exact: false })),
    ...(searchDomains.ok ? searchDomains.value : []).flatMap((d) => (d.logGroupArns ?? []).map(logGroupName).filter((n): n is string => !!n).map((n) => ({ prefix: n, exact: true }))),
  ];
  const lists = await each(lookups, ({ prefix, exact }) =>
    attempt(ctx, action, prefix, async (o) =>
      (await allPages(paginateDescribeLogGroups({ client: clients.logs, pageSize: 50 }, { logGroupNamePrefix: prefix }, o), (p) => p.logGroups))
        .filter((g) => !exact || g.logGroupName === prefix)
        .map((g): LiveLogGroup => ({ name: g.logGroupName ?? '(unknown)', arn: g.logGroupArn ?? g.arn, kmsKeyId: g.kmsKeyId })),
    ),
  );
  const all = allOrFirstError(lists);
  // One group per name, however many lookups found it.
  return all.ok ? success([...new Map(all.value.map((g) => [g.name, g])).values()]) : all;
}

interface KeySources {
  readonly logGroups: Collected<readonly LiveLogGroup[]>;
  readonly databases: Collected<readonly LiveDbInstance[]>;
  readonly snapshots: Collected<readonly LiveDbSnapshot[]>;
  readonly searchDomains: Collected<readonly LiveSearchDomain[]>;
  readonly aliases: Collected<readonly LiveAlias[]>;
}

/** The keys the data stores use and the keys the tenant's aliases target, each described with its policy and grants. */
async function collectKeys(ctx: AttemptContext, clients: LiveClients, target: LiveTarget, src: KeySources): Promise<LiveKey[]> {
  const aliases = src.aliases.ok ? src.aliases.value : [];
  const uses: { ref: string; resource?: string; field?: string; alias?: string }[] = [];
  for (const d of src.databases.ok ? src.databases.value : []) {
    if (d.kmsKeyId) uses.push({ ref: d.kmsKeyId, resource: d.arn, field: 'KmsKeyId' });
    if (d.performanceInsightsEnabled && d.performanceInsightsKmsKeyId) uses.push({ ref: d.performanceInsightsKmsKeyId, resource: d.arn, field: 'PerformanceInsightsKMSKeyId' });
    if (d.masterUserSecret?.kmsKeyId) uses.push({ ref: d.masterUserSecret.kmsKeyId, resource: d.arn, field: 'MasterUserSecret.KmsKeyId' });
  }
  for (const s of src.snapshots.ok ? src.snapshots.value : []) if (s.kmsKeyId) uses.push({ ref: s.kmsKeyId, resource: s.arn, field: 'KmsKeyId' });
  for (const g of src.logGroups.ok ? src.logGroups.value : []) if (g.kmsKeyId) uses.push({ ref: g.kmsKeyId, resource: g.arn ?? g.name, field: 'kmsKeyId' });
  for (const d of src.searchDomains.ok ? src.searchDomains.value : []) {
    if (d.encryptionAtRest.kmsKeyId) uses.push({ ref: d.encryptionAtRest.kmsKeyId, resource: d.arn, field: 'EncryptionAtRestOptions.KmsKeyId' });
  }
  const prefix = keyAliasName(target.tenant, ''); // alias/exclusive-desk/<tenant>/ (HSM keys: .../hsm/<class>)
  for (const a of aliases) if (a.name.startsWith(prefix) && a.targetKeyId) uses.push({ ref: a.targetKeyId, alias: a.name });

  const byRef = new Map<string, { refs: Set<string>; usedBy: { resource: string; field: string }[]; aliases: Set<string> }>();
  for (const u of uses) {
    const ref = keyRef(u.ref, target, aliases);
    const entry = byRef.get(ref) ?? { refs: new Set<string>(), usedBy: [], aliases: new Set<string>() };
    entry.refs.add(ref).add(u.ref);
    if (u.resource && u.field) entry.usedBy.push({ resource: u.resource, field: u.field });
    if (u.alias) entry.aliases.add(u.alias);
    byRef.set(ref, entry);
  }

  const described = await each([...byRef.entries()], async ([ref, entry]): Promise<LiveKey> => {
    const metadata = await attempt(ctx, 'kms:DescribeKey', ref, async (o): Promise<LiveKeyMetadata> => {
      const m = (await clients.kms.send(new DescribeKeyCommand({ KeyId: ref }), o)).KeyMetadata;
      return {
        arn: m?.Arn ?? ref,
        keyId: m?.KeyId ?? ref,
        account: m?.AWSAccountId,
        keyManager: m?.KeyManager,
        keyState: m?.KeyState,
        origin: m?.Origin,
        customKeyStoreId: m?.CustomKeyStoreId,
        cloudHsmClusterId: m?.CloudHsmClusterId,
        multiRegion: m?.MultiRegion,
      };
    });
    const arn = metadata.ok ? metadata.value.arn : ref;
    const [policy, grants] = await Promise.all([
      attempt(ctx, 'kms:GetKeyPolicy', arn, async (o) => (await clients.kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }), o)).Policy ?? ''),
      attempt(ctx, 'kms:ListGrants', arn, async (o) =>
        (await allPages(paginateListGrants({ client: clients.kms, pageSize: 100 }, { KeyId: arn }, o), (p) => p.Grants)).map((g) => ({
          grantId: g.GrantId ?? '(unknown)',
          name: g.Name || undefined,
          grantee: g.GranteePrincipal,
          granteeService: (g as { GranteeServicePrincipal?: string }).GranteeServicePrincipal,
          retiringPrincipal: g.RetiringPrincipal,
          issuingAccount: g.IssuingAccount,
          operations: g.Operations ?? [],
        })),
      ),
    ]);
    // Only customer-managed keys with KMS-generated material rotate automatically.
    const rotates = metadata.ok && metadata.value.keyManager === 'CUSTOMER' && metadata.value.origin === 'AWS_KMS';
    const rotation = rotates
      ? await attempt(ctx, 'kms:GetKeyRotationStatus', arn, async (o) => (await clients.kms.send(new GetKeyRotationStatusCommand({ KeyId: arn }), o)).KeyRotationEnabled === true)
      : undefined;
    return {
      ref: arn,
      refs: unique([...entry.refs, arn, ...(metadata.ok ? [metadata.value.keyId] : []), ...entry.aliases]),
      usedBy: entry.usedBy,
      aliases: [...entry.aliases],
      metadata,
      policy,
      grants,
      rotation,
    };
  });
  // Two references may turn out to be the same key (an id and an ARN): merge them.
  const merged = new Map<string, LiveKey>();
  for (const k of described) {
    const prev = merged.get(k.ref);
    merged.set(
      k.ref,
      prev
        ? { ...prev, refs: unique([...prev.refs, ...k.refs]), usedBy: [...prev.usedBy, ...k.usedBy], aliases: unique([...prev.aliases, ...k.aliases]) }
        : k,
    );
  }
  return [...merged.values()];
}
