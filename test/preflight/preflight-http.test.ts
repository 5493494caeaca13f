/**
 * Preflight over real HTTP: the real SDK clients (serializers, signers, paginators, error parsing, retries) against
 * a loopback endpoint speaking each service's wire protocol (test/live/http/fake-aws.ts). A ready account passes;
 * a two-page VPC listing is followed; a throttle is retried; IAM's NoSuchEntity is a failing check with its fix;
 * a denial is "could not check".
 */
import { createPreflightClients, destroyPreflightClients, runPreflight } from '../../lib/preflight/checks';
import { tenantRequirements } from '../../lib/preflight/requirements';
import type { CfnTemplate } from '../../lib/assembly/read';
import { AwsError, isolateSdkEnvironment, page, startFakeAws, type FakeAws, type Handler } from '../live/http/fake-aws';
import { fleetTemplates } from '../support/fleet';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const req = tenantRequirements({
  tenant: 'acme-health',
  account: ACCOUNT,
  region: REGION,
  stackName: 'ExclusiveDesk-acme-health',
  template: fleetTemplates().json['acme-health'] as unknown as CfnTemplate,
  bootstrapVersion: 6,
});
const zones = req.zones;
const vpcs = ['vpc-0000000000000000a', 'vpc-0000000000000000b'].map((vpcId) => ({ vpcId, state: 'available' }));
let slrExists = true;

const handlers: Record<string, Handler> = {
  'sts:GetCallerIdentity': () => ({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/me`, UserId: 'AROAEXAMPLE:me' }),
  'cloudformation:DescribeStacks': () => ({
    Stacks: {
      member: [
        {
          StackName: 'CDKToolkit',
          StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/CDKToolkit/1`,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: '2026-01-01T00:00:00Z',
          Outputs: { member: [{ OutputKey: 'BootstrapVersion', OutputValue: '29' }] },
        },
      ],
    },
  }),
  'iam:GetRole': () => {
    if (!slrExists) throw new AwsError('NoSuchEntity', 'The role with name AWSServiceRoleForAmazonOpenSearchService cannot be found.', 404);
    return {
      Role: {
        RoleName: 'AWSServiceRoleForAmazonOpenSearchService',
        Path: '/aws-service-role/opensearchservice.amazonaws.com/',
        Arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/opensearchservice.amazonaws.com/AWSServiceRoleForAmazonOpenSearchService`,
        RoleId: 'AROAEXAMPLE',
        CreateDate: '2026-01-01T00:00:00Z',
      },
    };
  },
  'ec2:DescribeAvailabilityZones': () => ({
    availabilityZoneInfo: { item: zones.map((zoneName) => ({ zoneName, zoneState: 'available', zoneType: 'availability-zone', regionName: REGION })) },
  }),
  'ec2:DescribeInstanceTypeOfferings': (c) => ({
    instanceTypeOfferingSet: { item: zones.map((location) => ({ instanceType: c.params['Filter.1.Value.1'], locationType: 'availability-zone', location })) },
  }),
  'ec2:DescribeVpcs': (c) => {
    const p = page(vpcs, c.params.NextToken, 1);
    return { vpcSet: { item: p.items }, ...(p.next ? { nextToken: p.next } : {}) };
  },
  'rds:DescribeOrderableDBInstanceOptions': (c) => {
    const all = [
      { Engine: 'postgres', EngineVersion: '15.8', DBInstanceClass: c.params.DBInstanceClass, AvailabilityZones: { AvailabilityZone: zones.map((Name) => ({ Name })) } },
      { Engine: 'postgres', EngineVersion: '16.6', DBInstanceClass: c.params.DBInstanceClass, AvailabilityZones: { AvailabilityZone: zones.map((Name) => ({ Name })) } },
    ];
    const p = page(all, c.params.Marker, 1);
    return { OrderableDBInstanceOptions: { OrderableDBInstanceOption: p.items }, ...(p.next ? { Marker: p.next } : {}) };
  },
  'es:ListInstanceTypeDetails': () => ({
    InstanceTypeDetails: [...new Set(req.searchDomains.flatMap((d) => d.instanceTypes))].map((InstanceType) => ({ InstanceType, AvailabilityZones: zones })),
  }),
  'servicequotas:GetServiceQuota': () => ({ Quota: { Value: 5 } }),
};

let aws: FakeAws;
const saved = { ...process.env };

beforeAll(async () => {
  aws = await startFakeAws(handlers);
  isolateSdkEnvironment({ AWS_ENDPOINT_URL: aws.url });
});

afterAll(async () => {
  process.env = { ...saved };
  await aws.close();
});

beforeEach(() => {
  aws.reset();
  slrExists = true;
});

async function preflight() {
  const clients = createPreflightClients({ region: REGION, env: {} });
  try {
    return await runPreflight(req, clients);
  } finally {
    destroyPreflightClients(clients);
  }
}

test('a ready account passes every check through the real SDK clients, following both pages of each listing', async () => {
  const results = await preflight();
  expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
  expect(aws.unknown).toEqual([]);
  expect(aws.calls.filter((c) => c.action === 'ec2:DescribeVpcs')).toHaveLength(2);
  expect(aws.calls.filter((c) => c.action === 'rds:DescribeOrderableDBInstanceOptions').map((c) => c.params.Marker)).toEqual([undefined, 'page-1']);
});

test('a throttled call is retried by the SDK, then passes', async () => {
  aws.throttle('rds:DescribeOrderableDBInstanceOptions', 1);
  const results = await preflight();
  expect(results.find((r) => r.check === 'database-class')?.status).toBe('pass');
  expect(aws.calls.filter((c) => c.action === 'rds:DescribeOrderableDBInstanceOptions').length).toBe(3);
});

test("IAM's NoSuchEntity on the wire is a failing check with the command that fixes it", async () => {
  slrExists = false;
  const r = (await preflight()).find((x) => x.check === 'opensearch-service-linked-role');
  expect(r?.status).toBe('fail');
  expect(r?.fix).toMatch(/create-service-linked-role --aws-service-name opensearchservice\.amazonaws\.com/);
});

test('a denial on the wire is "could not check", which fails the preflight', async () => {
  aws.deny('servicequotas:GetServiceQuota');
  const r = (await preflight()).find((x) => x.check === 'quota-vpcs');
  expect(r).toEqual(expect.objectContaining({ status: 'error', detail: expect.stringMatching(/^could not check: servicequotas:GetServiceQuota was denied \(AccessDeniedException/) }));
});
