import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { acknowledgeFindings } from '../lib/compliance/acknowledgements';
import { searchDomainName } from '../lib/naming';

/** The OpenSearch log types, each published to its own key-encrypted log group. */
export const SEARCH_LOG_TYPES = ['search-slow', 'index-slow', 'application', 'audit'] as const;
export type SearchLogType = (typeof SEARCH_LOG_TYPES)[number];

export interface TenantSearchProps {
  /**
   * The tenant id; derives the domain name (see `searchDomainName`).
   *
   * IMPORTANT: changing it replaces the domain.
   */
  readonly tenantId: string;
  /** The tenant's default-tenancy VPC for the domain (OpenSearch does not run in dedicated-tenancy VPCs). */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the domain, one per zone.
   * @default - the isolated subnets of `vpc` in its first `availabilityZoneCount` zones
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Zones the data nodes are spread over (2 or 3).
   * @default 3
   */
  readonly availabilityZoneCount?: 2 | 3;
  /** The tenant key for encryption at rest. */
  readonly encryptionKey: kms.IKey;
  /** The tenant key for the slow, application and audit log groups. */
  readonly logsKey: kms.IKey;
  /**
   * The tenant's own security groups that may reach the domain on 443.
   * @default - none
   */
  readonly allowedClients?: readonly ec2.ISecurityGroup[];
  /**
   * Data nodes: at least 3 and a multiple of `availabilityZoneCount`.
   * @default 3
   */
  readonly dataNodes?: number;
  /**
   * Data node instance type.
   * @default r6g.large.search
   */
  readonly dataNodeInstanceType?: string;
  /**
   * Dedicated master nodes: 3 or 5 (0, none, only for a non-production domain). With masters in three zones the
   * domain also runs Multi-AZ with standby.
   * @default 3
   */
  readonly masterNodes?: number;
  /**
   * Dedicated master instance type.
   * @default m6g.large.search
   */
  readonly masterNodeInstanceType?: string;
  /**
   * EBS (gp3) volume per data node in GiB.
   * @default 100
   */
  readonly volumeSizeGiB?: number;
  /**
   * Engine version.
   * @default opensearch.EngineVersion.OPENSEARCH_2_19
   */
  readonly engineVersion?: opensearch.EngineVersion;
  /**
   * Retention of the domain's log groups.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The IAM role mapped as fine-grained access control master user.
   * @default - a role `MasterUserRole` that only the tenant account can assume
   */
  readonly masterUserRole?: iam.IRole;
}

/**
 * One OpenSearch domain of one tenant, in the tenant's VPC: encrypted at rest with the tenant's search key,
 * node-to-node encryption, HTTPS only with a TLS 1.2+ policy, fine-grained access control with an IAM role of the
 * tenant as master user (no internal user passwords), zone-aware data nodes, slow/application/audit logs to
 * log groups encrypted with the tenant's logs key, an access policy naming only the tenant's principals; retained.
 */
export class TenantSearch extends Construct {
  public readonly domain: opensearch.Domain;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly masterUserRole: iam.IRole;
  public readonly logGroups: Readonly<Record<SearchLogType, logs.LogGroup>>;
  /** The resource policy that lets OpenSearch (for this domain and account only) write to the log groups. */
  public readonly logsResourcePolicy: logs.CfnResourcePolicy;
  public readonly domainName: string;

  constructor(scope: Construct, id: string, props: TenantSearchProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const zones = props.availabilityZoneCount ?? 3;
    if (zones !== 2 && zones !== 3) throw new Error(`availabilityZoneCount must be 2 or 3, got ${String(zones)}`);
    const dataNodes = props.dataNodes ?? 3;
    if (!Number.isInteger(dataNodes) || dataNodes < 3 || dataNodes % zones !== 0) {
      throw new Error(`dataNodes must be at least 3 and a multiple of ${zones} (zone awareness), got ${dataNodes}`);
    }
    const masterNodes = props.masterNodes ?? 3;
    if (![0, 3, 5].includes(masterNodes)) throw new Error(`masterNodes must be 0, 3 or 5, got ${masterNodes}`);
    const volumeSize = props.volumeSizeGiB ?? 100;
    if (!Number.isInteger(volumeSize) || volumeSize < 10 || volumeSize > 24_576) {
      throw new Error(`volumeSizeGiB must be a whole number 10-24576, got ${volumeSize}`);
    }
    for (const [prop, type] of [
      ['dataNodeInstanceType', props.dataNodeInstanceType],
      ['masterNodeInstanceType', props.masterNodeInstanceType],
    ] as const) {
      if (type !== undefined && !/^[a-z0-9]+\.[a-z0-9]+\.search$/.test(type)) {
        throw new Error(`${prop} must be an OpenSearch instance type such as r6g.large.search, got "${type}"`);
      }
      if (type !== undefined && /^t[2-4]/.test(type)) {
        throw new Error(`${prop} must not be burstable (t2/t3/t4g do not support encryption and FGAC at scale), got "${type}"`);
      }
    }

    this.domainName = searchDomainName(props.tenantId);
    const domainArn = `arn:${stack.partition}:es:${stack.region}:${stack.account}:domain/${this.domainName}`;
    const tenantRoot = `arn:${stack.partition}:iam::${stack.account}:root`;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Tenant ${props.tenantId} search domain - HTTPS only from the tenant security groups`,
      allowAllOutbound: false,
    });
    // Retained with the domain, whose network interfaces keep using it.
    this.securityGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);
    for (const client of props.allowedClients ?? []) {
      this.securityGroup.connections.allowFrom(client, ec2.Port.tcp(443), `Tenant ${props.tenantId} client security group`);
    }

    this.masterUserRole =
      props.masterUserRole ??
      new iam.Role(this, 'MasterUserRole', {
        assumedBy: new iam.ArnPrincipal(tenantRoot),
        description: `Fine-grained access control master user of the search domain of tenant ${props.tenantId}`,
      });

    const logGroups = {} as Record<SearchLogType, logs.LogGroup>;
    for (const type of SEARCH_LOG_TYPES) {
      const cid = `${type.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}LogGroup`;
      logGroups[type] = new logs.LogGroup(this, cid, {
        logGroupName: `/aws/opensearch/domains/${this.domainName}/${type}`,
        encryptionKey: props.logsKey,
        retention,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.logGroups = logGroups;

    // Replaces the L2's account-wide policy (written by a custom resource) with one pinned to this domain.
    this.logsResourcePolicy = new logs.CfnResourcePolicy(this, 'LogsResourcePolicy', {
      policyName: `exclusive-desk-${props.tenantId}-opensearch-logs`,
      policyDocument: stack.toJsonString({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OpenSearchPublishesTenantDomainLogs',
            Effect: 'Allow',
            Principal: { Service: 'es.amazonaws.com' },
            Action: ['logs:PutLogEvents', 'logs:CreateLogStream'],
            Resource: SEARCH_LOG_TYPES.map((t) => logGroups[t].logGroupArn),
            Condition: {
              StringEquals: { 'aws:SourceAccount': stack.account },
              ArnLike: { 'aws:SourceArn': domainArn },
            },
          },
        ],
      }),
    });

    const subnets = props.vpcSubnets ?? {
      subnetType: ec2.SubnetType.PRIVATE_ISOLATED,
      availabilityZones: props.vpc.availabilityZones.slice(0, zones),
    };
    const withMasters = masterNodes > 0;
    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName: this.domainName,
      version: props.engineVersion ?? opensearch.EngineVersion.OPENSEARCH_2_19,
      vpc: props.vpc,
      vpcSubnets: [subnets],
      securityGroups: [this.securityGroup],
      capacity: {
        dataNodes,
        dataNodeInstanceType: props.dataNodeInstanceType ?? 'r6g.large.search',
        ...(withMasters
          ? { masterNodes, masterNodeInstanceType: props.masterNodeInstanceType ?? 'm6g.large.search' }
          : {}),
        multiAzWithStandbyEnabled: withMasters && zones === 3,
      },
      zoneAwareness: { enabled: true, availabilityZoneCount: zones },
      ebs: { enabled: true, volumeSize, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: props.encryptionKey },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
      fineGrainedAccessControl: { masterUserArn: this.masterUserRole.roleArn },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: logGroups['search-slow'],
        slowIndexLogEnabled: true,
        slowIndexLogGroup: logGroups['index-slow'],
        appLogEnabled: true,
        appLogGroup: logGroups.application,
        auditLogEnabled: true,
        auditLogGroup: logGroups.audit,
      },
      suppressLogsResourcePolicy: true,
      enableVersionUpgrade: true,
      enableAutoSoftwareUpdate: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cfnDomain = this.domain.node.defaultChild as opensearch.CfnDomain;
    // The key by ARN (the L2 derives a key id with Fn::Split for imported keys, which a verifier cannot follow).
    cfnDomain.addPropertyOverride('EncryptionAtRestOptions.KmsKeyId', props.encryptionKey.keyArn);
    cfnDomain.node.addDependency(this.logsResourcePolicy);
    // The access policy is set on the resource itself (the L2 would use a custom resource): only the tenant's
    // account and its master role, only this domain.
    cfnDomain.accessPolicies = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TenantPrincipalsOnly',
          Effect: 'Allow',
          Principal: { AWS: [tenantRoot, this.masterUserRole.roleArn] },
          Action: 'es:ESHttp*',
          Resource: `${domainArn}/*`,
        },
      ],
    };

    acknowledgeFindings(
      this.domain,
      ['AwsSolutions-OS3'],
      'The domain is VPC-only: reachable solely from the tenant security groups, and its access policy names only ' +
        'the tenant account and master role; IP allowlists add nothing inside a private VPC',
    );
    if (!withMasters) {
      acknowledgeFindings(
        this.domain,
        ['AwsSolutions-OS4'],
        `Dedicated master nodes are added when the domain is sized up (above 3 data nodes or the workload tier); ` +
          `this tenant runs ${dataNodes} zone-aware data nodes`,
      );
    }
  }
}
