/**
 * The preflight checks: read-only calls, with the customer's credentials, that tell before a first deploy whether
 * the account can take the tenant's stack. Each check returns results that name what to do when they fail.
 *
 * Fail closed, as the verifier does: a call that is denied or fails is an `error` result ("could not check"), and
 * a preflight with any result but `pass` fails. When the credentials are missing or belong to another account no
 * other check runs (answers from the wrong account would mislead); they are reported as `skipped`.
 *
 * Sources (read 2026-12; no account can be reached from here, so each fact is the documentation's):
 * - CDK bootstrap: the cloud assembly records `requiresBootstrapStackVersion` per stack, and the bootstrap stack
 *   (`CDKToolkit` unless renamed with `--toolkit-stack-name`) has the output `BootstrapVersion`
 *   (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html; @aws-cdk/cloud-assembly-schema
 *   AssetManifestOptions.requiresBootstrapStackVersion).
 * - OpenSearch in a VPC needs the service-linked role `AWSServiceRoleForAmazonOpenSearchService`, created with
 *   `aws iam create-service-linked-role --aws-service-name opensearchservice.amazonaws.com`
 *   (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/slr.html).
 * - Orderable DB classes: rds:DescribeOrderableDBInstanceOptions with Engine, DBInstanceClass and Vpc filters;
 *   each option lists its AvailabilityZones (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeOrderableDBInstanceOptions.html).
 * - Search instance types: es:ListInstanceTypeDetails for an engine version
 *   (https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_ListInstanceTypeDetails.html).
 * - Quotas (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html,
 *   https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-limits-endpoints.html): VPCs per Region
 *   (vpc/L-F678F1CE, default 5), interface endpoints per VPC (vpc/L-29B6F2EB, default 50), Elastic IP addresses
 *   per Region (ec2/L-0263D0A3, default 5). A quota never changed from its default has no applied value:
 *   servicequotas:GetServiceQuota answers NoSuchResourceException and GetAWSDefaultServiceQuota gives the default
 *   (https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  EC2Client,
  paginateDescribeInstanceTypeOfferings,
  paginateDescribeVpcs,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { OpenSearchClient, paginateListInstanceTypeDetails } from '@aws-sdk/client-opensearch';
import { RDSClient, paginateDescribeOrderableDBInstanceOptions } from '@aws-sdk/client-rds';
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { allPages, collectionError } from '../live/attempt';
import { retrySettings, type Env } from '../live/clients';
import type { TenantRequirements } from './requirements';

export type CheckStatus = 'pass' | 'fail' | 'error' | 'skipped';

export interface CheckResult {
  /** Stable id of the check, e.g. `bootstrap`, `quota-vpcs`. */
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found, in one sentence. */
  readonly detail: string;
  /** What to do, for every status but `pass`. */
  readonly fix?: string;
}

export interface PreflightClients {
  readonly sts: STSClient;
  readonly cloudformation: CloudFormationClient;
  readonly iam: IAMClient;
  readonly ec2: EC2Client;
  readonly rds: RDSClient;
  readonly opensearch: OpenSearchClient;
  readonly quotas: ServiceQuotasClient;
}

export type PreflightClientFactory = (options: { region: string; env?: Env; extra?: Readonly<Record<string, unknown>> }) => PreflightClients;

/** Region and retry settings only: credentials and endpoints come from the SDK's own configuration chain. */
export const createPreflightClients: PreflightClientFactory = ({ region, env = {}, extra }) => {
  const config = { region, ...retrySettings(env), ...extra };
  return {
    sts: new STSClient(config),
    cloudformation: new CloudFormationClient(config),
    iam: new IAMClient(config),
    ec2: new EC2Client(config),
    rds: new RDSClient(config),
    opensearch: new OpenSearchClient(config),
    quotas: new ServiceQuotasClient(config),
  };
};

export function destroyPreflightClients(clients: PreflightClients): void {
  for (const c of Object.values(clients) as { destroy?: () => void }[]) c.destroy?.();
}

/** Stack states from which CloudFormation accepts a deploy (an update) of the bootstrap stack's users. */
const USABLE_STACK = /^(CREATE_COMPLETE|UPDATE_COMPLETE|UPDATE_ROLLBACK_COMPLETE|IMPORT_COMPLETE|IMPORT_ROLLBACK_COMPLETE)$/;

export const OPENSEARCH_SLR = 'AWSServiceRoleForAmazonOpenSearchService';

/** The "could not check" result for an error thrown by `action`. */
function couldNotCheck(check: string, action: string, e: unknown): CheckResult {
  const err = collectionError(action, undefined, e);
  const why = err.reason === 'denied' ? `${action} was denied` : `${action} failed`;
  return {
    check,
    status: 'error',
    detail: `could not check: ${why} (${err.code}: ${err.message})`,
    fix:
      err.reason === 'denied'
        ? `grant the preflight role ${action} (docs/preflight.md lists the read-only actions preflight needs)`
        : 'run preflight again; if it persists, check the credentials, region and endpoint settings',
  };
}

/** An SDK call's error, tagged with the IAM action of the call so that "could not check" names the right one. */
class CallError extends Error {
  constructor(
    readonly action: string,
    override readonly cause: unknown,
  ) {
    super(`${action} failed`);
    this.name = 'CallError';
  }
}

/** Runs one SDK call (or paginated listing) as `action`. */
async function call<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new CallError(action, e);
  }
}

/** Runs a check; any failed call makes it one "could not check" result naming the call's action. */
async function guarded(check: string, fn: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
  try {
    return await fn();
  } catch (e) {
    return e instanceof CallError ? [couldNotCheck(check, e.action, e.cause)] : [couldNotCheck(check, 'an SDK call', e)];
  }
}

const errorName = (e: unknown): string => String((e as { name?: unknown } | undefined)?.name ?? '');

export async function checkAccount(req: TenantRequirements, c: PreflightClients): Promise<CheckResult> {
  try {
    const who = await c.sts.send(new GetCallerIdentityCommand({}));
    if (who.Account === req.account) {
      return { check: 'account', status: 'pass', detail: `the credentials are for account ${req.account} (${who.Arn ?? 'unknown principal'})` };
    }
    return {
      check: 'account',
      status: 'fail',
      detail: `the credentials are for account ${who.Account ?? 'unknown'}, but ${req.tenant}'s manifest names ${req.account}`,
      fix: `use credentials of account ${req.account} (the customer's own account): a profile or role in it`,
    };
  } catch (e) {
    return couldNotCheck('account', 'sts:GetCallerIdentity', e);
  }
}

export function checkBootstrap(req: TenantRequirements, c: PreflightClients, toolkitStackName: string): Promise<CheckResult[]> {
  const fix = `npx cdk bootstrap aws://${req.account}/${req.region}${toolkitStackName === 'CDKToolkit' ? '' : ` --toolkit-stack-name ${toolkitStackName}`} (see docs/deploy.md)`;
  return guarded('bootstrap', async () => {
    let stack;
    try {
      stack = (await c.cloudformation.send(new DescribeStacksCommand({ StackName: toolkitStackName }))).Stacks?.[0];
    } catch (e) {
      // CloudFormation answers a stack that does not exist with a ValidationError naming it.
      if (errorName(e) === 'ValidationError' && /does not exist/.test(String((e as Error).message))) stack = undefined;
      else throw new CallError('cloudformation:DescribeStacks', e);
    }
    if (!stack) {
      return [{ check: 'bootstrap', status: 'fail', detail: `the account has no CDK bootstrap stack ${toolkitStackName} in ${req.region}`, fix }];
    }
    const status = stack.StackStatus ?? 'UNKNOWN';
    if (!USABLE_STACK.test(status)) {
      return [{ check: 'bootstrap', status: 'fail', detail: `the bootstrap stack ${toolkitStackName} is in state ${status}`, fix: `repair it, then ${fix}` }];
    }
    const version = Number(stack.Outputs?.find((o) => o.OutputKey === 'BootstrapVersion')?.OutputValue);
    const required = req.bootstrapVersion ?? 0;
    if (!Number.isFinite(version)) {
      return [{ check: 'bootstrap', status: 'fail', detail: `the bootstrap stack ${toolkitStackName} has no BootstrapVersion output (a legacy bootstrap)`, fix }];
    }
    if (version < required) {
      return [{ check: 'bootstrap', status: 'fail', detail: `the bootstrap stack ${toolkitStackName} is at version ${version}; the assembly requires ${required}`, fix }];
    }
    return [{ check: 'bootstrap', status: 'pass', detail: `${toolkitStackName} is at version ${version} (the assembly requires ${required || 'any'})` }];
  });
}

export function checkOpenSearchRole(req: TenantRequirements, c: PreflightClients): Promise<CheckResult[]> {
  if (!req.searchDomains.some((d) => d.inVpc)) return Promise.resolve([]);
  return guarded('opensearch-service-linked-role', async () => {
    try {
      await c.iam.send(new GetRoleCommand({ RoleName: OPENSEARCH_SLR }));
      return [{ check: 'opensearch-service-linked-role', status: 'pass', detail: `${OPENSEARCH_SLR} exists` }];
    } catch (e) {
      if (errorName(e) !== 'NoSuchEntityException' && errorName(e) !== 'NoSuchEntity') throw new CallError('iam:GetRole', e);
      return [
        {
          check: 'opensearch-service-linked-role',
          status: 'fail',
          detail: `${OPENSEARCH_SLR} does not exist: a search domain in a VPC cannot be created without it`,
          fix: 'aws iam create-service-linked-role --aws-service-name opensearchservice.amazonaws.com (once per account)',
        },
      ];
    }
  });
}

export function checkZones(req: TenantRequirements, c: PreflightClients): Promise<CheckResult[]> {
  return guarded('availability-zones', async () => {
    const out = await call('ec2:DescribeAvailabilityZones', () => c.ec2.send(new DescribeAvailabilityZonesCommand({})));
    const available = (out.AvailabilityZones ?? [])
      .filter((z) => z.State === 'available' && (z.ZoneType ?? 'availability-zone') === 'availability-zone')
      .map((z) => z.ZoneName ?? '')
      .filter(Boolean)
      .sort();
    const missing = req.zones.filter((z) => !available.includes(z));
    if (missing.length === 0) {
      return [{ check: 'availability-zones', status: 'pass', detail: `${req.zones.join(', ')} exist and are available in ${req.region}` }];
    }
    return [
      {
        check: 'availability-zones',
        status: 'fail',
        detail: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not an available zone of this account in ${req.region} (available: ${available.join(', ') || 'none'})`,
        fix: `set network.availabilityZones in tenants/${req.tenant}.yaml to zones from the available list`,
      },
    ];
  });
}

/** `16` matches 16.x; `16.4` matches itself. */
function versionMatches(wanted: string, offered: string | undefined): boolean {
  return offered !== undefined && (offered === wanted || offered.startsWith(`${wanted}.`));
}

export function checkDatabases(req: TenantRequirements, c: PreflightClients): Promise<CheckResult[]> {
  return guarded('database-class', async () => {
    const results: CheckResult[] = [];
    for (const db of req.databases) {
      const options = await call('rds:DescribeOrderableDBInstanceOptions', () =>
        allPages(
          paginateDescribeOrderableDBInstanceOptions({ client: c.rds }, { Engine: db.engine, DBInstanceClass: db.instanceClass, Vpc: true }),
          (p) => p.OrderableDBInstanceOptions,
        ),
      );
      const matching = options.filter((o) => versionMatches(db.engineVersion, o.EngineVersion));
      const zones = new Set(matching.flatMap((o) => (o.AvailabilityZones ?? []).map((z) => z.Name ?? '')));
      const what = `${db.instanceClass} for ${db.engine} ${db.engineVersion}`;
      const fix = `choose database.instanceClass in tenants/${req.tenant}.yaml from: aws rds describe-orderable-db-instance-options --engine ${db.engine} --engine-version ${db.engineVersion} --region ${req.region} --query 'OrderableDBInstanceOptions[].DBInstanceClass'`;
      if (matching.length === 0) {
        results.push({ check: 'database-class', status: 'fail', detail: `${db.logicalId}: ${what} is not orderable in ${req.region}`, fix });
        continue;
      }
      const missing = db.zones.filter((z) => !zones.has(z));
      if (missing.length > 0) {
        results.push({ check: 'database-class', status: 'fail', detail: `${db.logicalId}: ${what} is not orderable in ${missing.join(', ')}`, fix });
        continue;
      }
      results.push({ check: 'database-class', status: 'pass', detail: `${db.logicalId}: ${what} is orderable in ${db.zones.join(', ') || req.region}` });
      if (db.dedicated) results.push(...(await checkDedicated(req, c, db.logicalId, db.instanceClass, db.zones)));
    }
    return results;
  });
}

/**
 * In a dedicated-tenancy VPC the database runs as an EC2 Dedicated Instance of the class's instance type, so that
 * type must be offered in each zone of the subnet group (ec2:DescribeInstanceTypeOfferings by availability zone).
 * AWS still treats dedicated tenancy for RDS as requested, not guaranteed: the live verifier checks what ran.
 */
async function checkDedicated(req: TenantRequirements, c: PreflightClients, logicalId: string, instanceClass: string, zones: readonly string[]): Promise<CheckResult[]> {
  const type = instanceClass.replace(/^db\./, '');
  try {
    const offerings = await allPages(
      paginateDescribeInstanceTypeOfferings(
        { client: c.ec2 },
        { LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: [type] }] },
      ),
      (p) => p.InstanceTypeOfferings,
    );
    const offered = new Set(offerings.map((o) => o.Location ?? ''));
    const missing = zones.filter((z) => !offered.has(z));
    if (missing.length > 0) {
      return [
        {
          check: 'database-dedicated-tenancy',
          status: 'fail',
          detail: `${logicalId}: the EC2 instance type ${type} behind ${instanceClass} is not offered in ${missing.join(', ')}, so it cannot run there as a dedicated instance`,
          fix: `choose another database.instanceClass or other network.availabilityZones in tenants/${req.tenant}.yaml`,
        },
      ];
    }
    return [{ check: 'database-dedicated-tenancy', status: 'pass', detail: `${logicalId}: ${type} is offered in ${zones.join(', ')} for the dedicated-tenancy VPC` }];
  } catch (e) {
    return [couldNotCheck('database-dedicated-tenancy', 'ec2:DescribeInstanceTypeOfferings', e)];
  }
}

export function checkSearch(req: TenantRequirements, c: PreflightClients): Promise<CheckResult[]> {
  return guarded('search-instance-type', async () => {
    const results: CheckResult[] = [];
    for (const d of req.searchDomains) {
      const details = await call('es:ListInstanceTypeDetails', () =>
        allPages(paginateListInstanceTypeDetails({ client: c.opensearch }, { EngineVersion: d.engineVersion }), (p) => p.InstanceTypeDetails),
      );
      for (const type of d.instanceTypes) {
        const detail = details.find((x) => x.InstanceType === type);
        if (!detail) {
          results.push({
            check: 'search-instance-type',
            status: 'fail',
            detail: `${d.logicalId}: ${type} is not offered for ${d.engineVersion} in ${req.region}`,
            fix: `choose search.instanceType in tenants/${req.tenant}.yaml from: aws opensearch list-instance-type-details --engine-version ${d.engineVersion} --region ${req.region}`,
          });
          continue;
        }
        const zones = detail.AvailabilityZones ?? [];
        const missing = zones.length === 0 ? [] : d.zones.filter((z) => !zones.includes(z));
        results.push(
          missing.length > 0
            ? {
                check: 'search-instance-type',
                status: 'fail',
                detail: `${d.logicalId}: ${type} is not offered in ${missing.join(', ')}`,
                fix: `choose another search.instanceType or other network.availabilityZones in tenants/${req.tenant}.yaml`,
              }
            : { check: 'search-instance-type', status: 'pass', detail: `${d.logicalId}: ${type} is offered for ${d.engineVersion} in ${req.region}` },
        );
      }
    }
    return results;
  });
}

/** A quota's value in force: the applied value, else AWS's default (a quota never raised has no applied value). */
async function quotaValue(c: PreflightClients, ServiceCode: string, QuotaCode: string): Promise<number> {
  try {
    const q = await c.quotas.send(new GetServiceQuotaCommand({ ServiceCode, QuotaCode }));
    if (q.Quota?.Value !== undefined) return q.Quota.Value;
  } catch (e) {
    if (errorName(e) !== 'NoSuchResourceException') throw new CallError('servicequotas:GetServiceQuota', e);
  }
  const d = await call('servicequotas:GetAWSDefaultServiceQuota', () => c.quotas.send(new GetAWSDefaultServiceQuotaCommand({ ServiceCode, QuotaCode })));
  if (d.Quota?.Value === undefined) throw new Error(`Service Quotas returned no value for ${ServiceCode}/${QuotaCode}`);
  return d.Quota.Value;
}

const STACK_TAG = 'aws:cloudformation:stack-name';
const quotaFix = (service: string, code: string, region: string, needed: number) =>
  `request an increase: aws service-quotas request-service-quota-increase --service-code ${service} --quota-code ${code} --desired-value ${needed} --region ${region} (or free some)`;

export function checkQuotas(req: TenantRequirements, c: PreflightClients): Promise<CheckResult[]> {
  const results: Promise<CheckResult[]>[] = [];
  if (req.vpcs > 0) {
    results.push(
      guarded('quota-vpcs', async () => {
        const quota = await quotaValue(c, 'vpc', 'L-F678F1CE');
        const vpcs = await call('ec2:DescribeVpcs', () => allPages(paginateDescribeVpcs({ client: c.ec2 }, {}), (p) => p.Vpcs));
        // The stack's own VPCs (a redeploy) are not new: CloudFormation tags what it creates with the stack name.
        const others = vpcs.filter((v) => !(v.Tags ?? []).some((t) => t.Key === STACK_TAG && t.Value === req.stackName)).length;
        const ours = vpcs.length - others;
        const needed = others + req.vpcs;
        return [
          needed <= quota
            ? { check: 'quota-vpcs', status: 'pass', detail: `VPCs: ${others} in use by others + ${req.vpcs} for this stack${ours ? ` (${ours} exist already)` : ''} within the quota of ${quota}` }
            : { check: 'quota-vpcs', status: 'fail', detail: `VPCs: ${others} in use + ${req.vpcs} for this stack = ${needed}, over the quota of ${quota} (vpc/L-F678F1CE)`, fix: quotaFix('vpc', 'L-F678F1CE', req.region, needed) },
        ];
      }),
    );
  }
  const perVpc = Object.entries(req.interfaceEndpointsPerVpc);
  if (perVpc.length > 0) {
    results.push(
      guarded('quota-interface-endpoints', async () => {
        const quota = await quotaValue(c, 'vpc', 'L-29B6F2EB');
        const [vpc, most] = perVpc.reduce((a, b) => (b[1] > a[1] ? b : a));
        return [
          most <= quota
            ? { check: 'quota-interface-endpoints', status: 'pass', detail: `interface endpoints: at most ${most} in one VPC (${vpc}) within the quota of ${quota} per VPC` }
            : { check: 'quota-interface-endpoints', status: 'fail', detail: `interface endpoints: ${most} in ${vpc}, over the quota of ${quota} per VPC (vpc/L-29B6F2EB)`, fix: quotaFix('vpc', 'L-29B6F2EB', req.region, most) },
        ];
      }),
    );
  }
  if (req.elasticIps > 0) {
    results.push(
      guarded('quota-elastic-ips', async () => {
        const quota = await quotaValue(c, 'ec2', 'L-0263D0A3');
        const addresses = (await call('ec2:DescribeAddresses', () => c.ec2.send(new DescribeAddressesCommand({})))).Addresses ?? [];
        const others = addresses.filter((a) => !(a.Tags ?? []).some((t) => t.Key === STACK_TAG && t.Value === req.stackName)).length;
        const needed = others + req.elasticIps;
        return [
          needed <= quota
            ? { check: 'quota-elastic-ips', status: 'pass', detail: `Elastic IPs: ${others} in use + ${req.elasticIps} for this stack within the quota of ${quota}` }
            : { check: 'quota-elastic-ips', status: 'fail', detail: `Elastic IPs: ${others} in use + ${req.elasticIps} = ${needed}, over the quota of ${quota} (ec2/L-0263D0A3)`, fix: quotaFix('ec2', 'L-0263D0A3', req.region, needed) },
        ];
      }),
    );
  }
  return Promise.all(results).then((r) => r.flat());
}

export interface PreflightOptions {
  /** The bootstrap stack's name. @default 'CDKToolkit' */
  readonly toolkitStackName?: string;
}

/** Every check for one tenant, in a stable order. */
export async function runPreflight(req: TenantRequirements, clients: PreflightClients, options: PreflightOptions = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = req.unreadable.map((what) => ({
    check: 'template',
    status: 'error' as const,
    detail: `could not check: ${what}`,
    fix: 'synthesize the tenant with this project (npx cdk synth -c tenant=<id>) and run preflight on that cloud assembly',
  }));
  const account = await checkAccount(req, clients);
  results.push(account);
  const later = ['bootstrap', 'opensearch-service-linked-role', 'availability-zones', 'database-class', 'search-instance-type', 'quotas'];
  if (account.status !== 'pass') {
    return results.concat(
      later.map((check) => ({ check, status: 'skipped' as const, detail: 'not checked: the account check did not pass', fix: 'fix the account check first' })),
    );
  }
  const groups = await Promise.all([
    checkBootstrap(req, clients, options.toolkitStackName ?? 'CDKToolkit'),
    checkOpenSearchRole(req, clients),
    checkZones(req, clients),
    checkDatabases(req, clients),
    checkSearch(req, clients),
    checkQuotas(req, clients),
  ]);
  return results.concat(groups.flat());
}

/** The read-only IAM actions preflight calls (docs/preflight.md; a test keeps the two equal). */
export const PREFLIGHT_ACTIONS: readonly string[] = [
  'sts:GetCallerIdentity',
  'cloudformation:DescribeStacks',
  'iam:GetRole',
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeInstanceTypeOfferings',
  'ec2:DescribeVpcs',
  'ec2:DescribeAddresses',
  'rds:DescribeOrderableDBInstanceOptions',
  'es:ListInstanceTypeDetails',
  'servicequotas:GetServiceQuota',
  'servicequotas:GetAWSDefaultServiceQuota',
];
