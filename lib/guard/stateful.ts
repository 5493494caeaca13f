/**
 * What the replacement guard protects. This file is data only: which resource types hold state, and which
 * DeletionPolicy values keep it. Whether a change replaces a resource is never decided here: that comes from the
 * CDK's own diff engine (`@aws-cdk/cloudformation-diff`) and its resource specification.
 */

/**
 * Resource types whose replacement or removal loses data, keys or addresses, with what each one holds.
 *
 * It contains every type the CDK's resource specification marks `isStateful` (a test pins that) plus the types
 * this project treats as stateful: VPCs and subnets (their ids and CIDRs are the tenant's network boundary, pinned
 * by peering, endpoints and firewall rules) and the custom resources that own the tenant's CloudHSM key material.
 */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  // Tenant data
  'AWS::RDS::DBInstance': 'the tenant database',
  'AWS::RDS::DBCluster': 'the tenant database cluster',
  'AWS::DocDB::DBCluster': 'a document database cluster',
  'AWS::DocDB::DBInstance': 'a document database instance',
  'AWS::Neptune::DBCluster': 'a graph database cluster',
  'AWS::Neptune::DBInstance': 'a graph database instance',
  'AWS::Redshift::Cluster': 'a data warehouse',
  'AWS::OpenSearchService::Domain': 'the tenant search index',
  'AWS::Elasticsearch::Domain': 'a search index',
  'AWS::DynamoDB::Table': 'table data',
  'AWS::DynamoDB::GlobalTable': 'table data',
  'AWS::S3::Bucket': 'objects (ticket attachments)',
  'AWS::EFS::FileSystem': 'files',
  'AWS::FSx::FileSystem': 'files',
  'AWS::EC2::Volume': 'a block volume',
  'AWS::ElastiCache::CacheCluster': 'cached data',
  'AWS::ElastiCache::ReplicationGroup': 'cached data',
  'AWS::Kinesis::Stream': 'stream records',
  'AWS::SQS::Queue': 'queued messages',
  'AWS::QLDB::Ledger': 'a ledger',
  'AWS::SDB::Domain': 'SimpleDB data',
  'AWS::EMR::Cluster': 'cluster storage',
  'AWS::Cognito::UserPool': 'user identities',
  'AWS::Logs::LogGroup': 'audit and application logs',
  'AWS::Backup::BackupVault': 'recovery points',
  // Keys and secrets
  'AWS::KMS::Key': 'the tenant key (data encrypted under it is unreadable without it)',
  'AWS::SecretsManager::Secret': 'credentials',
  'Custom::ExclusiveDeskHsmCluster': 'the tenant CloudHSM cluster and its key material',
  'Custom::ExclusiveDeskCustomKeyStore': 'the KMS custom key store bound to the tenant HSM cluster',
  'Custom::ExclusiveDeskHsmKey': 'a KMS key whose material lives in the tenant HSM',
  // Network boundary
  'AWS::EC2::VPC': 'the tenant network (its id and CIDR are referenced outside the stack)',
  'AWS::EC2::Subnet': 'a tenant subnet (databases and domains live in it)',
  // Containers of the above
  'AWS::CloudFormation::Stack': 'a nested stack and everything in it',
  'AWS::Organizations::Account': 'an AWS account',
};

/** DeletionPolicy values that keep the physical resource (or a snapshot of it) when CloudFormation deletes it. */
export const RETAINING_DELETION_POLICIES: readonly string[] = ['Retain', 'RetainExceptOnCreate', 'Snapshot'];

/** True when `type` is in STATEFUL_TYPES or in `extra` (the `--stateful-type` flag). */
export function isStatefulType(type: string | undefined, extra: ReadonlySet<string> = new Set()): boolean {
  return type !== undefined && (Object.hasOwn(STATEFUL_TYPES, type) || extra.has(type));
}

/**
 * A conditional replacement ("may replace" in the CDK's specification, `Replacement: Conditional` in a CloudFormation
 * change set) that AWS documents as an in-place update. The guard reports such a change as an in-place update with
 * this note instead of failing; `--strict` turns the resolution off. Every entry cites the AWS statement it relies
 * on, and only ever downgrades a *conditional* replacement: a property the specification says always replaces is
 * never listed here.
 */
export interface ConditionalResolution {
  readonly type: string;
  readonly property: string;
  /** Why it is in place, and what does happen (an outage, a reboot). */
  readonly note: string;
  readonly source: string;
}

export const CONDITIONAL_IN_PLACE: readonly ConditionalResolution[] = [
  {
    type: 'AWS::RDS::DBInstance',
    property: 'BackupRetentionPeriod',
    note:
      'RDS modifies the backup retention period of an existing instance in place; changing it between 0 and a ' +
      'non-zero value causes an outage, not a replacement',
    source:
      'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.BackupRetention.html',
  },
  {
    type: 'AWS::RDS::DBInstance',
    property: 'DBParameterGroupName',
    note:
      'CloudFormation updates the parameter group of an existing instance in place ("Update requires: Some ' +
      'interruptions"): the instance may restart, and a group with static parameters triggers a reboot; this is ' +
      'how a major version upgrade moves the instance to the new family\'s group',
    source:
      'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html#cfn-rds-dbinstance-dbparametergroupname',
  },
];

export function conditionalResolution(type: string, property: string): ConditionalResolution | undefined {
  return CONDITIONAL_IN_PLACE.find((r) => r.type === type && r.property === property);
}
