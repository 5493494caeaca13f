/**
 * The genuine tenant of ../support.ts as the AWS APIs put it on the wire (element and member names of the services'
 * API references: EC2's lower-camel names and `<item>` lists, RDS's `<DBInstances><DBInstance>` lists, JSON members),
 * for any region and partition. Beyond the mock account it also offers what makes every action of the generated
 * policy run at `hsm`: a prefix list of its own in an ingress rule, an endpoint service of its own (open to its own
 * account only), a deleted RAM share, a dedicated EC2 instance, and a log-group key with KMS key material (rotation).
 *
 * Two listings come in pages of one item, so the paginators must follow `Marker` (RDS parameters) and `NextToken`
 * (EC2 VPCs) to see the whole account: `rds.force_ssl` is on the second page, the second VPC too.
 */
import { AwsError, page, type Handler } from './fake-aws';

export interface AccountScope {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly tenant: string;
}

export const IDS = {
  dataVpc: 'vpc-0a1b2c3d4e5f60001',
  searchVpc: 'vpc-0a1b2c3d4e5f60002',
  sgDb: 'sg-0d000000000000001',
  sgSearch: 'sg-0d000000000000002',
  sgApp: 'sg-0d000000000000003',
  peering: 'pcx-0a000000000000001',
  prefixList: 'pl-0a000000000000001',
  endpointService: 'vpce-svc-0a000000000000001',
  instance: 'i-0a000000000000001',
  hsmCluster: 'cluster-abcdefghijk',
  keyStore: 'cks-1234567890abcdef0',
  keys: {
    database: '11111111-1111-4111-8111-111111111111',
    secrets: '22222222-2222-4222-8222-222222222222',
    search: '33333333-3333-4333-8333-333333333333',
    logs: '44444444-4444-4444-8444-444444444444',
  },
} as const;

/** The handlers of the tenant's account, keyed by IAM action. */
export function genuineAccount(s: AccountScope): Record<string, Handler> {
  const { account, region, partition, tenant } = s;
  const arn = (service: string, resource: string, inRegion = region): string => `arn:${partition}:${service}:${inRegion}:${account}:${resource}`;
  const keyArn = (id: string): string => arn('kms', `key/${id}`);
  const dbId = `exclusive-desk-${tenant}`;
  const dbArn = arn('rds', `db:${dbId}`);
  const domainArn = arn('es', `domain/${tenant}`);
  const paramGroup = `exclusive-desk-${tenant}-postgres`;
  const dbLogGroup = `/aws/rds/instance/${dbId}/postgresql`;
  const searchLogGroup = `/aws/opensearch/${tenant}/search-slow`;
  const ec2Tags = { item: [{ key: 'exclusive-desk:tenant', value: tenant }] };
  const hsmKey = (id: string): boolean => id !== IDS.keys.logs;

  const vpcs = [
    { vpcId: IDS.dataVpc, ownerId: account, instanceTenancy: 'dedicated', cidrBlock: '10.20.0.0/16', isDefault: false, tagSet: ec2Tags },
    { vpcId: IDS.searchVpc, ownerId: account, instanceTenancy: 'default', cidrBlock: '10.21.0.0/16', isDefault: false, tagSet: ec2Tags },
  ];
  const dbParameters = [
    { ParameterName: 'log_connections', ParameterValue: '1', Source: 'user' },
    { ParameterName: 'rds.force_ssl', ParameterValue: '1', Source: 'user' },
  ];
  const keyMetadata = (id: string) => ({
    KeyId: id,
    Arn: keyArn(id),
    AWSAccountId: account,
    KeyManager: 'CUSTOMER',
    KeyState: 'Enabled',
    Origin: hsmKey(id) ? 'AWS_CLOUDHSM' : 'AWS_KMS',
    ...(hsmKey(id) ? { CustomKeyStoreId: IDS.keyStore, CloudHsmClusterId: IDS.hsmCluster } : {}),
  });
  const keyPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'TenantAccountAdministersKey', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: ['kms:Describe*', 'kms:Put*'], Resource: '*' },
      {
        Sid: 'TenantAccountUsesKeyViaServices',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${account}:root` },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': [`rds.${region}.amazonaws.com`], 'kms:CallerAccount': account } },
      },
    ],
  });
  const logGroups = [
    { logGroupName: dbLogGroup, logGroupArn: arn('logs', `log-group:${dbLogGroup}`), arn: `${arn('logs', `log-group:${dbLogGroup}`)}:*`, kmsKeyId: keyArn(IDS.keys.logs) },
    { logGroupName: searchLogGroup, logGroupArn: arn('logs', `log-group:${searchLogGroup}`), kmsKeyId: keyArn(IDS.keys.logs) },
  ];
  const tenantTag = [{ Key: 'exclusive-desk:tenant', Value: tenant }];
  const targetGroupArn = arn('elasticloadbalancing', 'targetgroup/tenant-web/73e2d6bc24d8a067');
  const loadBalancerArn = arn('elasticloadbalancing', 'loadbalancer/app/tenant-alb/50dc6c495c0c9188');

  return {
    'sts:GetCallerIdentity': () => ({ Account: account, Arn: `arn:${partition}:sts::${account}:assumed-role/ExclusiveDeskAuditor/audit`, UserId: 'AROAEXAMPLE:audit' }),

    'rds:DescribeDBInstances': () => ({
      DBInstances: {
        DBInstance: [
          {
            DBInstanceArn: dbArn,
            DBInstanceIdentifier: dbId,
            Engine: 'postgres',
            DBInstanceClass: 'db.r6i.large',
            DBInstanceStatus: 'available',
            StorageEncrypted: true,
            KmsKeyId: keyArn(IDS.keys.database),
            PerformanceInsightsEnabled: true,
            PerformanceInsightsKMSKeyId: keyArn(IDS.keys.database),
            MasterUserSecret: { SecretArn: arn('secretsmanager', 'secret:rds!db-1'), KmsKeyId: keyArn(IDS.keys.secrets) },
            PubliclyAccessible: false,
            DBSubnetGroup: { DBSubnetGroupName: 'db-subnets', VpcId: IDS.dataVpc, Subnets: { Subnet: [{ SubnetIdentifier: 'subnet-0a000000000000001' }] } },
            VpcSecurityGroups: { VpcSecurityGroupMembership: [{ VpcSecurityGroupId: IDS.sgDb, Status: 'active' }] },
            DeletionProtection: true,
            MultiAZ: true,
            BackupRetentionPeriod: 35,
            IAMDatabaseAuthenticationEnabled: true,
            DBParameterGroups: { DBParameterGroup: [{ DBParameterGroupName: paramGroup, ParameterApplyStatus: 'in-sync' }] },
            TagList: { Tag: tenantTag },
          },
        ],
      },
    }),
    'rds:DescribeDBParameters': (c) => {
      if (c.params.DBParameterGroupName !== paramGroup) throw new AwsError('DBParameterGroupNotFound', `${String(c.params.DBParameterGroupName)} not found`, 404);
      const p = page(dbParameters, c.params.Marker, 1);
      return { Parameters: { Parameter: p.items }, ...(p.next ? { Marker: p.next } : {}) };
    },
    'rds:DescribeDBSnapshots': () => ({
      DBSnapshots: {
        DBSnapshot: [
          { DBSnapshotArn: arn('rds', 'snapshot:before-upgrade'), DBSnapshotIdentifier: 'before-upgrade', DBInstanceIdentifier: dbId, SnapshotType: 'manual', Encrypted: true, KmsKeyId: keyArn(IDS.keys.database) },
        ],
      },
    }),
    'rds:DescribeDBSnapshotAttributes': () => ({
      DBSnapshotAttributesResult: { DBSnapshotIdentifier: 'before-upgrade', DBSnapshotAttributes: { DBSnapshotAttribute: [{ AttributeName: 'restore', AttributeValues: '' }] } },
    }),

    'kms:ListAliases': () => ({ Aliases: [{ AliasName: `alias/exclusive-desk/${tenant}/database`, AliasArn: arn('kms', `alias/exclusive-desk/${tenant}/database`), TargetKeyId: IDS.keys.database }], Truncated: false }),
    'kms:DescribeKey': (c) => {
      const ref = String(c.params.KeyId);
      const id = Object.values(IDS.keys).find((k) => ref === k || ref === keyArn(k));
      if (!id) throw new AwsError('NotFoundException', `Key '${ref}' does not exist`);
      return { KeyMetadata: keyMetadata(id) };
    },
    'kms:GetKeyPolicy': () => ({ Policy: keyPolicy, PolicyName: 'default' }),
    'kms:ListGrants': () => ({
      Grants: [{ GrantId: 'g-rds', GranteePrincipal: `rds.${region}.amazonaws.com`, IssuingAccount: `arn:${partition}:iam::${account}:root`, Operations: ['Decrypt'] }],
      Truncated: false,
    }),
    'kms:GetKeyRotationStatus': () => ({ KeyRotationEnabled: true }),
    'kms:DescribeCustomKeyStores': () => ({
      CustomKeyStores: [{ CustomKeyStoreId: IDS.keyStore, CustomKeyStoreName: `exclusive-desk-${tenant}`, CloudHsmClusterId: IDS.hsmCluster, ConnectionState: 'CONNECTED', CustomKeyStoreType: 'AWS_CLOUDHSM' }],
      Truncated: false,
    }),

    'logs:DescribeLogGroups': (c) => ({ logGroups: logGroups.filter((g) => g.logGroupName.startsWith(String(c.params.logGroupNamePrefix ?? ''))) }),

    'ec2:DescribeVpcs': (c) => {
      const p = page(vpcs, c.params.NextToken, 1);
      return { vpcSet: { item: p.items }, ...(p.next ? { nextToken: p.next } : {}) };
    },
    'ec2:DescribeSecurityGroups': () => ({
      securityGroupInfo: {
        item: [
          {
            groupId: IDS.sgDb,
            groupName: 'db',
            vpcId: IDS.dataVpc,
            ownerId: account,
            ipPermissions: { item: [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, groups: { item: [{ groupId: IDS.sgApp, userId: account }] }, ipRanges: '', ipv6Ranges: '', prefixListIds: '' }] },
          },
          {
            groupId: IDS.sgSearch,
            groupName: 'search',
            vpcId: IDS.searchVpc,
            ownerId: account,
            ipPermissions: {
              item: [
                { ipProtocol: 'tcp', fromPort: 443, toPort: 443, groups: { item: [{ groupId: IDS.sgApp, userId: account }] }, ipRanges: '', ipv6Ranges: '', prefixListIds: '' },
                { ipProtocol: 'tcp', fromPort: 443, toPort: 443, groups: '', ipRanges: '', ipv6Ranges: '', prefixListIds: { item: [{ prefixListId: IDS.prefixList }] } },
              ],
            },
          },
          { groupId: IDS.sgApp, groupName: 'app', vpcId: IDS.searchVpc, ownerId: account, ipPermissions: '' },
        ],
      },
    }),
    'ec2:DescribeVpcPeeringConnections': () => ({
      vpcPeeringConnectionSet: {
        item: [
          {
            vpcPeeringConnectionId: IDS.peering,
            status: { code: 'active', message: 'Active' },
            requesterVpcInfo: { vpcId: IDS.searchVpc, ownerId: account, region, cidrBlock: '10.21.0.0/16' },
            accepterVpcInfo: { vpcId: IDS.dataVpc, ownerId: account, region, cidrBlock: '10.20.0.0/16' },
          },
        ],
      },
    }),
    'ec2:DescribeTransitGatewayAttachments': () => ({ transitGatewayAttachments: '' }),
    'ec2:DescribeVpnGateways': () => ({
      vpnGatewaySet: { item: [{ vpnGatewayId: 'vgw-0a000000000000001', state: 'available', type: 'ipsec.1', attachments: { item: [{ vpcId: IDS.dataVpc, state: 'detached' }] } }] },
    }),
    'ec2:DescribeVpcEndpoints': () => ({
      vpcEndpointSet: { item: [{ vpcEndpointId: 'vpce-0a000000000000001', vpcId: IDS.searchVpc, vpcEndpointType: 'Interface', serviceName: `com.amazonaws.${region}.kms`, state: 'available' }] },
    }),
    'ec2:DescribeVpcEndpointServiceConfigurations': () => ({
      serviceConfigurationSet: { item: [{ serviceId: IDS.endpointService, serviceName: `com.amazonaws.vpce.${region}.${IDS.endpointService}`, serviceState: 'Available' }] },
    }),
    'ec2:DescribeVpcEndpointServicePermissions': () => ({
      allowedPrincipals: { item: [{ principal: `arn:${partition}:iam::${account}:root`, principalType: 'Account' }] },
    }),
    'ec2:DescribeFlowLogs': () => ({
      flowLogSet: {
        item: [
          { flowLogId: 'fl-0a000000000000001', resourceId: IDS.dataVpc, flowLogStatus: 'ACTIVE' },
          { flowLogId: 'fl-0a000000000000002', resourceId: IDS.searchVpc, flowLogStatus: 'ACTIVE' },
        ],
      },
    }),
    'ec2:DescribeInstances': () => ({
      reservationSet: {
        item: [
          {
            reservationId: 'r-0a000000000000001',
            ownerId: account,
            instancesSet: { item: [{ instanceId: IDS.instance, vpcId: IDS.dataVpc, instanceType: 'm6i.large', placement: { tenancy: 'dedicated' }, instanceState: { code: 16, name: 'running' } }] },
          },
        ],
      },
    }),
    'ec2:DescribeManagedPrefixLists': () => ({
      prefixListSet: { item: [{ prefixListId: IDS.prefixList, prefixListName: `${tenant}-offices`, ownerId: account, state: 'create-complete' }] },
    }),

    'es:ListDomainNames': () => ({ DomainNames: [{ DomainName: tenant, EngineType: 'OpenSearch' }] }),
    'es:DescribeDomains': () => ({
      DomainStatusList: [
        {
          DomainId: `${account}/${tenant}`,
          DomainName: tenant,
          ARN: domainArn,
          EngineVersion: 'OpenSearch_2.17',
          ClusterConfig: { InstanceCount: 3, ZoneAwarenessEnabled: true },
          VPCOptions: { VPCId: IDS.searchVpc, SubnetIds: ['subnet-0b000000000000001'], SecurityGroupIds: [IDS.sgSearch] },
          Endpoints: { vpc: `vpc-${tenant}-x.${region}.es.amazonaws.com` },
          EncryptionAtRestOptions: { Enabled: true, KmsKeyId: keyArn(IDS.keys.search) },
          LogPublishingOptions: { SEARCH_SLOW_LOGS: { CloudWatchLogsLogGroupArn: `${arn('logs', `log-group:${searchLogGroup}`)}:*`, Enabled: true } },
          NodeToNodeEncryptionOptions: { Enabled: true },
          DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
          AdvancedSecurityOptions: { Enabled: true },
          AccessPolicies: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:role/service-desk-app` }, Action: 'es:ESHttp*', Resource: `${domainArn}/*` }],
          }),
        },
      ],
    }),
    'es:ListTags': () => ({ TagList: tenantTag }),
    'es:DescribeOutboundConnections': () => ({ Connections: [] }),
    'es:DescribeInboundConnections': () => ({ Connections: [] }),

    'ram:GetResourceShares': () => ({
      resourceShares: [{ resourceShareArn: arn('ram', 'resource-share/0a000000-0000-4000-8000-000000000001'), name: 'old-subnets', status: 'DELETED', allowExternalPrincipals: false }],
    }),
    'ram:ListResources': () => ({ resources: [] }),

    // ELBv2 speaks the query protocol with `member` lists: the tenant's target group behind its own load balancer.
    'elasticloadbalancing:DescribeTargetGroups': () => ({
      TargetGroups: { member: [{ TargetGroupArn: targetGroupArn, TargetGroupName: 'tenant-web', LoadBalancerArns: { member: [loadBalancerArn] } }] },
    }),
    'elasticloadbalancing:DescribeTags': () => ({
      TagDescriptions: { member: [targetGroupArn, loadBalancerArn].map((ResourceArn) => ({ ResourceArn, Tags: { member: tenantTag } })) },
    }),

    'cloudhsm:DescribeClusters': () => ({ Clusters: [{ ClusterId: IDS.hsmCluster, State: 'ACTIVE', VpcId: IDS.dataVpc, TagList: tenantTag }] }),
  };
}
