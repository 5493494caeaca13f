/**
 * `exclusive-desk verify <inputs...>`: verifies the isolation of cloud assemblies and templates, or (`--live`)
 * of deployed tenants. Exit 0 when every tenant meets its level with no error finding, 1 when any tenant fails,
 * 2 for bad input (unreadable file, not a template, bad flag).
 */
import * as path from 'node:path';
import { readInputs, type ReadResult } from '../assembly/read';
import { buildTenantModels } from '../assembly/tenants';
import { evaluateTemplates } from '../isolation/engine';
import { isLevel, LEVELS, type IsolationLevel } from '../isolation/levels';
import { FORMATS, render, type VerifyResult } from '../report/formats';
import { oneOf, parseCommandArgs } from './args';
import { EXIT, UsageError, type CliIO, type Command } from './io';
import { writeOutput } from './output';

export const VERIFY_USAGE = `usage: exclusive-desk verify <cdk.out | template.json | template.yaml>... [options]
       exclusive-desk verify --tenant <id>=<file> [--tenant <id>=<file> ...] [options]
       exclusive-desk verify --live --tenant <id> [--region <region>] [options]

options:
  --tenant <id>=<file>     verify this template file (or cloud assembly) as tenant <id>; a file named for
                           several tenants is verified once for each (repeatable); with --live: the tenant
  --account <id>=<digits>  the AWS account of tenant <id> when the input does not carry it (repeatable);
                           <id> must be a tenant of the inputs
  --require <level>        minimum level for every tenant: ${LEVELS.slice(1).join(' | ')}
                           (default: the level the template declares, else account)
  --format <f>             ${FORMATS.join(' | ')} (default text)
  --output <file>          write the result to a file instead of stdout
  --live                   verify the deployed account with the AWS SDK (see docs/live-verification.md)
  --region <region>        with --live: the region (default: the manifest's)
  --tenants-dir <dir>      with --live: where the tenant manifests are (default tenants)
  --help                   show this help

exit codes: 0 every tenant meets its level, 1 a tenant fails, 2 bad input
`;

const OPTIONS = {
  tenant: { type: 'string', multiple: true },
  account: { type: 'string', multiple: true },
  require: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string' },
  live: { type: 'boolean' },
  region: { type: 'string' },
  'tenants-dir': { type: 'string' },
  color: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function pairs(flag: string, values: readonly string[] | undefined, valueCheck?: (v: string) => string | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=');
    if (eq <= 0 || eq === raw.length - 1) throw new UsageError(`--${flag} must be <tenant>=<value>, got "${raw}"`);
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    const problem = valueCheck?.(value);
    if (problem) throw new UsageError(`--${flag} ${raw}: ${problem}`);
    out.push([key, value]);
  }
  return out;
}

/** `--account` pairs as a map; one tenant given two different accounts is bad input, not "the last one wins". */
function accountMap(values: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [tenant, account] of pairs('account', values, (v) => (/^\d{12}$/.test(v) ? undefined : 'the account must be 12 digits'))) {
    const before = out.get(tenant);
    if (before !== undefined && before !== account) {
      throw new UsageError(`--account gives tenant ${tenant} two accounts: ${before} and ${account}`);
    }
    out.set(tenant, account);
  }
  return out;
}

/** Every `--account` must name a tenant that is verified: a typo would otherwise silently drop the account. */
function checkAccountsNameTenants(accounts: ReadonlyMap<string, string>, known: readonly string[], inputErrors = 0): void {
  const knownSet = new Set(known);
  const unknown = [...accounts.keys()].filter((t) => !knownSet.has(t));
  if (unknown.length === 0) return;
  const sorted = [...knownSet].sort();
  const listed = sorted.length === 0 ? 'none' : sorted.length <= 10 ? sorted.join(', ') : `${sorted.slice(0, 10).join(', ')} and ${sorted.length - 10} more`;
  const unread = inputErrors > 0 ? ` (${inputErrors} input${inputErrors === 1 ? '' : 's'} could not be read)` : '';
  throw new UsageError(
    `--account ${unknown.map((t) => `${t}=${accounts.get(t)!}`).join(', ')}: no tenant ${unknown.join(', ')} among the inputs; the tenants are: ${listed}${unread}`,
  );
}

/** The live verifier's entry point (lib/live/run.ts). */
type LiveRunner = (options: {
  tenants: readonly string[];
  region?: string;
  tenantsDir: string;
  require?: IsolationLevel;
  accounts: ReadonlyMap<string, string>;
  env: Readonly<Record<string, string | undefined>>;
}) => Promise<VerifyResult>;

export const verifyCommand: Command = async (argv: readonly string[], io: CliIO): Promise<number> => {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS);
  if (values.help) {
    io.stdout(VERIFY_USAGE);
    return EXIT.OK;
  }
  const format = oneOf('format', values.format, FORMATS, 'text');
  let require: IsolationLevel | undefined;
  if (values.require !== undefined) {
    if (!isLevel(values.require)) throw new UsageError(`--require must be one of ${LEVELS.join(', ')}, got "${values.require}"`);
    require = values.require;
  }
  const accounts = accountMap(values.account);

  let result: VerifyResult;
  if (values.live) {
    if (positionals.length > 0) throw new UsageError('--live verifies deployed tenants; it takes no input files');
    const tenants = values.tenant ?? [];
    if (tenants.length === 0) throw new UsageError('--live needs --tenant <id> (repeatable)');
    checkAccountsNameTenants(accounts, tenants);
    const live = (await import('../live/run')) as { runLiveVerification: LiveRunner };
    result = await live.runLiveVerification({
      tenants,
      region: values.region,
      tenantsDir: path.resolve(io.cwd, values['tenants-dir'] ?? 'tenants'),
      require,
      accounts,
      env: io.env,
    });
  } else {
    const tenantInputs = pairs('tenant', values.tenant).map(([tenant, file]) => ({ tenant, path: path.resolve(io.cwd, file) }));
    if (positionals.length === 0 && tenantInputs.length === 0) {
      throw new UsageError('expected at least one cloud assembly directory or template file, or --tenant <id>=<file> (see --help)');
    }
    result = verifyTemplates(positionals.map((p) => path.resolve(io.cwd, p)), { tenantInputs, accounts, require });
  }

  for (const e of result.errors) io.stderr(`exclusive-desk verify: ${path.relative(io.cwd, e.file) || e.file}: ${e.message}\n`);
  const text = render(format, result, { color: values.color === true, baseDir: io.cwd });
  if (values.output) writeOutput(path.resolve(io.cwd, values.output), text);
  else io.stdout(text);

  if (result.tenants.some((t) => t.verdict === 'fail')) return EXIT.FAILED;
  if (result.errors.length > 0 || result.tenants.length === 0) {
    if (result.tenants.length === 0 && result.errors.length === 0) io.stderr('exclusive-desk verify: no templates found in the inputs\n');
    return EXIT.BAD_INPUT;
  }
  return EXIT.OK;
};

/** A template file or cloud assembly read for one tenant (`--tenant <id>=<path>`). */
export interface TenantInput {
  readonly tenant: string;
  readonly path: string;
}

export interface VerifyTemplatesOptions {
  /**
   * Inputs named for a tenant. Each is an input of its own: a path also given as an input is read once, and a path
   * named for several tenants is read once per tenant (a fleet deployed from one template is several tenants). A
   * template file inside an input assembly is taken from the assembly (its account and region kept) for the first
   * tenant that names it. @default - none
   */
  readonly tenantInputs?: readonly TenantInput[];
  /** The account of a tenant; each must name a tenant of the inputs (else a UsageError). @default - none */
  readonly accounts?: ReadonlyMap<string, string>;
  readonly require?: IsolationLevel;
}

/** Reads, groups and evaluates template inputs: the whole template verification, without output. */
export function verifyTemplates(inputs: readonly string[], options: VerifyTemplatesOptions = {}): VerifyResult {
  const { templates, errors } = readVerifyInputs(inputs, options.tenantInputs ?? []);
  const models = buildTenantModels(templates, { accountOf: options.accounts });
  if (options.accounts) {
    checkAccountsNameTenants(options.accounts, [...models.map((m) => m.id), ...(options.tenantInputs ?? []).map((t) => t.tenant)], errors.length);
  }
  return { tenants: evaluateTemplates(models, { require: options.require }), errors, source: 'template' };
}

/** Reads the plain inputs, then each tenant input, tagging its templates with the tenant. */
function readVerifyInputs(inputs: readonly string[], tenantInputs: readonly TenantInput[]): ReadResult {
  const named = new Set(tenantInputs.map((t) => path.resolve(t.path)));
  const plain = [...new Set(inputs.map((p) => path.resolve(p)))].filter((p) => !named.has(p));
  const { templates, errors } = readInputs(plain, { digest: false });
  const done = new Set<string>();
  for (const { tenant, path: p } of tenantInputs) {
    const file = path.resolve(p);
    const key = `${tenant}\u0000${file}`;
    if (done.has(key)) continue;
    done.add(key);
    const inAssembly = templates.find((t) => t.tenant === undefined && path.resolve(t.file) === file);
    if (inAssembly) {
      // Its nested stacks go with it.
      for (let i = 0; i < templates.length; i++) {
        const t = templates[i]!;
        const nestedUnder = t.assemblyDir === inAssembly.assemblyDir && t.stackName.startsWith(`${inAssembly.stackName}/`);
        if (t === inAssembly || (nestedUnder && t.tenant === undefined)) templates[i] = { ...t, tenant };
      }
      continue;
    }
    const read = readInputs([file], { digest: false });
    templates.push(...read.templates.map((t) => ({ ...t, tenant })));
    for (const e of read.errors) if (!errors.some((x) => x.file === e.file && x.message === e.message)) errors.push(e);
  }
  return { templates, errors };
}
