/**
 * The live checks of the rule catalogue over hand-built inventories: for every rule with a live check, a compliant,
 * a violating and a could-not-verify case (and not-applicable where the rule can match nothing).
 */
import type { TenantInventory } from '../../lib/isolation/inventory';
import { RULES } from '../../lib/isolation/rules';
import { toJson, toText } from '../../lib/report/formats';
import {
  ACCOUNT,
  CALLER_ARN,
  DATA_VPC,
  DB_ARN,
  DB_LOG_GROUP,
  DB_LOG_GROUP_ARN,
  HSM_CLUSTER,
  KEY_ID,
  OTHER,
  PEERING,
  REGION,
  SEARCH_VPC,
  SG_DB,
  TENANT,
  database,
  emptyInventory,
  err,
  genuineInventory,
  hsmInventory,
  key,
  keyArn,
  liveRule,
  messages,
  ok,
  searchDomain,
  verdictsOf,
  vpc,
  TARGET_GROUP,
  LOAD_BALANCER,
} from './support';

const LIVE_RULES = RULES.filter((r) => r.checkLive || r.checkLiveFleet).map((r) => r.id);

describe('a genuine tenant', () => {
  test('passes at its level with every counting live rule compliant', () => {
    const [v] = verdictsOf([genuineInventory()]);
    expect(v!.findings).toEqual([]);
    expect(v).toMatchObject({ verdict: 'pass', required: 'hardware', achieved: 'hardware' });
    const statuses = Object.fromEntries(v!.results.filter((r) => r.counts && r.rule.checkLive).map((r) => [r.rule.id, r.status]));
    for (const [id, status] of Object.entries(statuses)) expect([id, status]).toEqual([id, 'pass']);
  });

  test('an hsm tenant passes ISO-HSM-1 with key material in its own tagged cluster', () => {
    const [v] = verdictsOf([hsmInventory()]);
    expect(v).toMatchObject({ verdict: 'pass', achieved: 'hsm' });
    expect(liveRule('ISO-HSM-1', hsmInventory()).evidence.map((e) => e.message).join('\n')).toMatch(new RegExp(`CloudHSM cluster ${HSM_CLUSTER}`));
  });

  test('renders with the template verifier formats, evidence in every finding', () => {
    const inv = genuineInventory({ databases: ok([database({ publiclyAccessible: true })]) });
    const result = { tenants: verdictsOf([inv]), errors: [], source: 'live' as const };
    const text = toText(result);
    expect(text).toContain(`FAIL ${TENANT}  account ${ACCOUNT}  required hardware`);
    expect(text).toContain(`ISO-NET-6    ${ACCOUNT}/${REGION}/${DB_ARN} DescribeDBInstances.PubliclyAccessible: DB instance exclusive-desk-${TENANT} is publicly accessible`);
    expect(text).toContain('1 tenant verified (live): 0 pass, 1 fail');
    const json = JSON.parse(toJson(result)) as { source: string; tenants: { findings: { value?: string; resource: string }[] }[] };
    expect(json.source).toBe('live');
    expect(json.tenants[0]!.findings[0]).toMatchObject({ resource: DB_ARN, value: 'true' });
  });
});

test('an empty inventory: rules that matched nothing are not applicable, and the tenant is not compliant', () => {
  const [v] = verdictsOf([emptyInventory()]);
  const status = (id: string) => v!.results.find((r) => r.rule.id === id)!.status;
  expect(v!.verdict).toBe('fail');
  expect(status('ISO-DATA-1')).toBe('fail');
  expect(status('ISO-DATA-2')).toBe('fail');
  for (const id of ['ISO-DATA-6', 'ISO-KMS-1', 'ISO-KMS-2', 'ISO-NET-1', 'ISO-NET-5', 'ISO-NET-6', 'ISO-SRCH-1', 'ISO-HW-1', 'ISO-HYG-1', 'ISO-HYG-4']) {
    expect([id, status(id)]).toEqual([id, 'not-applicable']);
  }
  expect(v!.findings.map((f) => f.message).join('\n')).toMatch(/no RDS DB instance exists in 111111111111\/eu-west-1/);
});

/** [rule, case, inventory change, expected status, expected finding text] */
type Case = readonly [string, string, () => TenantInventory, string, RegExp];

const dbKeyArn = keyArn(KEY_ID.database);
const withKey = (id: string, over: Parameters<typeof key>[1]) => {
  const base = genuineInventory();
  return base.keys.map((k) => (k.refs.includes(id) ? key(id, { usedBy: k.usedBy, aliases: k.aliases, ...over }) : k));
};

const CASES: readonly Case[] = [
  ['ISO-ACCT-1', 'wrong account', () => genuineInventory({ identity: ok({ account: OTHER, arn: `arn:aws:sts::${OTHER}:assumed-role/x/y` }) }), 'fail', /credentials are for account 999999999999.*not the tenant's account 111111111111/],
  ['ISO-ACCT-1', 'no credentials', () => genuineInventory({ identity: err('sts:GetCallerIdentity', 'failed', 'CredentialsProviderError') }), 'unverifiable', /could not verify .*sts:GetCallerIdentity failed \(CredentialsProviderError/],
  ['ISO-ACCT-2', 'a database of another tenant in the account', () => genuineInventory({ databases: ok([database(), database({ arn: 'arn:aws:rds:eu-west-1:111111111111:db:other', id: 'other', tags: { 'exclusive-desk:tenant': 'globex' } })]) }), 'fail', /DB instance other .*belongs to tenant globex/],
  ['ISO-ACCT-2', 'databases denied', () => genuineInventory({ databases: err('rds:DescribeDBInstances') }), 'unverifiable', /rds:DescribeDBInstances was denied \(AccessDeniedException\): the verifier's role needs the permission rds:DescribeDBInstances/],
  ['ISO-DATA-1', 'no database', () => genuineInventory({ databases: ok([]) }), 'fail', /no RDS DB instance exists/],
  ['ISO-DATA-1', 'denied', () => genuineInventory({ databases: err('rds:DescribeDBInstances') }), 'unverifiable', /rds:DescribeDBInstances was denied/],
  ['ISO-DATA-2', 'no domain', () => genuineInventory({ searchDomains: ok([]) }), 'fail', /no OpenSearch domain exists/],
  ['ISO-DATA-2', 'denied', () => genuineInventory({ searchDomains: err('es:ListDomainNames') }), 'unverifiable', /es:ListDomainNames was denied/],
  ['ISO-DATA-3', 'a replica of another account', () => genuineInventory({ databases: ok([database({ readReplicaSource: `arn:aws:rds:eu-west-1:${OTHER}:db:vendor-primary` })]) }), 'fail', /is a read replica of arn:aws:rds:eu-west-1:999999999999:db:vendor-primary in account 999999999999/],
  ['ISO-DATA-3', 'replicates to an unknown instance', () => genuineInventory({ databases: ok([database({ readReplicas: ['somewhere'] })]) }), 'unverifiable', /replicates to somewhere, which is not among the tenant's instances/],
  ['ISO-DATA-6', 'a public snapshot', () => genuineInventory({ snapshots: ok([{ arn: 'arn:aws:rds:eu-west-1:111111111111:snapshot:s1', id: 's1', encrypted: true, kmsKeyId: dbKeyArn, restore: ok(['all']) }]) }), 'fail', /DB snapshot s1 is public: its restore attribute is "all"/],
  ['ISO-DATA-6', 'shared with another account', () => genuineInventory({ snapshots: ok([{ arn: 'arn:aws:rds:eu-west-1:111111111111:snapshot:s1', id: 's1', encrypted: true, kmsKeyId: dbKeyArn, restore: ok([OTHER]) }]) }), 'fail', /shared with account 999999999999, outside the tenant/],
  ['ISO-DATA-6', 'attributes denied', () => genuineInventory({ snapshots: ok([{ arn: 'arn:aws:rds:eu-west-1:111111111111:snapshot:s1', id: 's1', encrypted: true, kmsKeyId: dbKeyArn, restore: err('rds:DescribeDBSnapshotAttributes') }]) }), 'unverifiable', /rds:DescribeDBSnapshotAttributes was denied/],
  ['ISO-KMS-1', 'a key of another account', () => genuineInventory({ databases: ok([database({ kmsKeyId: keyArn(KEY_ID.database, OTHER) })]) }), 'fail', /encrypted with arn:aws:kms:eu-west-1:999999999999:key\/.*a key of account 999999999999/],
  ['ISO-KMS-1', 'an AWS-managed key', () => genuineInventory({ keys: withKey(KEY_ID.search, { keyManager: 'AWS' }) }), 'fail', /search domain acme-health is encrypted with .*an AWS-managed key \(KeyManager AWS\)/],
  ['ISO-KMS-1', 'a key scheduled for deletion', () => genuineInventory({ keys: withKey(KEY_ID.database, { keyState: 'PendingDeletion' }) }), 'fail', /KeyState is PendingDeletion, not Enabled/],
  ['ISO-KMS-1', 'storage not encrypted', () => genuineInventory({ databases: ok([database({ storageEncrypted: false })]) }), 'fail', /is not encrypted with a tenant key: StorageEncrypted is false/],
  ['ISO-KMS-1', 'no master secret key (aws/secretsmanager)', () => genuineInventory({ databases: ok([database({ masterUserSecret: { secretArn: 'arn:s' } })]) }), 'fail', /master user secret arn:s\) names no key/],
  ['ISO-KMS-1', 'DescribeKey denied', () => genuineInventory({ keys: genuineInventory().keys.map((k) => ({ ...k, metadata: err('kms:DescribeKey', 'denied', 'AccessDeniedException', k.ref) })) }), 'unverifiable', /kms:DescribeKey on arn:aws:kms:.* was denied/],
  ['ISO-KMS-2', 'a policy granting another account', () => genuineInventory({ keys: withKey(KEY_ID.database, { policy: ok(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'kms:Decrypt', Resource: '*' }] })) }) }), 'fail', /grants arn:aws:iam::999999999999:root without a condition pinning it to the tenant account/],
  ['ISO-KMS-2', 'a policy granting "*" pinned only to an organization', () => genuineInventory({ keys: withKey(KEY_ID.database, { policy: ok(JSON.stringify({ Statement: { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-vendor' } } } })) }) }), 'fail', /grants every principal \("\*"\) pinned only to an organization/],
  ['ISO-KMS-2', 'a grant to another account', () => genuineInventory({ keys: withKey(KEY_ID.database, { grants: ok([{ grantId: 'g1', grantee: `arn:aws:iam::${OTHER}:role/vendor-dba`, issuingAccount: `arn:aws:iam::${ACCOUNT}:root`, operations: ['Decrypt'] }]) }) }), 'fail', /grant g1 on .* lets arn:aws:iam::999999999999:role\/vendor-dba, outside the tenant account, use the key \(Decrypt\)/],
  ['ISO-KMS-2', 'GetKeyPolicy denied', () => genuineInventory({ keys: withKey(KEY_ID.database, { policy: err('kms:GetKeyPolicy', 'denied', 'AccessDeniedException', dbKeyArn) }) }), 'unverifiable', /kms:GetKeyPolicy on arn:aws:kms:eu-west-1:111111111111:key\/1111.* was denied \(AccessDeniedException\): the verifier's role needs the permission kms:GetKeyPolicy/],
  ['ISO-KMS-2', 'ListGrants throttled past the retries', () => genuineInventory({ keys: withKey(KEY_ID.database, { grants: err('kms:ListGrants', 'failed', 'ThrottlingException', dbKeyArn) }) }), 'unverifiable', /kms:ListGrants on .* failed \(ThrottlingException: Rate exceeded\)/],
  ['ISO-NET-1', 'database in an untagged VPC', () => genuineInventory({ vpcs: ok([vpc(DATA_VPC, { tags: {} }), vpc(SEARCH_VPC)]) }), 'fail', /is in VPC vpc-0a1b2c3d4e5f60001, which is not tagged exclusive-desk:tenant=acme-health/],
  ['ISO-NET-1', 'domain without VPC', () => genuineInventory({ searchDomains: ok([searchDomain({ vpc: undefined, publicEndpoint: 'search-x.eu-west-1.es.amazonaws.com' })]) }), 'fail', /has no VPCOptions: its endpoint is public/],
  ['ISO-NET-1', 'security groups denied', () => genuineInventory({ securityGroups: err('ec2:DescribeSecurityGroups', 'denied', 'UnauthorizedOperation') }), 'unverifiable', /ec2:DescribeSecurityGroups .*was denied \(UnauthorizedOperation\)/],
  ['ISO-NET-2', 'a VPC shared in by the vendor', () => genuineInventory({ vpcs: ok([vpc(DATA_VPC, { ownerId: OTHER }), vpc(SEARCH_VPC)]) }), 'fail', /VPC vpc-0a1b2c3d4e5f60001 is owned by account 999999999999 and shared into the tenant's account/],
  ['ISO-NET-2', 'VPCs failed', () => genuineInventory({ vpcs: err('ec2:DescribeVpcs', 'failed', 'InternalError') }), 'unverifiable', /ec2:DescribeVpcs failed \(InternalError/],
  ['ISO-NET-3', 'subnets shared through RAM', () => genuineInventory({ resourceShares: ok([{ arn: 'arn:aws:ram:eu-west-1:111111111111:resource-share/s1', name: 'vendor-access', status: 'ACTIVE', allowExternalPrincipals: true, resources: ok([{ arn: 'arn:aws:ec2:eu-west-1:111111111111:subnet/subnet-0a000000000000001', type: 'ec2:Subnet' }]) }]) }), 'fail', /RAM share vendor-access \(external principals allowed\) shares 1 resource of the tenant, including subnets .*subnet-0a000000000000001/],
  ['ISO-NET-7', 'the tenant\'s target group behind the vendor\'s shared load balancer', () => genuineInventory({ targetGroups: ok([{ arn: TARGET_GROUP, name: 'tenant-web', loadBalancers: [{ arn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shared-alb/0123456789abcdef', tags: { Name: 'shared-alb' } }] }]) }), 'fail', /target group tenant-web of the tenant is attached to load balancer arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer\/app\/shared-alb\/0123456789abcdef, which does not carry the tenant's tag exclusive-desk:tenant=.*: a load balancer shared with other customers/],
  ['ISO-NET-7', 'a load balancer tagged for another tenant', () => genuineInventory({ targetGroups: ok([{ arn: TARGET_GROUP, name: 'tenant-web', loadBalancers: [{ arn: LOAD_BALANCER, tags: { 'exclusive-desk:tenant': 'other-co' } }] }]) }), 'fail', /tagged for tenant other-co/],
  ['ISO-NET-7', 'DescribeTargetGroups denied', () => genuineInventory({ targetGroups: err('elasticloadbalancing:DescribeTargetGroups') }), 'unverifiable', /elasticloadbalancing:DescribeTargetGroups was denied/],
  ['ISO-NET-3', 'GetResourceShares denied', () => genuineInventory({ resourceShares: err('ram:GetResourceShares') }), 'unverifiable', /ram:GetResourceShares was denied/],
  ['ISO-NET-4', 'a peering accepted from a vendor VPC', () => genuineInventory({ peerings: ok([{ id: 'pcx-0f000000000000009', status: 'active', requester: { vpcId: 'vpc-0f000000000000009', ownerId: OTHER, region: REGION }, accepter: { vpcId: DATA_VPC, ownerId: ACCOUNT, region: REGION } }]) }), 'fail', /peering pcx-0f000000000000009 \(active\) connects vpc-0f000000000000009 \(account 999999999999, eu-west-1\) with vpc-0a1b2c3d4e5f60001 .*is not a VPC of the tenant/],
  ['ISO-NET-4', 'a peering requested to another account', () => genuineInventory({ peerings: ok([{ id: 'pcx-0f000000000000008', status: 'pending-acceptance', requester: { vpcId: SEARCH_VPC, ownerId: ACCOUNT, region: REGION }, accepter: { vpcId: 'vpc-0f000000000000008', ownerId: OTHER, region: 'us-east-1' } }]) }), 'fail', /vpc-0f000000000000008 \(account 999999999999, us-east-1\) is not a VPC of the tenant/],
  ['ISO-NET-4', 'a transit gateway of the vendor', () => genuineInventory({ transitGatewayAttachments: ok([{ id: 'tgw-attach-0f0000000000001', transitGatewayId: 'tgw-0f0000000000001', transitGatewayOwnerId: OTHER, resourceId: DATA_VPC, resourceOwnerId: ACCOUNT, resourceType: 'vpc', state: 'available' }]) }), 'fail', /attaches the tenant's vpc-0a1b2c3d4e5f60001 to transit gateway tgw-0f0000000000001 of account 999999999999/],
  ['ISO-NET-4', 'an endpoint to a foreign PrivateLink service', () => genuineInventory({ vpcEndpoints: ok([{ id: 'vpce-0f0000000000001', vpcId: SEARCH_VPC, type: 'Interface', serviceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0f0000000000001', state: 'available' }]) }), 'fail', /PrivateLink service com\.amazonaws\.vpce\.eu-west-1\.vpce-svc-0f0000000000001/],
  ['ISO-NET-4', 'an endpoint service open to everyone', () => genuineInventory({ endpointServices: ok([{ id: 'vpce-svc-0a0000000000001', name: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0a0000000000001', allowedPrincipals: ok(['*']) }]) }), 'fail', /lets every account \("\*"\) connect to the tenant's network/],
  ['ISO-NET-4', 'a cross-cluster connection to another account', () => genuineInventory({ searchConnections: ok([{ id: 'cc-1', direction: 'outbound', status: 'ACTIVE', local: { domainName: TENANT, ownerId: ACCOUNT, region: REGION }, remote: { domainName: 'vendor-index', ownerId: OTHER, region: REGION } }]) }), 'fail', /outbound cross-cluster connection cc-1 \(ACTIVE\) links search domain acme-health with vendor-index \(account 999999999999/],
  ['ISO-KMS-1', 'a database log group with the service key', () => genuineInventory({ logGroups: ok([{ name: DB_LOG_GROUP, arn: DB_LOG_GROUP_ARN }]) }), 'fail', /log group \/aws\/rds\/instance\/exclusive-desk-acme-health\/postgresql names no key/],
  ['ISO-KMS-1', 'a database log group with a vendor key', () => genuineInventory({ logGroups: ok([{ name: DB_LOG_GROUP, arn: DB_LOG_GROUP_ARN, kmsKeyId: keyArn(KEY_ID.logs, OTHER) }]) }), 'fail', /log group .* is encrypted with arn:aws:kms:eu-west-1:999999999999:key\/44444444-4444-4444-8444-444444444444, a key of account 999999999999/],
  ['ISO-KMS-1', "the search domain's slow-log group with the service key", () => genuineInventory({ logGroups: ok([{ name: DB_LOG_GROUP, arn: DB_LOG_GROUP_ARN, kmsKeyId: keyArn(KEY_ID.logs) }, { name: '/aws/opensearch/acme-health/search-slow', arn: 'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/opensearch/acme-health/search-slow' }]) }), 'fail', /log group \/aws\/opensearch\/acme-health\/search-slow names no key/],
  ['ISO-KMS-1', 'log groups denied', () => genuineInventory({ logGroups: err('logs:DescribeLogGroups', 'denied', 'AccessDeniedException') }), 'unverifiable', /logs:DescribeLogGroups was denied/],
  ['ISO-NET-4', 'a VPN gateway attached to the data VPC', () => genuineInventory({ vpnGateways: ok([{ id: 'vgw-0f0000000000001', state: 'available', type: 'ipsec.1', attachments: [{ vpcId: DATA_VPC, state: 'attached' }] }]) }), 'fail', /virtual private gateway vgw-0f0000000000001 is attached to VPC vpc-0a1b2c3d4e5f60001: a VPN \/ Direct Connect path outside the tenant/],
  ['ISO-NET-4', 'VPN gateways denied', () => genuineInventory({ vpnGateways: err('ec2:DescribeVpnGateways', 'denied', 'UnauthorizedOperation') }), 'unverifiable', /ec2:DescribeVpnGateways was denied/],
  ['ISO-NET-4', "VPCs denied: a peering inside the account is not evidence of a path out", () => genuineInventory({ vpcs: err('ec2:DescribeVpcs', 'denied', 'UnauthorizedOperation'), peerings: ok([{ id: 'pcx-0a000000000000001', status: 'active', requester: { vpcId: SEARCH_VPC, ownerId: ACCOUNT, region: REGION }, accepter: { vpcId: DATA_VPC, ownerId: ACCOUNT, region: REGION } }]) }), 'unverifiable', /could not verify peering pcx-0a000000000000001 \(active\) between .*: the tenant's VPCs are unknown/],
  ['ISO-NET-4', 'VPCs denied: a peering to another account is still a violation', () => genuineInventory({ vpcs: err('ec2:DescribeVpcs', 'denied', 'UnauthorizedOperation'), peerings: ok([{ id: 'pcx-0f000000000000009', status: 'active', requester: { vpcId: 'vpc-0f000000000000009', ownerId: OTHER, region: REGION }, accepter: { vpcId: DATA_VPC, ownerId: ACCOUNT, region: REGION } }]) }), 'fail', /peering pcx-0f000000000000009 \(active\) connects vpc-0f000000000000009 \(account 999999999999/],
  ['ISO-NET-4', 'peerings denied', () => genuineInventory({ peerings: err('ec2:DescribeVpcPeeringConnections', 'denied', 'UnauthorizedOperation') }), 'unverifiable', /ec2:DescribeVpcPeeringConnections was denied/],
  ['ISO-NET-5', 'ingress from the internet', () => genuineInventory({ securityGroups: ok([{ id: SG_DB, vpcId: DATA_VPC, ownerId: ACCOUNT, ingress: [{ protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], groups: [], prefixLists: [] }] }]) }), 'fail', /admits 0\.0\.0\.0\/0 \(the whole internet\) on tcp\/5432/],
  ['ISO-NET-5', "a vendor account's security group", () => genuineInventory({ securityGroups: ok([{ id: SG_DB, vpcId: DATA_VPC, ownerId: ACCOUNT, ingress: [{ protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrs: [], ipv6Cidrs: [], groups: [{ groupId: 'sg-0f0000000000001', userId: OTHER }], prefixLists: [] }] }]) }), 'fail', /admits security group sg-0f0000000000001 \(account 999999999999\) of another account/],
  ['ISO-NET-5', 'security groups denied', () => genuineInventory({ securityGroups: err('ec2:DescribeSecurityGroups', 'denied', 'UnauthorizedOperation') }), 'unverifiable', /ec2:DescribeSecurityGroups .*was denied/],
  ['ISO-NET-6', 'a public database', () => genuineInventory({ databases: ok([database({ publiclyAccessible: true })]) }), 'fail', /is publicly accessible/],
  ['ISO-NET-6', 'domains denied', () => genuineInventory({ searchDomains: err('es:DescribeDomains') }), 'unverifiable', /es:DescribeDomains was denied/],
  ['ISO-SRCH-1', 'an open access policy without FGAC', () => genuineInventory({ searchDomains: ok([searchDomain({ fineGrainedAccessControl: false, accessPolicies: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'es:*' }] }) })]) }), 'fail', /admits every principal \("\*"\)/],
  ['ISO-SRCH-1', "the vendor's role", () => genuineInventory({ searchDomains: ok([searchDomain({ accessPolicies: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:role/indexer` }, Action: 'es:*' }] }) })]) }), 'fail', /admits arn:aws:iam::999999999999:role\/indexer/],
  ['ISO-SRCH-1', 'an unreadable policy', () => genuineInventory({ searchDomains: ok([searchDomain({ accessPolicies: '{not json' })]) }), 'unverifiable', /could not verify the access policy of acme-health: a policy document that is not JSON/],
  ['ISO-HW-1', 'the VPC downgraded to default tenancy (ModifyVpcTenancy)', () => genuineInventory({ vpcs: ok([vpc(DATA_VPC, { tenancy: 'default' }), vpc(SEARCH_VPC)]) }), 'fail', /InstanceTenancy is default now: shared hardware \(was the VPC modified with ModifyVpcTenancy\?\)/],
  ['ISO-HW-1', 'a burstable class', () => genuineInventory({ databases: ok([database({ instanceClass: 'db.t3.medium' })]) }), 'fail', /uses db\.t3\.medium, a class AWS does not offer on dedicated tenancy/],
  ['ISO-HW-1', 'an EC2 instance on shared hardware', () => genuineInventory({ instances: ok([{ id: 'i-0f0000000000001', vpcId: DATA_VPC, tenancy: 'default', type: 'm6i.large', state: 'running' }]) }), 'fail', /EC2 instance i-0f0000000000001 \(m6i\.large\) in VPC vpc-0a1b2c3d4e5f60001 runs on default \(shared-hardware\) tenancy/],
  ['ISO-HW-1', 'instances denied', () => genuineInventory({ instances: err('ec2:DescribeInstances', 'denied', 'UnauthorizedOperation') }), 'unverifiable', /ec2:DescribeInstances was denied/],
  ['ISO-HYG-1', 'deletion protection removed', () => genuineInventory({ databases: ok([database({ deletionProtection: false })]) }), 'warning', /no deletion protection/],
  ['ISO-HYG-1', 'TLS not required', () => genuineInventory({ dbParameterGroups: ok([{ name: `exclusive-desk-${TENANT}-postgres`, forceSsl: '0' }]) }), 'warning', /DB instance exclusive-desk-acme-health: does not require TLS \(exclusive-desk-acme-health-postgres: rds.force_ssl=0\)/],
  ['ISO-HYG-1', 'parameters denied (an error although the rule warns: fail closed)', () => genuineInventory({ dbParameterGroups: err('rds:DescribeDBParameters') }), 'unverifiable', /rds:DescribeDBParameters was denied/],
  ['ISO-HYG-1', 'instances denied (an error although the rule warns)', () => genuineInventory({ databases: err('rds:DescribeDBInstances') }), 'unverifiable', /rds:DescribeDBInstances was denied/],
  ['ISO-HYG-1', 'the parameters of a MySQL instance denied (the check does not read them; the engine still fails closed)', () => genuineInventory({ databases: ok([database({ engine: 'mysql' })]), dbParameterGroups: err('rds:DescribeDBParameters') }), 'unverifiable', /error unverifiable .* rds:DescribeDBParameters AccessDeniedException: could not verify rds:DescribeDBParameters: rds:DescribeDBParameters was denied/],
  ['ISO-HYG-2', 'TLS 1.0 allowed', () => genuineInventory({ searchDomains: ok([searchDomain({ tlsPolicy: 'Policy-Min-TLS-1-0-2019-07' })]) }), 'warning', /TLS policy allows TLS 1\.0/],
  ['ISO-HYG-2', 'node-to-node off', () => genuineInventory({ searchDomains: ok([searchDomain({ nodeToNodeEncryption: false })]) }), 'warning', /node-to-node encryption off/],
  ['ISO-HYG-3', 'rotation off', () => genuineInventory({ keys: withKey(KEY_ID.database, { rotation: ok(false) }) }), 'warning', /does not rotate its key material/],
  ['ISO-HYG-3', 'rotation denied', () => genuineInventory({ keys: withKey(KEY_ID.database, { rotation: err('kms:GetKeyRotationStatus') }) }), 'unverifiable', /kms:GetKeyRotationStatus was denied/],
  ['ISO-HYG-4', 'no flow log', () => genuineInventory({ flowLogs: ok([]) }), 'warning', /has no active flow log/],
  ['ISO-HYG-4', 'flow logs denied', () => genuineInventory({ flowLogs: err('ec2:DescribeFlowLogs', 'denied', 'UnauthorizedOperation') }), 'unverifiable', /ec2:DescribeFlowLogs was denied/],
];

describe.each(CASES)('%s: %s', (rule, _name, build, status, text) => {
  test(`is ${status}`, () => {
    const r = liveRule(rule, build());
    expect(r.status).toBe(status);
    expect(messages(r)).toMatch(text);
  });
  test('and passes on the genuine tenant', () => {
    expect(liveRule(rule, genuineInventory()).status).toBe('pass');
  });
});

describe('ISO-HSM-1 (live)', () => {
  test('lets a database log group use a tenant key outside the HSM (logs hold no ticket data), as the template check does', () => {
    const base = hsmInventory();
    const inv = hsmInventory({ keys: base.keys.map((k) => (k.usedBy.some((u) => u.resource === DB_LOG_GROUP_ARN) ? genuineInventory().keys.find((g) => g.ref === k.ref)! : k)) });
    const r = liveRule('ISO-HSM-1', inv);
    expect(r.status).toBe('pass');
    expect(r.evidence.map((e) => e.message).join('\n')).toMatch(/log group \/aws\/rds\/instance\/exclusive-desk-acme-health\/postgresql holds no ticket data/);
    expect(liveRule('ISO-KMS-1', inv).status).toBe('pass');
  });
  test('fails a data key with AWS KMS material', () => {
    const r = liveRule('ISO-HSM-1', hsmInventory({ keys: genuineInventory().keys }));
    expect(r.status).toBe('fail');
    expect(messages(r)).toMatch(/key material is AWS_KMS \(in AWS-managed HSMs shared by every KMS customer\)/);
  });
  test("fails a key store on a cluster that is not the tenant's", () => {
    const r = liveRule('ISO-HSM-1', hsmInventory({ hsmClusters: ok([{ id: HSM_CLUSTER, state: 'ACTIVE', tags: { 'exclusive-desk:tenant': 'vendor-shared' } }]) }));
    expect(r.status).toBe('fail');
    expect(messages(r)).toMatch(/backed by CloudHSM cluster cluster-abcdefghijk, which is not tagged exclusive-desk:tenant=acme-health/);
  });
  test('cannot verify without the key stores', () => {
    const r = liveRule('ISO-HSM-1', hsmInventory({ customKeyStores: err('kms:DescribeCustomKeyStores') }));
    expect(r.status).toBe('unverifiable');
    expect(messages(r)).toMatch(/kms:DescribeCustomKeyStores was denied/);
  });
  test('is above a hardware tenant: it does not count, and the tenant still passes', () => {
    const [v] = verdictsOf([genuineInventory()]);
    const r = v!.results.find((x) => x.rule.id === 'ISO-HSM-1')!;
    expect(r).toMatchObject({ status: 'fail', counts: false });
    expect(v!.verdict).toBe('pass');
  });
});

describe('fleet rules (live)', () => {
  const second = (over: Partial<TenantInventory> = {}) =>
    genuineInventory({ tenant: 'globex', account: '222222222222', identity: ok({ account: '222222222222', arn: 'arn:aws:sts::222222222222:assumed-role/a/b' }), ...over });

  test('ISO-ACCT-2: two tenants read in one account fail; distinct accounts pass; one tenant alone is not applicable', () => {
    const shared = second({ identity: ok({ account: ACCOUNT, arn: CALLER_ARN }) });
    expect(messages(liveRule('ISO-ACCT-2', genuineInventory(), shared))).toMatch(/account 111111111111 is shared with tenant globex \(live\)/);
    expect(liveRule('ISO-ACCT-2', genuineInventory(), second()).status).toBe('pass');
  });

  test('ISO-KMS-3: one key used by two tenants fails both; own keys pass; one tenant alone is not applicable', () => {
    const vendorKey = keyArn(KEY_ID.database, OTHER);
    const a = genuineInventory({ keys: [key(KEY_ID.database, { account: OTHER, usedBy: [{ resource: DB_ARN, field: 'KmsKeyId' }] })] });
    const b = second({ keys: [key(KEY_ID.database, { account: OTHER, usedBy: [{ resource: 'arn:aws:rds:eu-west-1:222222222222:db:x', field: 'KmsKeyId' }] })] });
    expect(liveRule('ISO-KMS-3', a, b).status).toBe('fail');
    expect(messages(liveRule('ISO-KMS-3', a, b))).toContain(`key ${vendorKey} is also used by tenant globex`);
    expect(liveRule('ISO-KMS-3', genuineInventory(), second({ keys: [key('55555555-5555-4555-8555-555555555555', { account: '222222222222', usedBy: [{ resource: 'x', field: 'KmsKeyId' }] })] })).status).toBe('pass');
    expect(liveRule('ISO-KMS-3', genuineInventory()).status).toBe('not-applicable');
  });

  test('ISO-FLEET-1: a vendor VPC shared into two tenant accounts fails; distinct ids pass', () => {
    const vendorVpc = { id: 'vpc-0f0000000000000aa', ownerId: OTHER, tenancy: 'default', cidrs: ['10.99.0.0/16'], isDefault: false, tags: {} };
    const a = genuineInventory({ vpcs: ok([vendorVpc]) });
    const b = second({ vpcs: ok([vendorVpc]), databases: ok([]), searchDomains: ok([]), securityGroups: ok([]) });
    expect(messages(liveRule('ISO-FLEET-1', a, b))).toMatch(/vpc-0f0000000000000aa \(VPC\) also belongs to tenant globex \(live\)/);
    const distinct = second({ vpcs: ok([]), databases: ok([]), searchDomains: ok([]), securityGroups: ok([]) });
    expect(liveRule('ISO-FLEET-1', genuineInventory(), distinct).status).toBe('pass');
    expect(liveRule('ISO-FLEET-1', genuineInventory()).status).toBe('not-applicable');
  });
});

test('every rule with a live check is covered by a violating case here', () => {
  const covered = new Set([...CASES.map((c) => c[0]), 'ISO-HSM-1', 'ISO-ACCT-2', 'ISO-KMS-3', 'ISO-FLEET-1']);
  expect(LIVE_RULES.filter((id) => !covered.has(id))).toEqual([]);
});

test('a peering between the tenant\'s own VPCs stays inside (evidence names both)', () => {
  const r = liveRule('ISO-NET-4', genuineInventory());
  expect(r.evidence.map((e) => e.message)).toContain(`peering ${PEERING} connects two of the tenant's own VPCs, ${SEARCH_VPC} and ${DATA_VPC}`);
});

describe('a denied call fails the tenant whatever the severity of the rule that reads it', () => {
  test.each([
    ['rds:DescribeDBParameters', { dbParameterGroups: err('rds:DescribeDBParameters') }, 'ISO-HYG-1'],
    ['ec2:DescribeFlowLogs', { flowLogs: err('ec2:DescribeFlowLogs', 'denied', 'UnauthorizedOperation') }, 'ISO-HYG-4'],
  ] as const)('%s denied: an error finding of a warning rule, verdict fail', (action, part, rule) => {
    const [v] = verdictsOf([genuineInventory(part)]);
    expect(v!.verdict).toBe('fail');
    expect(v!.findings.filter((f) => f.path === action).map((f) => [f.rule, f.severity, f.kind])).toEqual([[rule, 'error', 'unverifiable']]);
  });
});
