/**
 * `exclusive-desk guard <baseline> <candidate>`: exit 1 when a stateful resource would be replaced or removed.
 * The logic lives in lib/guard; this file parses flags, reads the inputs and prints.
 */
import * as path from 'node:path';
import {
  GuardInputError,
  guardTemplates,
  readGuardInputs,
  renderGuardJson,
  renderGuardText,
  type GuardReport,
  type StackPair,
} from '../guard';
import type { LoadedTemplate } from '../assembly/read';
import { oneOf, parseCommandArgs } from './args';
import { EXIT, UsageError, type CliIO, type Command } from './io';

const USAGE = `usage: exclusive-desk guard <baseline> <candidate> [options]
       exclusive-desk guard --baseline <path> [--baseline <path> ...] --candidate <path> [...] [options]

Fails (exit 1) when deploying the candidate over the baseline would replace or remove a stateful resource
(database, search domain, key, VPC, subnet, secret, log group, backup vault, HSM custom resources, ...).
Each side is a cloud assembly directory (cdk.out), CloudFormation template files (JSON or YAML), or
\`aws cloudformation get-template\` output. Stacks are paired by stack name (a template file's name is its file
name); when each side holds one stack they are compared whatever their names; otherwise pair them with --stack.

options:
  --format text|json        output format (default text)
  --stack <name>            compare only this stack (repeatable)
  --stack <old>=<new>       compare baseline stack <old> with candidate stack <new> (repeatable)
  --stateful-type <type>    also treat this resource type as stateful (repeatable)
  --allow <stack>/<id>      acknowledge a reviewed finding: reported, not failing (repeatable)
  --strict                  treat every conditional replacement as a replacement, without exceptions
  -h, --help                show this help

exit codes: 0 no stateful resource replaced or removed, 1 at least one is, 2 bad input
`;

const OPTIONS = {
  baseline: { type: 'string', multiple: true },
  candidate: { type: 'string', multiple: true },
  format: { type: 'string' },
  stack: { type: 'string', multiple: true },
  'stateful-type': { type: 'string', multiple: true },
  allow: { type: 'string', multiple: true },
  strict: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const guardCommand: Command = async (argv, io) => {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, {
    max: 2,
    names: 'arguments <baseline> <candidate>',
  });
  if (values.help) {
    io.stdout(USAGE);
    return EXIT.OK;
  }
  const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
  const [baselinePaths, candidatePaths] = sides(values.baseline, values.candidate, positionals);

  const baseline = readSide('baseline', baselinePaths, io);
  const candidate = readSide('candidate', candidatePaths, io);
  if (!baseline || !candidate) return EXIT.BAD_INPUT;

  const names: string[] = [];
  const pairs: StackPair[] = [];
  for (const raw of values.stack ?? []) {
    const eq = raw.indexOf('=');
    if (eq === -1) names.push(raw);
    else if (eq > 0 && eq < raw.length - 1) pairs.push({ baseline: raw.slice(0, eq), candidate: raw.slice(eq + 1) });
    else throw new UsageError(`--stack must be <name> or <baseline stack>=<candidate stack>, got "${raw}"`);
  }
  for (const name of names) {
    if (![...baseline, ...candidate].some((t) => t.stackName === name)) {
      throw new UsageError(`--stack ${name} matches no stack in the baseline or the candidate`);
    }
  }
  let report: GuardReport;
  try {
    report = guardTemplates(baseline, candidate, {
      stacks: names,
      pairs,
      allow: values.allow,
      extraStatefulTypes: values['stateful-type'],
      strict: values.strict,
    });
  } catch (e) {
    if (e instanceof GuardInputError) {
      io.stderr(`exclusive-desk guard: ${e.message}\n`);
      return EXIT.BAD_INPUT;
    }
    throw e;
  }
  io.stdout(format === 'json' ? renderGuardJson(report) : renderGuardText(report));
  return report.passed ? EXIT.OK : EXIT.FAILED;
};

function sides(
  baseline: readonly string[] | undefined,
  candidate: readonly string[] | undefined,
  positionals: readonly string[],
): [readonly string[], readonly string[]] {
  if (baseline || candidate) {
    if (positionals.length > 0) {
      throw new UsageError(
        'give the baseline and candidate either as two arguments or with --baseline/--candidate, not both',
      );
    }
    if (!baseline?.length || !candidate?.length) throw new UsageError('--baseline and --candidate are both required');
    return [baseline, candidate];
  }
  if (positionals.length !== 2) {
    throw new UsageError(
      `expected two arguments <baseline> <candidate>, got ${positionals.length === 0 ? 'none' : positionals.length}`,
    );
  }
  return [[positionals[0]!], [positionals[1]!]];
}

/** Reads one side; prints every input error (one line each) and returns undefined when there is any. */
function readSide(label: string, paths: readonly string[], io: CliIO): LoadedTemplate[] | undefined {
  const rel = (file: string) => path.relative(io.cwd, file) || '.';
  const { templates, errors } = readGuardInputs(paths.map((p) => path.resolve(io.cwd, p)));
  for (const e of errors) io.stderr(`exclusive-desk guard: ${label}: ${rel(e.file)}: ${e.message}\n`);
  if (errors.length > 0) return undefined;
  if (templates.length === 0) {
    io.stderr(`exclusive-desk guard: ${label}: no stack templates in ${paths.join(', ')}\n`);
    return undefined;
  }
  return templates.map((t) => ({ ...t, file: rel(t.file) }));
}
