/**
 * The live inventory of one tenant, as collected from the AWS APIs by lib/live. Only types live here, so the
 * rule catalogue can declare live checks without importing the AWS SDK (and the Lambda bundle stays small).
 *
 * Every API-backed part is a `Collected<T>`: either the value the API returned, or the error that stopped it. A
 * rule that needs a part that could not be collected reports "could not verify", naming the action (fail closed).
 * Fields carry the API's own values (ARNs, ids, enum strings) so findings can quote them as evidence.
 */
import type { IsolationLevel } from './levels';

/** Why an API call produced no evidence. */
export interface CollectionError {
  /** The IAM action of the call, e.g. `kms:GetKeyPolicy`. */
  readonly action: string;
  /** The resource the call was about (ARN or id), when it was about one. */
  readonly resource?: string;
  /** The error name: `AccessDeniedException`, `ThrottlingException`, `CredentialsProviderError`, `NotCollected`, ... */
  readonly code: string;
  readonly message: string;
  /**
   * `denied`: the caller lacks the permission; `skipped`: the call was not made (no credentials, wrong account,
   * deadline, no rule declares the action); `failed`: any other error (after the SDK's retries).
   */
  readonly reason: 'denied' | 'failed' | 'skipped';
}

/** A part of the inventory: the API's answer, or why there is none. */
export type Collected<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: CollectionError };

export type Tags = Readonly<Record<string, string>>;

/** `sts:GetCallerIdentity`: whose credentials collected the inventory. */
export interface LiveIdentity {
  readonly account: string;
  readonly arn: string;
}

/** An RDS DB instance (`rds:DescribeDBInstances`). */
export interface LiveDbInstance {
  readonly arn: string;
  readonly id: string;
  readonly engine?: string;
  readonly instanceClass?: string;
  readonly status?: string;
  readonly storageEncrypted: boolean;
  /** The storage key ARN. */
  readonly kmsKeyId?: string;
  readonly performanceInsightsEnabled: boolean;
  readonly performanceInsightsKmsKeyId?: string;
  /** The RDS-managed master user secret, when the password is managed in Secrets Manager. */
  readonly masterUserSecret?: { readonly secretArn?: string; readonly kmsKeyId?: string };
  readonly publiclyAccessible: boolean;
  readonly subnetGroup?: { readonly name?: string; readonly vpcId?: string; readonly subnetIds: readonly string[] };
  readonly securityGroupIds: readonly string[];
  readonly deletionProtection: boolean;
  readonly multiAz: boolean;
  readonly backupRetentionPeriod?: number;
  readonly iamAuthentication: boolean;
  /** `DBClusterIdentifier`: the instance is a member of this cluster. */
  readonly clusterId?: string;
  /** `ReadReplicaSourceDBInstanceIdentifier` (an identifier or, across accounts or regions, an ARN). */
  readonly readReplicaSource?: string;
  readonly readReplicas: readonly string[];
  /** The DB parameter groups the instance uses (names). */
  readonly parameterGroups?: readonly string[];
  readonly tags: Tags;
}

/** A DB parameter group (`rds:DescribeDBParameters`), with the parameters the hygiene check reads. */
export interface LiveDbParameterGroup {
  readonly name: string;
  /** `rds.force_ssl` as the group sets it now (engine default included); absent when the group has no such parameter. */
  readonly forceSsl?: string;
}

/**
 * A CloudWatch Logs group a tenant data store writes to (`logs:DescribeLogGroups`): a database's exports
 * (`/aws/rds/instance/<id>/<log>`: SQL statements and errors) or a search domain's published logs (slow logs: queries
 * and documents). Tenant data either way.
 */
export interface LiveLogGroup {
  readonly name: string;
  readonly arn?: string;
  /** The key the group is encrypted with; absent: the CloudWatch Logs service key. */
  readonly kmsKeyId?: string;
}

/** A manual RDS DB snapshot (`rds:DescribeDBSnapshots`) and who may restore it (`rds:DescribeDBSnapshotAttributes`). */
export interface LiveDbSnapshot {
  readonly arn: string;
  readonly id: string;
  readonly instanceId?: string;
  readonly type?: string;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  /** The `restore` attribute: account ids, or `all` for a public snapshot. */
  readonly restore: Collected<readonly string[]>;
}

/** `kms:DescribeKey`. */
export interface LiveKeyMetadata {
  readonly arn: string;
  readonly keyId: string;
  readonly account?: string;
  /** `CUSTOMER` or `AWS`. */
  readonly keyManager?: string;
  /** `Enabled`, `Disabled`, `PendingDeletion`, ... */
  readonly keyState?: string;
  /** `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`. */
  readonly origin?: string;
  readonly customKeyStoreId?: string;
  readonly cloudHsmClusterId?: string;
  readonly multiRegion?: boolean;
}

/** One KMS grant (`kms:ListGrants`). */
export interface LiveGrant {
  readonly grantId: string;
  readonly name?: string;
  /** The grantee: an IAM ARN, or a service principal such as `rds.eu-west-1.amazonaws.com`. */
  readonly grantee?: string;
  /** Set when the grant was created for a service principal explicitly (`GranteeServicePrincipal`). */
  readonly granteeService?: string;
  readonly retiringPrincipal?: string;
  /** `arn:<partition>:iam::<account>:root` of the account that created the grant. */
  readonly issuingAccount?: string;
  readonly operations: readonly string[];
}

/** A KMS key used by a tenant resource or named by one of the tenant's aliases. */
export interface LiveKey {
  /** The key as the inventory refers to it: its ARN (or, when it could not be described, the reference as found). */
  readonly ref: string;
  /** Every reference that leads to this key (ARN, key id, alias), for lookups by rules. */
  readonly refs: readonly string[];
  /** Who uses it: the resource ARN and the API field, e.g. `{ resource: <db arn>, field: 'KmsKeyId' }`. */
  readonly usedBy: readonly { readonly resource: string; readonly field: string }[];
  /** The tenant's aliases that target it. */
  readonly aliases: readonly string[];
  readonly metadata: Collected<LiveKeyMetadata>;
  /** The `default` key policy document, as JSON text. */
  readonly policy: Collected<string>;
  readonly grants: Collected<readonly LiveGrant[]>;
  /** Automatic rotation (`kms:GetKeyRotationStatus`); undefined for keys that cannot rotate (HSM, imported, AWS managed). */
  readonly rotation?: Collected<boolean>;
}

/** `kms:ListAliases`. */
export interface LiveAlias {
  readonly name: string;
  readonly arn?: string;
  readonly targetKeyId?: string;
}

/** `ec2:DescribeVpcs`. */
export interface LiveVpc {
  readonly id: string;
  readonly ownerId?: string;
  /** `default`, `dedicated` or `host`. */
  readonly tenancy?: string;
  readonly cidrs: readonly string[];
  readonly isDefault: boolean;
  readonly tags: Tags;
}

/** `ec2:DescribeVpcPeeringConnections`, one side. */
export interface LivePeeringSide {
  readonly vpcId?: string;
  readonly ownerId?: string;
  readonly region?: string;
  readonly cidr?: string;
}

export interface LivePeering {
  readonly id: string;
  /** `active`, `pending-acceptance`, `provisioning`, `deleted`, `rejected`, `failed`, `expired`, ... */
  readonly status?: string;
  readonly requester: LivePeeringSide;
  readonly accepter: LivePeeringSide;
}

/** `ec2:DescribeTransitGatewayAttachments`. */
export interface LiveTransitGatewayAttachment {
  readonly id: string;
  readonly transitGatewayId?: string;
  readonly transitGatewayOwnerId?: string;
  readonly resourceId?: string;
  readonly resourceOwnerId?: string;
  readonly resourceType?: string;
  readonly state?: string;
}

/** A virtual private gateway attached to one of the tenant's VPCs: the VPN / Direct Connect end inside AWS. */
export interface LiveVpnGateway {
  readonly id: string;
  readonly state?: string;
  readonly type?: string;
  readonly attachments: readonly { readonly vpcId?: string; readonly state?: string }[];
}

/** One ingress permission of a security group. */
export interface LiveIngress {
  readonly protocol?: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs: readonly string[];
  readonly ipv6Cidrs: readonly string[];
  readonly groups: readonly { readonly groupId?: string; readonly userId?: string; readonly peeringId?: string }[];
  readonly prefixLists: readonly string[];
}

/** `ec2:DescribeSecurityGroups`. */
export interface LiveSecurityGroup {
  readonly id: string;
  readonly name?: string;
  readonly vpcId?: string;
  readonly ownerId?: string;
  readonly ingress: readonly LiveIngress[];
}

/** `ec2:DescribeManagedPrefixLists`, for prefix lists that ingress rules name. */
export interface LivePrefixList {
  readonly id: string;
  readonly name?: string;
  /** An account id, or `AWS` for AWS-managed lists. */
  readonly ownerId?: string;
}

/** `ec2:DescribeVpcEndpoints`. */
export interface LiveVpcEndpoint {
  readonly id: string;
  readonly vpcId?: string;
  readonly type?: string;
  readonly serviceName?: string;
  readonly state?: string;
}

/** An endpoint service the tenant offers (`ec2:DescribeVpcEndpointServiceConfigurations`) and who may connect. */
export interface LiveEndpointService {
  readonly id: string;
  readonly name?: string;
  /** `ec2:DescribeVpcEndpointServicePermissions`: principal ARNs (or `*`). */
  readonly allowedPrincipals: Collected<readonly string[]>;
}

/** `ec2:DescribeFlowLogs`. */
export interface LiveFlowLog {
  readonly id: string;
  readonly resourceId?: string;
  readonly status?: string;
}

/** `ec2:DescribeInstances`, instances in the tenant's VPCs. */
export interface LiveInstance {
  readonly id: string;
  readonly vpcId?: string;
  /** `default`, `dedicated` or `host`. */
  readonly tenancy?: string;
  readonly type?: string;
  readonly state?: string;
}

/** `ram:GetResourceShares` (owned by the account) with `ram:ListResources`. */
export interface LiveResourceShare {
  readonly arn: string;
  readonly name?: string;
  readonly status?: string;
  readonly allowExternalPrincipals?: boolean;
  readonly resources: Collected<readonly { readonly arn: string; readonly type?: string; readonly status?: string }[]>;
}

/** `es:DescribeDomains` (with `es:ListTags`). */
export interface LiveSearchDomain {
  readonly name: string;
  readonly arn: string;
  readonly engineVersion?: string;
  /** The public endpoint, when the domain is not in a VPC. */
  readonly publicEndpoint?: string;
  readonly vpc?: { readonly vpcId?: string; readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  readonly encryptionAtRest: { readonly enabled: boolean; readonly kmsKeyId?: string };
  readonly nodeToNodeEncryption: boolean;
  readonly enforceHttps: boolean;
  readonly tlsPolicy?: string;
  readonly fineGrainedAccessControl: boolean;
  /** The access policy document as JSON text, if any. */
  readonly accessPolicies?: string;
  /** The CloudWatch Logs groups the domain publishes enabled logs to (slow logs hold queries and documents). */
  readonly logGroupArns?: readonly string[];
  readonly instanceCount?: number;
  readonly zoneAwareness: boolean;
  readonly tags: Collected<Tags>;
}

/** `es:DescribeOutboundConnections` / `es:DescribeInboundConnections`. */
export interface LiveSearchConnection {
  readonly id: string;
  readonly direction: 'outbound' | 'inbound';
  readonly status?: string;
  readonly mode?: string;
  readonly local: { readonly domainName?: string; readonly ownerId?: string; readonly region?: string };
  readonly remote: { readonly domainName?: string; readonly ownerId?: string; readonly region?: string };
}

/** `cloudhsm:DescribeClusters`. */
export interface LiveHsmCluster {
  readonly id: string;
  readonly state?: string;
  readonly vpcId?: string;
  readonly tags: Tags;
}

/** `kms:DescribeCustomKeyStores`. */
export interface LiveCustomKeyStore {
  readonly id: string;
  readonly name?: string;
  readonly type?: string;
  readonly cloudHsmClusterId?: string;
  readonly connectionState?: string;
}

/**
 * An Elastic Load Balancing v2 target group that carries the tenant's tag (`elasticloadbalancing:DescribeTargetGroups`,
 * tags by `elasticloadbalancing:DescribeTags`), with the load balancers it is attached to and their tags.
 */
export interface LiveTargetGroup {
  readonly arn: string;
  readonly name?: string;
  readonly loadBalancers: readonly { readonly arn: string; readonly tags: Tags }[];
}

export interface TenantInventory {
  readonly tenant: string;
  /** The tenant's account as the manifest (or `--account`) states it: what the identity must match. */
  readonly account?: string;
  readonly region?: string;
  readonly partition?: string;
  /** The level the inventory was collected for (what was collected depends on it). */
  readonly level?: IsolationLevel;
  /** ISO 8601 time the collection started. */
  readonly collectedAt?: string;
  /** The tag that marks the tenant's resources, e.g. `exclusive-desk:tenant` = `<id>`. */
  readonly tag: { readonly key: string; readonly value: string };
  /** Every IAM action the collector called, in order of first use. */
  readonly actions: readonly string[];
  readonly identity: Collected<LiveIdentity>;
  readonly databases: Collected<readonly LiveDbInstance[]>;
  readonly snapshots: Collected<readonly LiveDbSnapshot[]>;
  readonly logGroups: Collected<readonly LiveLogGroup[]>;
  readonly dbParameterGroups: Collected<readonly LiveDbParameterGroup[]>;
  readonly aliases: Collected<readonly LiveAlias[]>;
  /** Keys used by the databases, snapshots and domains, and keys the tenant's aliases target. */
  readonly keys: readonly LiveKey[];
  /** The tenant-tagged VPCs plus every VPC a database or domain is placed in. */
  readonly vpcs: Collected<readonly LiveVpc[]>;
  /** Peerings in which a VPC of `vpcs` is the requester or the accepter. */
  readonly peerings: Collected<readonly LivePeering[]>;
  readonly transitGatewayAttachments: Collected<readonly LiveTransitGatewayAttachment[]>;
  readonly vpnGateways: Collected<readonly LiveVpnGateway[]>;
  readonly securityGroups: Collected<readonly LiveSecurityGroup[]>;
  readonly prefixLists: Collected<readonly LivePrefixList[]>;
  readonly vpcEndpoints: Collected<readonly LiveVpcEndpoint[]>;
  readonly endpointServices: Collected<readonly LiveEndpointService[]>;
  readonly flowLogs: Collected<readonly LiveFlowLog[]>;
  readonly instances: Collected<readonly LiveInstance[]>;
  readonly resourceShares: Collected<readonly LiveResourceShare[]>;
  /** The tenant-tagged ELBv2 target groups and the load balancers they are attached to. */
  readonly targetGroups: Collected<readonly LiveTargetGroup[]>;
  readonly searchDomains: Collected<readonly LiveSearchDomain[]>;
  readonly searchConnections: Collected<readonly LiveSearchConnection[]>;
  readonly hsmClusters: Collected<readonly LiveHsmCluster[]>;
  readonly customKeyStores: Collected<readonly LiveCustomKeyStore[]>;
}
