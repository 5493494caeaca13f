/**
 * `exclusive-desk preflight [cdk.out] --tenant <id>`: before a first deploy, with the customer's credentials and
 * read-only calls, checks that the account can take the tenant's synthesized stack (lib/preflight). Exit 0 when
 * every check passes, 1 when any fails or could not be checked, 2 for bad input.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Manifest, ArtifactType, type AwsCloudFormationStackProperties } from 'aws-cdk-lib/cloud-assembly-schema';
import type { CfnTemplate } from '../assembly/read';
import { loadManifests, ManifestError } from '../manifest/load';
import { tenantStackName } from '../naming';
import {
  createPreflightClients,
  destroyPreflightClients,
  runPreflight,
  type CheckResult,
  type PreflightClientFactory,
} from '../preflight/checks';
import { tenantRequirements, type TenantRequirements } from '../preflight/requirements';
import { oneOf, parseCommandArgs } from './args';
import { EXIT, UsageError, type CliIO } from './io';
import { writeOutput } from './output';

export const PREFLIGHT_USAGE = `usage: exclusive-desk preflight [<cdk.out>] --tenant <id> [options]

Read-only checks, with the customer account's credentials, that a tenant's synthesized stack can be deployed:
the credentials' account, the CDK bootstrap version, the OpenSearch service-linked role, the zones, the database
class and search instance types on offer, and the VPC, interface-endpoint and Elastic IP quotas.

options:
  --tenant <id>              the tenant to check (repeatable)
  --tenants-dir <dir>        where the tenant manifests are (default tenants)
  --toolkit-stack-name <n>   the CDK bootstrap stack's name (default CDKToolkit)
  --format <f>               text | json (default text)
  --output <file>            write the result to a file instead of stdout
  --help                     show this help

Synthesize first (npx cdk synth -c tenant=<id>); <cdk.out> defaults to cdk.out.
exit codes: 0 every check passes, 1 a check fails or could not be checked, 2 bad input
`;

const OPTIONS = {
  tenant: { type: 'string', multiple: true },
  'tenants-dir': { type: 'string' },
  'toolkit-stack-name': { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface TenantPreflight {
  readonly tenant: string;
  readonly account: string;
  readonly region: string;
  readonly stack: string;
  readonly passed: boolean;
  readonly checks: readonly CheckResult[];
}

/** Reads what the tenant's deploy needs from the manifest and the cloud assembly; UsageError for bad input. */
export function readRequirements(assemblyDir: string, tenantsDir: string, tenants: readonly string[]): TenantRequirements[] {
  let manifests;
  try {
    manifests = loadManifests(tenantsDir, { allowExpired: true });
  } catch (e) {
    if (e instanceof ManifestError) throw new UsageError(e.message);
    throw e;
  }
  const manifestFile = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new UsageError(`${manifestFile}: no cloud assembly here; synthesize first (npx cdk synth -c tenant=<id>)`);
  }
  let assembly;
  try {
    assembly = Manifest.loadAssemblyManifest(manifestFile);
  } catch (e) {
    throw new UsageError(`${manifestFile}: not a readable cloud assembly manifest (${(e as Error).message.split('\n')[0]})`);
  }
  return tenants.map((id) => {
    const m = manifests.find((x) => x.id === id);
    if (!m) throw new UsageError(`unknown tenant "${id}" (--tenant); known tenants: ${manifests.map((x) => x.id).join(', ')}`);
    const stackName = tenantStackName(id);
    const artifact = assembly.artifacts?.[stackName];
    if (!artifact || artifact.type !== ArtifactType.AWS_CLOUDFORMATION_STACK) {
      throw new UsageError(`${manifestFile}: no stack ${stackName} in this cloud assembly; synthesize it first (npx cdk synth -c tenant=${id})`);
    }
    const properties = artifact.properties as AwsCloudFormationStackProperties;
    const templateFile = path.join(assemblyDir, properties.templateFile);
    let template: CfnTemplate;
    try {
      template = JSON.parse(fs.readFileSync(templateFile, 'utf8')) as CfnTemplate;
    } catch (e) {
      throw new UsageError(`${templateFile}: not a readable template (${(e as Error).message.split('\n')[0]})`);
    }
    if (artifact.environment && artifact.environment !== `aws://${m.account}/${m.region}`) {
      throw new UsageError(
        `${manifestFile}: ${stackName} targets ${artifact.environment} but tenants/${id}.yaml names aws://${m.account}/${m.region}; synthesize again`,
      );
    }
    return tenantRequirements({
      tenant: id,
      account: m.account,
      region: m.region,
      stackName,
      template,
      bootstrapVersion: properties.requiresBootstrapStackVersion,
    });
  });
}

const MARK: Record<CheckResult['status'], string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skipped: 'SKIP' };

export function renderPreflightText(results: readonly TenantPreflight[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`preflight ${r.tenant} (${r.stack}, account ${r.account}, ${r.region}): ${r.passed ? 'ready to deploy' : 'NOT ready'}`);
    const width = Math.max(...r.checks.map((c) => c.check.length));
    for (const c of r.checks) {
      lines.push(`  ${MARK[c.status].padEnd(5)} ${c.check.padEnd(width)}  ${c.detail}`);
      if (c.fix && c.status !== 'pass') lines.push(`  ${''.padEnd(5)} ${''.padEnd(width)}  fix: ${c.fix}`);
    }
    const count = (s: CheckResult['status']) => r.checks.filter((c) => c.status === s).length;
    lines.push(`  ${r.checks.length} checks: ${count('pass')} passed, ${count('fail')} failed, ${count('error') + count('skipped')} could not be checked`, '');
  }
  return lines.join('\n');
}

export interface PreflightCommandOptions {
  /** Creates the SDK clients (tests pass their own). @default createPreflightClients */
  readonly clientFactory?: PreflightClientFactory;
}

export function makePreflightCommand(options: PreflightCommandOptions = {}) {
  return async (argv: readonly string[], io: CliIO): Promise<number> => {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, { max: 1, names: '<cdk.out>' });
    if (values.help) {
      io.stdout(PREFLIGHT_USAGE);
      return EXIT.OK;
    }
    const tenants = values.tenant ?? [];
    if (tenants.length === 0) throw new UsageError('--tenant <id> is required (the tenant to check)');
    const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
    const assemblyDir = path.resolve(io.cwd, positionals[0] ?? 'cdk.out');
    const tenantsDir = path.resolve(io.cwd, values['tenants-dir'] ?? 'tenants');
    const requirements = readRequirements(assemblyDir, tenantsDir, tenants);
    const factory = options.clientFactory ?? createPreflightClients;
    const results: TenantPreflight[] = [];
    for (const req of requirements) {
      const clients = factory({ region: req.region, env: io.env });
      try {
        const checks = await runPreflight(req, clients, { toolkitStackName: values['toolkit-stack-name'] });
        results.push({
          tenant: req.tenant,
          account: req.account,
          region: req.region,
          stack: req.stackName,
          passed: checks.every((c) => c.status === 'pass'),
          checks,
        });
      } finally {
        destroyPreflightClients(clients);
      }
    }
    const text = format === 'json' ? `${JSON.stringify({ tenants: results }, null, 2)}\n` : renderPreflightText(results);
    if (values.output) writeOutput(path.resolve(io.cwd, values.output), text);
    else io.stdout(text);
    return results.every((r) => r.passed) ? EXIT.OK : EXIT.FAILED;
  };
}

export const preflightCommand = makePreflightCommand();
