/**
 * `exclusive-desk verify --live` end to end over mocked AWS APIs: manifests give account, region and level; the
 * output formats and exit codes are the template verifier's.
 */
import 'aws-sdk-client-mock-jest';
import * as path from 'node:path';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { main } from '../../lib/cli/main';
import { memoryIO } from '../../lib/cli/io';
import { liveTargets, runLiveVerification } from '../../lib/live/run';
import { MOCKS, mockAccount, serviceError } from './account';
import { ACCOUNT, DB_ARN, REGION, TENANT } from './support';

const ROOT = path.resolve(__dirname, '..', '..');
const TENANTS = path.join(ROOT, 'tenants');

beforeEach(() => {
  mockAccount();
});

const verify = async (...args: string[]) => {
  const io = memoryIO(ROOT, {});
  const code = await main(['verify', '--live', ...args], io);
  return { code, out: io.out, err: io.err };
};

test('a genuine tenant passes: exit 0, the same text format as templates, source live', async () => {
  const { code, out } = await verify('--tenant', TENANT);
  expect(out).toMatch(new RegExp(`^PASS ${TENANT}  account ${ACCOUNT}  required hardware  achieved hardware  \\(0 errors, 0 warnings\\)\\n1 tenant verified \\(live\\): 1 pass, 0 fail\\n$`));
  expect(code).toBe(0);
});

test('a violation exits 1 with the evidence (ARN, field, value) in the finding', async () => {
  MOCKS.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceArn: DB_ARN, DBInstanceIdentifier: 'db', PubliclyAccessible: true, StorageEncrypted: false }] });
  const { code, out } = await verify('--tenant', TENANT, '--format', 'json');
  expect(code).toBe(1);
  const json = JSON.parse(out) as { source: string; tenants: { verdict: string; findings: { rule: string; resource: string; path: string; value?: string }[] }[] };
  expect(json.source).toBe('live');
  expect(json.tenants[0]!.verdict).toBe('fail');
  expect(json.tenants[0]!.findings).toContainEqual(expect.objectContaining({ rule: 'ISO-NET-6', resource: DB_ARN, path: 'DescribeDBInstances.PubliclyAccessible', value: 'true' }));
});

test('SARIF and JUnit render live results too', async () => {
  const sarif = JSON.parse((await verify('--tenant', TENANT, '--format', 'sarif')).out) as { version: string; runs: { results: unknown[] }[] };
  expect(sarif.version).toBe('2.1.0');
  expect((await verify('--tenant', TENANT, '--format', 'junit')).out).toMatch(/^<\?xml/);
});

test('no credentials: clear could-not-verify findings, exit 1, no stack trace', async () => {
  MOCKS.sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
  const { code, out, err } = await verify('--tenant', TENANT);
  expect(code).toBe(1);
  expect(out).toMatch(/ISO-ACCT-1 .*could not verify that the tenant runs in account 111111111111: sts:GetCallerIdentity failed \(CredentialsProviderError: no AWS credentials were found/);
  expect(`${out}${err}`).not.toMatch(/\n\s+at /);
});

test('AccessDenied on one API is a failing finding naming the permission', async () => {
  MOCKS.rds.on(DescribeDBInstancesCommand).rejects(serviceError('AccessDenied', 'not authorized to perform: rds:DescribeDBInstances', 403));
  const { code, out } = await verify('--tenant', TENANT);
  expect(code).toBe(1);
  expect(out).toContain("rds:DescribeDBInstances was denied (AccessDenied): the verifier's role needs the permission rds:DescribeDBInstances");
});

test('--account overrides the manifest: credentials of the manifest account then do not match', async () => {
  const { code, out } = await verify('--tenant', TENANT, '--account', `${TENANT}=222222222222`);
  expect(code).toBe(1);
  expect(out).toMatch(/the credentials are for account 111111111111 .*not the tenant's account 222222222222/);
});

test('--region overrides the manifest region for every client', async () => {
  await verify('--tenant', TENANT, '--region', 'eu-central-1');
  const client = MOCKS.sts.calls()[0]!.thisValue as { config: { region: () => Promise<string> } };
  await expect(client.config.region()).resolves.toBe('eu-central-1');
});

test('an unknown tenant is bad input (exit 2) listing the known ones', async () => {
  const { code, err } = await verify('--tenant', 'nobody');
  expect(code).toBe(2);
  expect(err).toMatch(/unknown tenant "nobody" \(--tenant\); known tenants: acme-health, contoso-markets, fedline-gov, northwind-bank/);
});

test('targets come from the manifests: account, region and level (or --require)', () => {
  expect(liveTargets({ tenants: ['fedline-gov', TENANT], tenantsDir: TENANTS, accounts: new Map() })).toEqual([
    { tenant: 'fedline-gov', account: '333333333333', region: 'us-gov-west-1', level: 'hsm' },
    { tenant: TENANT, account: ACCOUNT, region: REGION, level: 'hardware' },
  ]);
  expect(liveTargets({ tenants: [TENANT], tenantsDir: TENANTS, accounts: new Map(), require: 'hsm' })[0]!.level).toBe('hsm');
});

test('several tenants are verified as a fleet (fleet rules see all of them)', async () => {
  const result = await runLiveVerification({ tenants: [TENANT, 'northwind-bank'], tenantsDir: TENANTS, accounts: new Map([['northwind-bank', ACCOUNT]]), env: {} });
  const northwind = result.tenants.find((t) => t.tenant === 'northwind-bank')!;
  // Both read with the same credentials in one account: the fleet rule sees the shared account.
  expect(northwind.findings.map((f) => f.message).join('\n')).toMatch(/account 111111111111 is shared with tenant acme-health \(live\)/);
});
