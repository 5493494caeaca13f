/**
 * The genuine tenant of support.ts as AWS API responses, with aws-sdk-client-mock. `mockAccount()` mocks every
 * client class (so clients created anywhere, e.g. by the CLI, answer) and returns the mocks for per-test changes.
 */
import { CloudHSMV2Client, DescribeClustersCommand } from '@aws-sdk/client-cloudhsm-v2';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeFlowLogsCommand,
  DescribeInstancesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeSecurityGroupsCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DescribeVpcsCommand,
  DescribeVpnGatewaysCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeCustomKeyStoresCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListGrantsCommand,
} from '@aws-sdk/client-kms';
import {
  DescribeDomainsCommand,
  DescribeInboundConnectionsCommand,
  DescribeOutboundConnectionsCommand,
  ListDomainNamesCommand,
  ListTagsCommand,
  OpenSearchClient,
} from '@aws-sdk/client-opensearch';
import { DescribeTagsCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetResourceSharesCommand, ListResourcesCommand, RAMClient } from '@aws-sdk/client-ram';
import {
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import {
  ACCOUNT,
  CALLER_ARN,
  DATA_VPC,
  DB_ARN,
  DB_LOG_GROUP,
  DB_LOG_GROUP_ARN,
  DOMAIN_ARN,
  SEARCH_LOG_GROUP,
  SEARCH_LOG_GROUP_ARN,
  HSM_CLUSTER,
  KEY_ID,
  KEY_STORE,
  PEERING,
  REGION,
  SEARCH_VPC,
  SG_APP,
  SG_DB,
  SG_SEARCH,
  SNAPSHOT_ARN,
  TAG,
  TENANT,
  keyArn,
  tenantKeyPolicy,
} from './support';

// aws-sdk-client-mock's types follow the newest smithy client; the registry's CloudHSM v2 client (3.332.0) is older.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStub = AwsStub<any, any, any>;

export interface AccountMocks {
  readonly sts: AnyStub;
  readonly rds: AnyStub;
  readonly kms: AnyStub;
  readonly ec2: AnyStub;
  readonly opensearch: AnyStub;
  readonly ram: AnyStub;
  readonly cloudhsm: AnyStub;
  readonly logs: AnyStub;
  readonly elbv2: AnyStub;
}

const sts = mockClient(STSClient) as unknown as AnyStub;
const rds = mockClient(RDSClient) as unknown as AnyStub;
const kms = mockClient(KMSClient) as unknown as AnyStub;
const ec2 = mockClient(EC2Client) as unknown as AnyStub;
const opensearch = mockClient(OpenSearchClient) as unknown as AnyStub;
const ram = mockClient(RAMClient) as unknown as AnyStub;
const cloudhsm = mockClient(CloudHSMV2Client as never) as unknown as AnyStub;
const logs = mockClient(CloudWatchLogsClient) as unknown as AnyStub;
const elbv2 = mockClient(ElasticLoadBalancingV2Client) as unknown as AnyStub;
export const MOCKS: AccountMocks = { sts, rds, kms, ec2, opensearch, ram, cloudhsm, logs, elbv2 };

/** Every command class the genuine account answers, for "nothing else was called" assertions. */
export const COMMANDS = {
  sts: [GetCallerIdentityCommand],
  rds: [DescribeDBInstancesCommand, DescribeDBParametersCommand, DescribeDBSnapshotsCommand, DescribeDBSnapshotAttributesCommand],
  kms: [ListAliasesCommand, DescribeKeyCommand, GetKeyPolicyCommand, ListGrantsCommand, GetKeyRotationStatusCommand, DescribeCustomKeyStoresCommand],
  ec2: [
    DescribeVpcsCommand,
    DescribeSecurityGroupsCommand,
    DescribeVpcPeeringConnectionsCommand,
    DescribeTransitGatewayAttachmentsCommand,
    DescribeVpnGatewaysCommand,
    DescribeVpcEndpointsCommand,
    DescribeVpcEndpointServiceConfigurationsCommand,
    DescribeVpcEndpointServicePermissionsCommand,
    DescribeFlowLogsCommand,
    DescribeInstancesCommand,
    DescribeManagedPrefixListsCommand,
  ],
  opensearch: [ListDomainNamesCommand, DescribeDomainsCommand, ListTagsCommand, DescribeOutboundConnectionsCommand, DescribeInboundConnectionsCommand],
  ram: [GetResourceSharesCommand, ListResourcesCommand],
  cloudhsm: [DescribeClustersCommand],
  logs: [DescribeLogGroupsCommand],
  elbv2: [DescribeTargetGroupsCommand, DescribeTagsCommand],
} as const;

const tags = [{ Key: TAG.Key, Value: TAG.Value }];
export const TARGET_GROUP_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/tenant-web/73e2d6bc24d8a067`;
export const LOAD_BALANCER_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/tenant-alb/50dc6c495c0c9188`;

/** Resets every mock and answers as the genuine tenant's account (hsm: HSM-backed keys). */
export function mockAccount(options: { hsm?: boolean } = {}): AccountMocks {
  for (const m of Object.values(MOCKS)) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: CALLER_ARN, UserId: 'AROA:audit' });

  rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: [
      {
        DBInstanceArn: DB_ARN,
        DBInstanceIdentifier: `exclusive-desk-${TENANT}`,
        Engine: 'postgres',
        DBInstanceClass: 'db.r6i.large',
        DBInstanceStatus: 'available',
        StorageEncrypted: true,
        KmsKeyId: keyArn(KEY_ID.database),
        PerformanceInsightsEnabled: true,
        PerformanceInsightsKMSKeyId: keyArn(KEY_ID.database),
        MasterUserSecret: { SecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-1`, KmsKeyId: keyArn(KEY_ID.secrets) },
        PubliclyAccessible: false,
        DBSubnetGroup: { DBSubnetGroupName: 'db-subnets', VpcId: DATA_VPC, Subnets: [{ SubnetIdentifier: 'subnet-0a000000000000001' }] },
        VpcSecurityGroups: [{ VpcSecurityGroupId: SG_DB, Status: 'active' }],
        DeletionProtection: true,
        MultiAZ: true,
        BackupRetentionPeriod: 35,
        IAMDatabaseAuthenticationEnabled: true,
        DBParameterGroups: [{ DBParameterGroupName: `exclusive-desk-${TENANT}-postgres`, ParameterApplyStatus: 'in-sync' }],
        TagList: tags,
      },
    ],
  });
  // Two pages: rds.force_ssl is on the second.
  rds.on(DescribeDBParametersCommand, { DBParameterGroupName: `exclusive-desk-${TENANT}-postgres` }).resolves({
    Parameters: [{ ParameterName: 'log_connections', ParameterValue: '1' }],
    Marker: 'page-2',
  });
  rds.on(DescribeDBParametersCommand, { DBParameterGroupName: `exclusive-desk-${TENANT}-postgres`, Marker: 'page-2' }).resolves({
    Parameters: [{ ParameterName: 'rds.force_ssl', ParameterValue: '1', Source: 'user' }],
  });
  rds.on(DescribeDBSnapshotsCommand).resolves({
    DBSnapshots: [{ DBSnapshotArn: SNAPSHOT_ARN, DBSnapshotIdentifier: 'before-upgrade', SnapshotType: 'manual', Encrypted: true, KmsKeyId: keyArn(KEY_ID.database) }],
  });
  rds.on(DescribeDBSnapshotAttributesCommand).resolves({
    DBSnapshotAttributesResult: { DBSnapshotIdentifier: 'before-upgrade', DBSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: [] }] },
  });

  logs.on(DescribeLogGroupsCommand, { logGroupNamePrefix: `/aws/rds/instance/exclusive-desk-${TENANT}/` }).resolves({
    logGroups: [{ logGroupName: DB_LOG_GROUP, logGroupArn: DB_LOG_GROUP_ARN, arn: `${DB_LOG_GROUP_ARN}:*`, kmsKeyId: keyArn(KEY_ID.logs) }],
  });
  // The prefix also matches a longer name, which is not the domain's group.
  logs.on(DescribeLogGroupsCommand, { logGroupNamePrefix: SEARCH_LOG_GROUP }).resolves({
    logGroups: [
      { logGroupName: SEARCH_LOG_GROUP, logGroupArn: SEARCH_LOG_GROUP_ARN, kmsKeyId: keyArn(KEY_ID.logs) },
      { logGroupName: `${SEARCH_LOG_GROUP}-old`, logGroupArn: `${SEARCH_LOG_GROUP_ARN}-old` },
    ],
  });

  kms.on(ListAliasesCommand).resolves({ Aliases: [{ AliasName: `alias/exclusive-desk/${TENANT}/database`, TargetKeyId: KEY_ID.database }] });
  for (const id of Object.values(KEY_ID)) {
    for (const ref of [id, keyArn(id)]) {
      kms.on(DescribeKeyCommand, { KeyId: ref }).resolves({
        KeyMetadata: {
          KeyId: id,
          Arn: keyArn(id),
          AWSAccountId: ACCOUNT,
          KeyManager: 'CUSTOMER',
          KeyState: 'Enabled',
          Origin: options.hsm ? 'AWS_CLOUDHSM' : 'AWS_KMS',
          ...(options.hsm ? { CustomKeyStoreId: KEY_STORE, CloudHsmClusterId: HSM_CLUSTER } : {}),
        },
      });
    }
  }
  kms.on(GetKeyPolicyCommand).resolves({ Policy: tenantKeyPolicy() });
  kms.on(ListGrantsCommand).resolves({
    Grants: [{ GrantId: 'g-rds', GranteePrincipal: `rds.${REGION}.amazonaws.com`, IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`, Operations: ['Decrypt'] }],
    Truncated: false,
  });
  kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true });
  kms.on(DescribeCustomKeyStoresCommand).resolves({
    CustomKeyStores: [{ CustomKeyStoreId: KEY_STORE, CustomKeyStoreName: `exclusive-desk-${TENANT}`, CloudHsmClusterId: HSM_CLUSTER, ConnectionState: 'CONNECTED', CustomKeyStoreType: 'AWS_CLOUDHSM' }],
  });

  ec2.on(DescribeVpcsCommand).resolves({
    Vpcs: [
      { VpcId: DATA_VPC, OwnerId: ACCOUNT, InstanceTenancy: 'dedicated', CidrBlock: '10.20.0.0/16', IsDefault: false, Tags: tags },
      { VpcId: SEARCH_VPC, OwnerId: ACCOUNT, InstanceTenancy: 'default', CidrBlock: '10.21.0.0/16', IsDefault: false, Tags: tags },
    ],
  });
  ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      { GroupId: SG_DB, GroupName: 'db', VpcId: DATA_VPC, OwnerId: ACCOUNT, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: SG_APP, UserId: ACCOUNT }] }] },
      { GroupId: SG_SEARCH, GroupName: 'search', VpcId: SEARCH_VPC, OwnerId: ACCOUNT, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: SG_APP, UserId: ACCOUNT }] }] },
      { GroupId: SG_APP, GroupName: 'app', VpcId: SEARCH_VPC, OwnerId: ACCOUNT, IpPermissions: [] },
    ],
  });
  const peering = {
    VpcPeeringConnectionId: PEERING,
    Status: { Code: 'active' as const },
    RequesterVpcInfo: { VpcId: SEARCH_VPC, OwnerId: ACCOUNT, Region: REGION, CidrBlock: '10.21.0.0/16' },
    AccepterVpcInfo: { VpcId: DATA_VPC, OwnerId: ACCOUNT, Region: REGION, CidrBlock: '10.20.0.0/16' },
  };
  // The same peering is found from both sides: the collector merges it.
  ec2.on(DescribeVpcPeeringConnectionsCommand).resolves({ VpcPeeringConnections: [peering] });
  ec2.on(DescribeTransitGatewayAttachmentsCommand).resolves({ TransitGatewayAttachments: [] });
  // A gateway detached from the tenant's VPC once (the filter still finds it): no path.
  ec2.on(DescribeVpnGatewaysCommand).resolves({
    VpnGateways: [{ VpnGatewayId: 'vgw-0a000000000000001', State: 'available', Type: 'ipsec.1', VpcAttachments: [{ VpcId: DATA_VPC, State: 'detached' }] }],
  });
  ec2.on(DescribeVpcEndpointsCommand).resolves({
    VpcEndpoints: [{ VpcEndpointId: 'vpce-0a000000000000001', VpcId: SEARCH_VPC, VpcEndpointType: 'Interface', ServiceName: `com.amazonaws.${REGION}.kms`, State: 'Available' }],
  });
  ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).resolves({ ServiceConfigurations: [] });
  ec2.on(DescribeVpcEndpointServicePermissionsCommand).resolves({ AllowedPrincipals: [] });
  ec2.on(DescribeFlowLogsCommand).resolves({
    FlowLogs: [
      { FlowLogId: 'fl-0a000000000000001', ResourceId: DATA_VPC, FlowLogStatus: 'ACTIVE' },
      { FlowLogId: 'fl-0a000000000000002', ResourceId: SEARCH_VPC, FlowLogStatus: 'ACTIVE' },
    ],
  });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [] });

  opensearch.on(ListDomainNamesCommand).resolves({ DomainNames: [{ DomainName: TENANT, EngineType: 'OpenSearch' }] });
  opensearch.on(DescribeDomainsCommand).resolves({
    DomainStatusList: [
      {
        DomainId: `${ACCOUNT}/${TENANT}`,
        DomainName: TENANT,
        ARN: DOMAIN_ARN,
        EngineVersion: 'OpenSearch_2.17',
        ClusterConfig: { InstanceCount: 3, ZoneAwarenessEnabled: true },
        VPCOptions: { VPCId: SEARCH_VPC, SubnetIds: ['subnet-0b000000000000001'], SecurityGroupIds: [SG_SEARCH] },
        Endpoints: { vpc: `vpc-${TENANT}-x.${REGION}.es.amazonaws.com` },
        EncryptionAtRestOptions: { Enabled: true, KmsKeyId: keyArn(KEY_ID.search) },
        LogPublishingOptions: {
          SEARCH_SLOW_LOGS: { CloudWatchLogsLogGroupArn: `${SEARCH_LOG_GROUP_ARN}:*`, Enabled: true },
          INDEX_SLOW_LOGS: { CloudWatchLogsLogGroupArn: 'arn:aws:logs:eu-west-1:111111111111:log-group:/not/published', Enabled: false },
        },
        NodeToNodeEncryptionOptions: { Enabled: true },
        DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
        AdvancedSecurityOptions: { Enabled: true },
        AccessPolicies: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/service-desk-app` }, Action: 'es:ESHttp*', Resource: `${DOMAIN_ARN}/*` }],
        }),
      },
    ],
  });
  opensearch.on(ListTagsCommand).resolves({ TagList: tags });
  opensearch.on(DescribeOutboundConnectionsCommand).resolves({ Connections: [] });
  opensearch.on(DescribeInboundConnectionsCommand).resolves({ Connections: [] });

  ram.on(GetResourceSharesCommand).resolves({ resourceShares: [] });
  ram.on(ListResourcesCommand).resolves({ resources: [] });

  // The tenant's web target group behind its own load balancer.
  elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TARGET_GROUP_ARN, TargetGroupName: 'tenant-web', LoadBalancerArns: [LOAD_BALANCER_ARN] }] });
  elbv2.on(DescribeTagsCommand).resolves({ TagDescriptions: [TARGET_GROUP_ARN, LOAD_BALANCER_ARN].map((ResourceArn) => ({ ResourceArn, Tags: tags })) });

  cloudhsm.on(DescribeClustersCommand as never).resolves({ Clusters: [{ ClusterId: HSM_CLUSTER, State: 'ACTIVE', VpcId: DATA_VPC, TagList: tags }] });
  return MOCKS;
}

/** An SDK-shaped service error. */
export function serviceError(name: string, message = name, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}
