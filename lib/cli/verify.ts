/**
 * `exclusive-desk verify <inputs...>`: verifies the isolation of cloud assemblies and templates, or (`--live`)
 * of deployed tenants. Exit 0 when every tenant meets its level with no error finding, 1 when any tenant fails,
 * 2 for bad input (unreadable file, not a template, bad flag).
 */
import * as path from 'node:path';
import { readInputs } from '../assembly/read';
import { buildTenantModels } from '../assembly/tenants';
import { evaluateTemplates } from '../isolation/engine';
import { isLevel, LEVELS, type IsolationLevel } from '../isolation/levels';
import { FORMATS, render, type VerifyResult } from '../report/formats';
import { oneOf, parseCommandArgs } from './args';
import { EXIT, UsageError, type CliIO, type Command } from './io';
import { writeOutput } from './output';

export const VERIFY_USAGE = `usage: exclusive-desk verify <cdk.out | template.json | template.yaml>... [options]
       exclusive-desk verify --live --tenant <id> [--region <region>] [options]

options:
  --tenant <id>=<file>     assign a template file to a tenant (repeatable); with --live: the tenant to check
  --account <id>=<digits>  the AWS account of a tenant when the input does not carry it (repeatable)
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

function pairs(flag: string, values: readonly string[] | undefined, valueCheck?: (v: string) => string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=');
    if (eq <= 0 || eq === raw.length - 1) throw new UsageError(`--${flag} must be <tenant>=<value>, got "${raw}"`);
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    const problem = valueCheck?.(value);
    if (problem) throw new UsageError(`--${flag} ${raw}: ${problem}`);
    out.set(key, value);
  }
  return out;
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
  const accounts = pairs('account', values.account, (v) => (/^\d{12}$/.test(v) ? undefined : 'the account must be 12 digits'));

  let result: VerifyResult;
  if (values.live) {
    if (positionals.length > 0) throw new UsageError('--live verifies deployed tenants; it takes no input files');
    const tenants = values.tenant ?? [];
    if (tenants.length === 0) throw new UsageError('--live needs --tenant <id> (repeatable)');
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
    if (positionals.length === 0) throw new UsageError('expected at least one cloud assembly directory or template file (see --help)');
    const tenantOfFile = new Map<string, string>();
    for (const raw of values.tenant ?? []) {
      const [tenant, file] = [...pairs('tenant', [raw])][0]!;
      tenantOfFile.set(path.resolve(io.cwd, file), tenant);
    }
    result = verifyTemplates(positionals.map((p) => path.resolve(io.cwd, p)), { tenantOfFile, accounts, require });
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

export interface VerifyTemplatesOptions {
  readonly tenantOfFile?: ReadonlyMap<string, string>;
  readonly accounts?: ReadonlyMap<string, string>;
  readonly require?: IsolationLevel;
}

/** Reads, groups and evaluates template inputs: the whole template verification, without output. */
export function verifyTemplates(inputs: readonly string[], options: VerifyTemplatesOptions = {}): VerifyResult {
  const { templates, errors } = readInputs(inputs, { digest: false });
  const models = buildTenantModels(templates, { tenantOfFile: options.tenantOfFile, accountOf: options.accounts });
  return { tenants: evaluateTemplates(models, { require: options.require }), errors, source: 'template' };
}
