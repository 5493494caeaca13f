/**
 * Preflight: requirements read from the real synthesized fleet, each check against aws-sdk-client-mock (pass,
 * fail with its fix, could-not-check when denied, pagination), and the command end to end on a cloud assembly.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { ListInstanceTypeDetailsCommand, OpenSearchClient } from '@aws-sdk/client-opensearch';
import { DescribeOrderableDBInstanceOptionsCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  NoSuchResourceException,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryIO } from '../../lib/cli/io';
import { makePreflightCommand } from '../../lib/cli/preflight';
import { PREFLIGHT_ACTIONS, runPreflight, type CheckResult, type PreflightClients } from '../../lib/preflight/checks';
import { tenantRequirements, type TenantRequirements } from '../../lib/preflight/requirements';
import type { CfnTemplate } from '../../lib/assembly/read';
import { ROOT, TENANTS_DIR, fleetTemplates } from '../support/fleet';

const fleet = fleetTemplates();
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const STACK = 'ExclusiveDesk-acme-health';

function acme(): TenantRequirements {
  return tenantRequirements({
    tenant: 'acme-health',
    account: ACCOUNT,
    region: REGION,
    stackName: STACK,
    template: fleet.json['acme-health'] as unknown as CfnTemplate,
    bootstrapVersion: 6,
  });
}

const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const iam = mockClient(IAMClient);
const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const os_ = mockClient(OpenSearchClient);
const quotas = mockClient(ServiceQuotasClient);

function clients(): PreflightClients {
  return {
    sts: new STSClient({ region: REGION }),
    cloudformation: new CloudFormationClient({ region: REGION }),
    iam: new IAMClient({ region: REGION }),
    ec2: new EC2Client({ region: REGION }),
    rds: new RDSClient({ region: REGION }),
    opensearch: new OpenSearchClient({ region: REGION }),
    quotas: new ServiceQuotasClient({ region: REGION }),
  };
}

const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const denied = () => Object.assign(new Error('User is not authorized to perform this action'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });

/** An account that can take acme-health: bootstrapped at v6, the role exists, everything on offer, room in quotas. */
function readyAccount(): void {
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/me` });
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0), Outputs: [{ OutputKey: 'BootstrapVersion', OutputValue: '29' }] }],
  });
  iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'AWSServiceRoleForAmazonOpenSearchService', Path: '/aws-service-role/', Arn: 'arn', RoleId: 'id', CreateDate: new Date(0) } });
  ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES.map((ZoneName) => ({ ZoneName, State: 'available', ZoneType: 'availability-zone' })) });
  ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: ZONES.map((Location) => ({ InstanceType: 'r6g.large', LocationType: 'availability-zone', Location })) });
  ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
  ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
  rds.on(DescribeOrderableDBInstanceOptionsCommand).resolves({
    OrderableDBInstanceOptions: [{ Engine: 'postgres', EngineVersion: '16.4', DBInstanceClass: 'db.r6g.large', AvailabilityZones: ZONES.map((Name) => ({ Name })) }],
  });
  os_.on(ListInstanceTypeDetailsCommand).resolves({
    InstanceTypeDetails: [{ InstanceType: 'r6g.large.search', AvailabilityZones: ZONES }, { InstanceType: 'm6g.large.search', AvailabilityZones: ZONES }],
  });
  quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 5 } });
}

beforeEach(() => {
  for (const m of [sts, cfn, iam, ec2, rds, os_, quotas]) m.reset();
  readyAccount();
});

const byCheck = (results: readonly CheckResult[], check: string) => results.filter((r) => r.check === check);
const only = (results: readonly CheckResult[], check: string): CheckResult => {
  const found = byCheck(results, check);
  if (found.length !== 1) throw new Error(`expected one ${check} result, got ${JSON.stringify(results)}`);
  return found[0] as CheckResult;
};

describe('tenant requirements from the synthesized stack', () => {
  test('acme-health: its zones, two VPCs, a dedicated postgres 16 database, a search domain in a VPC', () => {
    const req = acme();
    expect(req.zones).toEqual(ZONES);
    expect(req.vpcs).toBe(2);
    expect(req.elasticIps).toBe(0);
    expect(req.unreadable).toEqual([]);
    expect(req.databases).toEqual([
      expect.objectContaining({ engine: 'postgres', engineVersion: '16', instanceClass: 'db.r6g.large', dedicated: true, zones: ZONES }),
    ]);
    // Data nodes and the three dedicated masters every domain has (docs/sizing.md).
    expect(req.searchDomains).toEqual([expect.objectContaining({ engineVersion: 'OpenSearch_2.19', instanceTypes: ['r6g.large.search', 'm6g.large.search'], inVpc: true, zones: ZONES })]);
    expect(Object.values(req.interfaceEndpointsPerVpc).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  test('northwind-bank (isolation account): the database is not in a dedicated-tenancy VPC', () => {
    const req = tenantRequirements({ tenant: 'northwind-bank', account: '222222222222', region: 'us-east-1', stackName: 'x', template: fleet.json['northwind-bank'] as unknown as CfnTemplate });
    expect(req.databases.map((d) => d.dedicated)).toEqual([false]);
    expect(req.vpcs).toBe(1);
  });

  test('a zone that is not a literal cannot be checked, and says so', () => {
    const template: CfnTemplate = { Resources: { S: { Type: 'AWS::EC2::Subnet', Properties: { AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] } } } } };
    const req = tenantRequirements({ tenant: 't', account: ACCOUNT, region: REGION, stackName: 's', template });
    expect(req.unreadable).toEqual(['S.Properties.AvailabilityZone (not a literal zone name)']);
  });
});

describe('runPreflight', () => {
  test('a ready account passes every check', async () => {
    const results = await runPreflight(acme(), clients());
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.map((r) => r.check)).toEqual([
      'account',
      'bootstrap',
      'opensearch-service-linked-role',
      'availability-zones',
      'database-class',
      'database-dedicated-tenancy',
      'search-instance-type', // data nodes
      'search-instance-type', // dedicated masters
      'quota-vpcs',
      'quota-interface-endpoints',
    ]);
  });

  test('credentials of another account: the account fails and nothing else is asked of that account', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:sts::999999999999:assumed-role/x/y' });
    const results = await runPreflight(acme(), clients());
    expect(only(results, 'account')).toEqual(
      expect.objectContaining({ status: 'fail', detail: expect.stringContaining('the credentials are for account 999999999999') }),
    );
    expect(results.filter((r) => r.check !== 'account').every((r) => r.status === 'skipped')).toBe(true);
    expect(cfn.calls()).toHaveLength(0);
    expect(rds.calls()).toHaveLength(0);
  });

  test('no bootstrap stack: fails with the bootstrap command for the account and region', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id CDKToolkit does not exist'), { name: 'ValidationError' }));
    const r = only(await runPreflight(acme(), clients()), 'bootstrap');
    expect(r).toEqual({
      check: 'bootstrap',
      status: 'fail',
      detail: 'the account has no CDK bootstrap stack CDKToolkit in eu-west-1',
      fix: 'npx cdk bootstrap aws://111111111111/eu-west-1 (see docs/deploy.md)',
    });
  });

  test('a bootstrap older than the assembly requires fails', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0), Outputs: [{ OutputKey: 'BootstrapVersion', OutputValue: '5' }] }] });
    expect(only(await runPreflight(acme(), clients()), 'bootstrap')).toEqual(
      expect.objectContaining({ status: 'fail', detail: 'the bootstrap stack CDKToolkit is at version 5; the assembly requires 6' }),
    );
  });

  test('a renamed bootstrap stack is looked up by its name', async () => {
    await runPreflight(acme(), clients(), { toolkitStackName: 'Bootstrap-Desk' });
    expect(cfn.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({ StackName: 'Bootstrap-Desk' });
  });

  test('no OpenSearch service-linked role: fails with the command that creates it', async () => {
    iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'The role with name AWSServiceRoleForAmazonOpenSearchService cannot be found.', $metadata: {} }));
    expect(only(await runPreflight(acme(), clients()), 'opensearch-service-linked-role')).toEqual(
      expect.objectContaining({ status: 'fail', fix: 'aws iam create-service-linked-role --aws-service-name opensearchservice.amazonaws.com (once per account)' }),
    );
  });

  test('a zone the account does not have fails, listing the zones it has (ca-central-1 has no c zone)', async () => {
    ec2.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: ['eu-west-1a', 'eu-west-1b'].map((ZoneName) => ({ ZoneName, State: 'available', ZoneType: 'availability-zone' })),
    });
    expect(only(await runPreflight(acme(), clients()), 'availability-zones')).toEqual({
      check: 'availability-zones',
      status: 'fail',
      detail: 'eu-west-1c is not an available zone of this account in eu-west-1 (available: eu-west-1a, eu-west-1b)',
      fix: 'set network.availabilityZones in tenants/acme-health.yaml to zones from the available list',
    });
  });

  test('a DB class orderable only for another major version fails', async () => {
    rds.on(DescribeOrderableDBInstanceOptionsCommand).resolves({
      OrderableDBInstanceOptions: [{ EngineVersion: '15.8', DBInstanceClass: 'db.r6g.large', AvailabilityZones: ZONES.map((Name) => ({ Name })) }],
    });
    expect(only(await runPreflight(acme(), clients()), 'database-class')).toEqual(
      expect.objectContaining({ status: 'fail', detail: expect.stringMatching(/db\.r6g\.large for postgres 16 is not orderable in eu-west-1$/) }),
    );
  });

  test('orderable options are read across every page', async () => {
    rds
      .on(DescribeOrderableDBInstanceOptionsCommand)
      .resolvesOnce({ OrderableDBInstanceOptions: [{ EngineVersion: '15.8', AvailabilityZones: ZONES.map((Name) => ({ Name })) }], Marker: 'page-2' })
      .resolvesOnce({ OrderableDBInstanceOptions: [{ EngineVersion: '16.6', AvailabilityZones: ZONES.map((Name) => ({ Name })) }] });
    const results = await runPreflight(acme(), clients());
    expect(only(results, 'database-class').status).toBe('pass');
    const calls = rds.commandCalls(DescribeOrderableDBInstanceOptionsCommand);
    // The SDK's paginator reuses one input object (the mock records it by reference), so only the last is checked.
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Marker).toBe('page-2');
    expect(calls[0]?.args[0].input).toEqual(expect.objectContaining({ Engine: 'postgres', DBInstanceClass: 'db.r6g.large', Vpc: true }));
  });

  test('a DB class missing from one zone of the subnet group fails naming the zone', async () => {
    rds.on(DescribeOrderableDBInstanceOptionsCommand).resolves({
      OrderableDBInstanceOptions: [{ EngineVersion: '16.4', AvailabilityZones: [{ Name: 'eu-west-1a' }, { Name: 'eu-west-1b' }] }],
    });
    expect(only(await runPreflight(acme(), clients()), 'database-class').detail).toMatch(/is not orderable in eu-west-1c$/);
  });

  test('dedicated tenancy: the EC2 type behind the class must be offered in every zone', async () => {
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: [{ InstanceType: 'r6g.large', Location: 'eu-west-1a' }] });
    const r = only(await runPreflight(acme(), clients()), 'database-dedicated-tenancy');
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('r6g.large behind db.r6g.large is not offered in eu-west-1b, eu-west-1c');
    expect(ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)[0]?.args[0].input).toEqual(
      expect.objectContaining({ LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: ['r6g.large'] }] }),
    );
  });

  test('a search instance type not offered for the engine version fails', async () => {
    os_.on(ListInstanceTypeDetailsCommand).resolves({ InstanceTypeDetails: [{ InstanceType: 'm6g.large.search' }] });
    const results = byCheck(await runPreflight(acme(), clients()), 'search-instance-type');
    expect(results).toEqual([
      expect.objectContaining({ status: 'fail', detail: expect.stringContaining('r6g.large.search is not offered for OpenSearch_2.19 in eu-west-1') }),
      expect.objectContaining({ status: 'pass', detail: expect.stringContaining('m6g.large.search is offered') }),
    ]);
  });

  test('VPC quota: VPCs of other stacks plus this stack\'s two must fit; its own existing VPCs are not counted twice', async () => {
    ec2.on(DescribeVpcsCommand).resolves({
      Vpcs: [
        { VpcId: 'vpc-a' },
        { VpcId: 'vpc-b' },
        { VpcId: 'vpc-c' },
        { VpcId: 'vpc-d' },
        { VpcId: 'vpc-mine', Tags: [{ Key: 'aws:cloudformation:stack-name', Value: STACK }] },
      ],
    });
    const r = only(await runPreflight(acme(), clients()), 'quota-vpcs');
    expect(r.status).toBe('fail');
    expect(r.detail).toBe('VPCs: 4 in use + 2 for this stack = 6, over the quota of 5 (vpc/L-F678F1CE)');
    expect(r.fix).toContain('--service-code vpc --quota-code L-F678F1CE --desired-value 6 --region eu-west-1');
  });

  test('a quota never raised has no applied value: the AWS default is used', async () => {
    quotas.on(GetServiceQuotaCommand).rejects(new NoSuchResourceException({ message: 'not applied', $metadata: {} }));
    quotas.on(GetAWSDefaultServiceQuotaCommand).resolves({ Quota: { Value: 50 } });
    const results = await runPreflight(acme(), clients());
    expect(only(results, 'quota-vpcs').status).toBe('pass');
    expect(quotas.commandCalls(GetAWSDefaultServiceQuotaCommand).map((c) => c.args[0].input)).toEqual(
      expect.arrayContaining([{ ServiceCode: 'vpc', QuotaCode: 'L-F678F1CE' }, { ServiceCode: 'vpc', QuotaCode: 'L-29B6F2EB' }]),
    );
  });

  test.each([
    ['database-class', 'rds:DescribeOrderableDBInstanceOptions', () => rds.on(DescribeOrderableDBInstanceOptionsCommand).rejects(denied())],
    ['bootstrap', 'cloudformation:DescribeStacks', () => cfn.on(DescribeStacksCommand).rejects(denied())],
    ['opensearch-service-linked-role', 'iam:GetRole', () => iam.on(GetRoleCommand).rejects(denied())],
    ['availability-zones', 'ec2:DescribeAvailabilityZones', () => ec2.on(DescribeAvailabilityZonesCommand).rejects(denied())],
    ['search-instance-type', 'es:ListInstanceTypeDetails', () => os_.on(ListInstanceTypeDetailsCommand).rejects(denied())],
    ['quota-vpcs', 'ec2:DescribeVpcs', () => ec2.on(DescribeVpcsCommand).rejects(denied())],
    ['quota-vpcs', 'servicequotas:GetServiceQuota', () => quotas.on(GetServiceQuotaCommand).rejects(denied())],
    ['database-dedicated-tenancy', 'ec2:DescribeInstanceTypeOfferings', () => ec2.on(DescribeInstanceTypeOfferingsCommand).rejects(denied())],
  ])('%s: %s denied is "could not check", which fails the preflight (never a pass)', async (check, action, deny) => {
    deny();
    const results = await runPreflight(acme(), clients());
    const r = byCheck(results, check).find((x) => x.status === 'error');
    expect(r).toEqual(expect.objectContaining({ status: 'error', detail: expect.stringContaining(`could not check: ${action} was denied`), fix: `grant the preflight role ${action} (docs/preflight.md lists the read-only actions preflight needs)` }));
    expect(PREFLIGHT_ACTIONS).toContain(action);
  });

  test('docs/preflight.md lists every action preflight calls', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'preflight.md'), 'utf8');
    for (const action of PREFLIGHT_ACTIONS) expect(doc).toContain(`\`${action}\``);
  });
});

describe('exclusive-desk preflight', () => {
  /** A cloud assembly holding acme-health's synthesized template, as `cdk synth -c tenant=acme-health` writes it. */
  function assembly(environment = `aws://${ACCOUNT}/${REGION}`): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-assembly-'));
    fs.writeFileSync(path.join(dir, `${STACK}.template.json`), JSON.stringify(fleet.json['acme-health']));
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({
        version: '48.0.0',
        artifacts: {
          [STACK]: { type: 'aws:cloudformation:stack', environment, properties: { templateFile: `${STACK}.template.json`, requiresBootstrapStackVersion: 6 } },
        },
      }),
    );
    return dir;
  }
  const command = makePreflightCommand({ clientFactory: () => clients() });

  test('a ready account: exit 0 and every check listed as PASS', async () => {
    const io = memoryIO(ROOT);
    await expect(command([assembly(), '--tenant', 'acme-health', '--tenants-dir', TENANTS_DIR], io)).resolves.toBe(0);
    expect(io.out).toMatch(/^preflight acme-health \(ExclusiveDesk-acme-health, account 111111111111, eu-west-1\): ready to deploy$/m);
    expect(io.out).toMatch(/10 checks: 10 passed, 0 failed, 0 could not be checked/);
  });

  test('a failing check: exit 1, with the fix printed under it; json has the same results', async () => {
    iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'no role', $metadata: {} }));
    const io = memoryIO(ROOT);
    await expect(command([assembly(), '--tenant', 'acme-health', '--tenants-dir', TENANTS_DIR, '--format', 'json'], io)).resolves.toBe(1);
    const json = JSON.parse(io.out) as { tenants: { passed: boolean; checks: CheckResult[] }[] };
    expect(json.tenants[0]?.passed).toBe(false);
    expect(json.tenants[0]?.checks.filter((c) => c.status === 'fail').map((c) => c.check)).toEqual(['opensearch-service-linked-role']);
  });

  test.each([
    [['--tenants-dir', TENANTS_DIR], /--tenant <id> is required/],
    [['--tenant', 'acme', '--tenants-dir', TENANTS_DIR], /unknown tenant "acme" \(--tenant\); known tenants: acme-health, contoso-markets, fedline-gov, northwind-bank/],
    [['--tenant', 'northwind-bank', '--tenants-dir', TENANTS_DIR], /no stack ExclusiveDesk-northwind-bank in this cloud assembly; synthesize it first \(npx cdk synth -c tenant=northwind-bank\)/],
  ])('bad input %j: exit 2 with the reason, no stack trace', async (args, message) => {
    const io = memoryIO(ROOT);
    const { main } = await import('../../lib/cli/main');
    await expect(main(['preflight', assembly(), ...args], io)).resolves.toBe(2);
    expect(io.err).toMatch(message);
    expect(io.err).not.toMatch(/\n\s+at /);
  });

  test('no cloud assembly: exit 2 saying to synthesize first', async () => {
    const io = memoryIO(ROOT);
    const { main } = await import('../../lib/cli/main');
    await expect(main(['preflight', path.join(os.tmpdir(), 'no-such-cdk-out'), '--tenant', 'acme-health', '--tenants-dir', TENANTS_DIR], io)).resolves.toBe(2);
    expect(io.err).toMatch(/no cloud assembly here; synthesize first/);
  });

  test('an assembly synthesized for another account is refused', async () => {
    const io = memoryIO(ROOT);
    const { main } = await import('../../lib/cli/main');
    await expect(main(['preflight', assembly('aws://999999999999/eu-west-1'), '--tenant', 'acme-health', '--tenants-dir', TENANTS_DIR], io)).resolves.toBe(2);
    expect(io.err).toMatch(/targets aws:\/\/999999999999\/eu-west-1 but tenants\/acme-health\.yaml names aws:\/\/111111111111\/eu-west-1/);
  });
});
