/**
 * Test support for the live verifier: a genuine tenant's inventory (for rule tests on plain objects) and the same
 * account as aws-sdk-client-mock responses (for collector tests). Ids are the shape the APIs return.
 */
import type {
  Collected,
  CollectionError,
  LiveDbInstance,
  LiveKey,
  LiveSearchDomain,
  LiveVpc,
  TenantInventory,
} from '../../lib/isolation/inventory';
import { evaluateLive, type RuleResult, type TenantVerdict } from '../../lib/isolation/engine';
import type { IsolationLevel } from '../../lib/isolation/levels';

export const ACCOUNT = '111111111111';
export const OTHER = '999999999999';
export const REGION = 'eu-west-1';
export const TENANT = 'acme-health';
export const TAG = { Key: 'exclusive-desk:tenant', Value: TENANT };
export const TARGET_GROUP = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/tenant-web/73e2d6bc24d8a067`;
export const LOAD_BALANCER = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/tenant-alb/50dc6c495c0c9188`;

export const DATA_VPC = 'vpc-0a1b2c3d4e5f60001';
export const SEARCH_VPC = 'vpc-0a1b2c3d4e5f60002';
export const SG_DB = 'sg-0d000000000000001';
export const SG_SEARCH = 'sg-0d000000000000002';
export const SG_APP = 'sg-0d000000000000003';
export const PEERING = 'pcx-0a000000000000001';
export const KEY_ID = {
  database: '11111111-1111-4111-8111-111111111111',
  secrets: '22222222-2222-4222-8222-222222222222',
  search: '33333333-3333-4333-8333-333333333333',
  logs: '44444444-4444-4444-8444-444444444444',
} as const;
export const keyArn = (id: string, account = ACCOUNT): string => `arn:aws:kms:${REGION}:${account}:key/${id}`;
export const DB_ARN = `arn:aws:rds:${REGION}:${ACCOUNT}:db:exclusive-desk-${TENANT}`;
export const DOMAIN_ARN = `arn:aws:es:${REGION}:${ACCOUNT}:domain/${TENANT}`;
export const DB_LOG_GROUP = `/aws/rds/instance/exclusive-desk-${TENANT}/postgresql`;
export const DB_LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${DB_LOG_GROUP}`;
export const SEARCH_LOG_GROUP = `/aws/opensearch/${TENANT}/search-slow`;
export const SEARCH_LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${SEARCH_LOG_GROUP}`;
export const SNAPSHOT_ARN = `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:before-upgrade`;
export const CALLER_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/ExclusiveDeskAuditor/audit`;
export const HSM_CLUSTER = 'cluster-abcdefghijk';
export const KEY_STORE = 'cks-1234567890abcdef0';

/** The key policy TenantKeys writes (account root, service use pinned by kms:CallerAccount, logs by context). */
export function tenantKeyPolicy(account = ACCOUNT): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'TenantAccountAdministersKey', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['kms:Describe*', 'kms:Put*'], Resource: '*' },
      {
        Sid: 'TenantAccountUsesKeyViaServices',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': [`rds.${REGION}.amazonaws.com`], 'kms:CallerAccount': account } },
      },
      {
        Sid: 'CloudWatchLogsEncryptsTenantLogGroups',
        Effect: 'Allow',
        Principal: { Service: `logs.${REGION}.amazonaws.com` },
        Action: ['kms:Encrypt*', 'kms:Decrypt*'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${account}:log-group:*` } },
      },
    ],
  });
}

export const ok = <T>(value: T): Collected<T> => ({ ok: true, value });
export const err = <T = never>(action: string, reason: CollectionError['reason'] = 'denied', code = 'AccessDeniedException', resource?: string): Collected<T> => ({
  ok: false,
  error: { action, code, reason, resource, message: reason === 'denied' ? `User: ${CALLER_ARN} is not authorized to perform: ${action}` : 'Rate exceeded' },
});

export function key(id: string, over: Partial<LiveKey> & { origin?: string; keyState?: string; keyManager?: string; account?: string } = {}): LiveKey {
  const account = over.account ?? ACCOUNT;
  const arn = keyArn(id, account);
  const { origin, keyState, keyManager, account: _a, ...rest } = over;
  return {
    ref: arn,
    refs: [arn, id],
    usedBy: [],
    aliases: [],
    metadata: ok({
      arn,
      keyId: id,
      account,
      keyManager: keyManager ?? 'CUSTOMER',
      keyState: keyState ?? 'Enabled',
      origin: origin ?? 'AWS_KMS',
      ...(origin === 'AWS_CLOUDHSM' ? { customKeyStoreId: KEY_STORE, cloudHsmClusterId: HSM_CLUSTER } : {}),
    }),
    policy: ok(tenantKeyPolicy(ACCOUNT)),
    grants: ok([
      { grantId: 'g-rds', grantee: `rds.${REGION}.amazonaws.com`, retiringPrincipal: `rds.${REGION}.amazonaws.com`, issuingAccount: `arn:aws:iam::${ACCOUNT}:root`, operations: ['Decrypt', 'GenerateDataKey'] },
    ]),
    rotation: origin === 'AWS_CLOUDHSM' ? undefined : ok(true),
    ...rest,
  };
}

export function vpc(id: string, over: Partial<LiveVpc> = {}): LiveVpc {
  const data = id === DATA_VPC;
  return { id, ownerId: ACCOUNT, tenancy: data ? 'dedicated' : 'default', cidrs: [data ? '10.20.0.0/16' : '10.21.0.0/16'], isDefault: false, tags: { [TAG.Key]: TENANT }, ...over };
}

export function database(over: Partial<LiveDbInstance> = {}): LiveDbInstance {
  return {
    arn: DB_ARN,
    id: `exclusive-desk-${TENANT}`,
    engine: 'postgres',
    instanceClass: 'db.r6i.large',
    status: 'available',
    storageEncrypted: true,
    kmsKeyId: keyArn(KEY_ID.database),
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: keyArn(KEY_ID.database),
    masterUserSecret: { secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-1`, kmsKeyId: keyArn(KEY_ID.secrets) },
    publiclyAccessible: false,
    subnetGroup: { name: 'db-subnets', vpcId: DATA_VPC, subnetIds: ['subnet-0a000000000000001', 'subnet-0a000000000000002'] },
    securityGroupIds: [SG_DB],
    deletionProtection: true,
    multiAz: true,
    backupRetentionPeriod: 35,
    iamAuthentication: true,
    readReplicas: [],
    parameterGroups: [`exclusive-desk-${TENANT}-postgres`],
    tags: { [TAG.Key]: TENANT },
    ...over,
  };
}

export function searchDomain(over: Partial<LiveSearchDomain> = {}): LiveSearchDomain {
  return {
    name: TENANT,
    arn: DOMAIN_ARN,
    engineVersion: 'OpenSearch_2.17',
    vpc: { vpcId: SEARCH_VPC, subnetIds: ['subnet-0b000000000000001'], securityGroupIds: [SG_SEARCH] },
    encryptionAtRest: { enabled: true, kmsKeyId: keyArn(KEY_ID.search) },
    nodeToNodeEncryption: true,
    enforceHttps: true,
    tlsPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10',
    fineGrainedAccessControl: true,
    accessPolicies: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/service-desk-app` }, Action: 'es:ESHttp*', Resource: `${DOMAIN_ARN}/*` }],
    }),
    logGroupArns: [`${SEARCH_LOG_GROUP_ARN}:*`],
    instanceCount: 3,
    zoneAwareness: true,
    tags: ok({ [TAG.Key]: TENANT }),
    ...over,
  };
}

/** A genuine hardware tenant: every counting live rule passes. */
export function genuineInventory(over: Partial<TenantInventory> = {}): TenantInventory {
  const dbKey = key(KEY_ID.database, { usedBy: [{ resource: DB_ARN, field: 'KmsKeyId' }], aliases: [`alias/exclusive-desk/${TENANT}/database`] });
  const secretsKey = key(KEY_ID.secrets, { usedBy: [{ resource: DB_ARN, field: 'MasterUserSecret.KmsKeyId' }] });
  const searchKey = key(KEY_ID.search, { usedBy: [{ resource: DOMAIN_ARN, field: 'EncryptionAtRestOptions.KmsKeyId' }] });
  const logsKey = key(KEY_ID.logs, { usedBy: [{ resource: DB_LOG_GROUP_ARN, field: 'kmsKeyId' }, { resource: SEARCH_LOG_GROUP_ARN, field: 'kmsKeyId' }] });
  return {
    tenant: TENANT,
    account: ACCOUNT,
    region: REGION,
    partition: 'aws',
    level: 'hardware',
    collectedAt: '2026-06-01T00:00:00.000Z',
    tag: { key: TAG.Key, value: TAG.Value },
    actions: [],
    identity: ok({ account: ACCOUNT, arn: CALLER_ARN }),
    databases: ok([database()]),
    dbParameterGroups: ok([{ name: `exclusive-desk-${TENANT}-postgres`, forceSsl: '1' }]),
    logGroups: ok([
      { name: DB_LOG_GROUP, arn: DB_LOG_GROUP_ARN, kmsKeyId: keyArn(KEY_ID.logs) },
      { name: SEARCH_LOG_GROUP, arn: SEARCH_LOG_GROUP_ARN, kmsKeyId: keyArn(KEY_ID.logs) },
    ]),
    snapshots: ok([{ arn: SNAPSHOT_ARN, id: 'before-upgrade', instanceId: `exclusive-desk-${TENANT}`, type: 'manual', encrypted: true, kmsKeyId: keyArn(KEY_ID.database), restore: ok([]) }]),
    aliases: ok([{ name: `alias/exclusive-desk/${TENANT}/database`, targetKeyId: KEY_ID.database }]),
    keys: [dbKey, secretsKey, searchKey, logsKey],
    vpcs: ok([vpc(DATA_VPC), vpc(SEARCH_VPC)]),
    peerings: ok([
      {
        id: PEERING,
        status: 'active',
        requester: { vpcId: SEARCH_VPC, ownerId: ACCOUNT, region: REGION, cidr: '10.21.0.0/16' },
        accepter: { vpcId: DATA_VPC, ownerId: ACCOUNT, region: REGION, cidr: '10.20.0.0/16' },
      },
    ]),
    transitGatewayAttachments: ok([]),
    vpnGateways: ok([]),
    securityGroups: ok([
      { id: SG_DB, name: 'db', vpcId: DATA_VPC, ownerId: ACCOUNT, ingress: [{ protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrs: ['10.21.0.0/16'], ipv6Cidrs: [], groups: [{ groupId: SG_APP, userId: ACCOUNT }], prefixLists: [] }] },
      { id: SG_SEARCH, name: 'search', vpcId: SEARCH_VPC, ownerId: ACCOUNT, ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: [], ipv6Cidrs: [], groups: [{ groupId: SG_APP, userId: ACCOUNT }], prefixLists: [] }] },
      { id: SG_APP, name: 'app', vpcId: SEARCH_VPC, ownerId: ACCOUNT, ingress: [] },
    ]),
    prefixLists: ok([]),
    vpcEndpoints: ok([{ id: 'vpce-0a000000000000001', vpcId: SEARCH_VPC, type: 'Interface', serviceName: `com.amazonaws.${REGION}.kms`, state: 'available' }]),
    endpointServices: ok([]),
    flowLogs: ok([
      { id: 'fl-0a000000000000001', resourceId: DATA_VPC, status: 'ACTIVE' },
      { id: 'fl-0a000000000000002', resourceId: SEARCH_VPC, status: 'ACTIVE' },
    ]),
    instances: ok([]),
    resourceShares: ok([]),
    targetGroups: ok([{ arn: TARGET_GROUP, name: 'tenant-web', loadBalancers: [{ arn: LOAD_BALANCER, tags: { [TAG.Key]: TENANT } }] }]),
    searchDomains: ok([searchDomain()]),
    searchConnections: ok([]),
    hsmClusters: err('cloudhsm:DescribeClusters', 'skipped', 'NotCollected'),
    customKeyStores: err('kms:DescribeCustomKeyStores', 'skipped', 'NotCollected'),
    ...over,
  };
}

/** A genuine hsm tenant: data keys in the tenant's CloudHSM cluster. */
export function hsmInventory(over: Partial<TenantInventory> = {}): TenantInventory {
  const base = genuineInventory();
  return genuineInventory({
    level: 'hsm',
    keys: base.keys.map((k) => key(k.metadata.ok ? k.metadata.value.keyId : k.ref, { origin: 'AWS_CLOUDHSM', usedBy: k.usedBy, aliases: k.aliases })),
    hsmClusters: ok([{ id: HSM_CLUSTER, state: 'ACTIVE', vpcId: DATA_VPC, tags: { [TAG.Key]: TENANT } }]),
    customKeyStores: ok([{ id: KEY_STORE, name: `exclusive-desk-${TENANT}`, type: 'AWS_CLOUDHSM', cloudHsmClusterId: HSM_CLUSTER, connectionState: 'CONNECTED' }]),
    ...over,
  });
}

/** An account with nothing in it (every call answered, empty). */
export function emptyInventory(): TenantInventory {
  return genuineInventory({
    databases: ok([]),
    snapshots: ok([]),
    logGroups: ok([]),
    dbParameterGroups: ok([]),
    aliases: ok([]),
    keys: [],
    vpcs: ok([]),
    peerings: ok([]),
    securityGroups: ok([]),
    vpcEndpoints: ok([]),
    flowLogs: ok([]),
    searchDomains: ok([]),
  });
}

export function verdictsOf(inventories: readonly TenantInventory[], require?: IsolationLevel): TenantVerdict[] {
  return evaluateLive(inventories, { require, declared: (t) => inventories.find((i) => i.tenant === t)?.level });
}

/** The first tenant's result for one rule. */
export function liveRule(ruleId: string, ...inventories: TenantInventory[]): RuleResult {
  const r = verdictsOf(inventories)[0]!.results.find((x) => x.rule.id === ruleId);
  if (!r) throw new Error(`no live rule ${ruleId}`);
  return r;
}

/** The messages of a rule result's findings, for matching. */
export const messages = (r: RuleResult): string => r.findings.map((f) => `${f.severity} ${f.kind} ${f.resource} ${f.path} ${f.value ?? ''}: ${f.message}`).join('\n');
