/**
 * `exclusive-desk report <cdk.out | templates...> --output <dir>`: writes the auditor evidence pack, report.html (one
 * self-contained page) and report.md, into <dir>.
 *
 * Exit 0 when every tenant passes, 1 when any tenant fails (the report is still written: it says why), 2 for bad input
 * (an unreadable or invalid input file, invalid manifests, a bad flag). On bad input nothing is written: a report of
 * part of the fleet would read as the whole of it. Each file is written whole or not at all (writeOutput).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readInputs } from '../assembly/read';
import { buildTenantModels } from '../assembly/tenants';
import { evaluateTemplates } from '../isolation/engine';
import { loadManifests, ManifestError, todayUtc } from '../manifest/load';
import type { TenantManifest } from '../manifest/schema';
import { readAssemblyEvidence } from '../report/assembly';
import { buildEvidence } from '../report/evidence';
import { renderHtml } from '../report/html';
import { renderMarkdown } from '../report/markdown';
import { isoDate, parseCommandArgs } from './args';
import { EXIT, UsageError, type CliIO, type Command } from './io';
import { writeOutput } from './output';

export const REPORT_USAGE = `usage: exclusive-desk report <cdk.out | template.json | template.yaml>... --output <dir> [options]

Writes the auditor evidence pack into <dir>: report.html (one self-contained page that works offline from a
file:// URL) and report.md. Per tenant: the rules with their evidence by concern, a picture of the boundary,
the compliance mapping with the cdk-nag result, what is still shared with the vendor or AWS, and the SHA-256 of
every template with the commands to re-run the checks.

options:
  --output <dir>        where to write report.html and report.md (created if missing; required)
  --tenants-dir <dir>   the tenant manifests, for licence status and tenants missing from the inputs
                        (default tenants; skipped when the default does not exist)
  --today YYYY-MM-DD    the date licence review dates are judged against (default: today, UTC)
  -h, --help            show this help

The generation time is now, or SOURCE_DATE_EPOCH (seconds) when set, for reproducible reports.

exit codes: 0 every tenant passes, 1 a tenant fails (the report is still written), 2 bad input (nothing written)
`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  'tenants-dir': { type: 'string' },
  today: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The generation time: SOURCE_DATE_EPOCH (reproducible builds) or now. */
function generationTime(env: CliIO['env']): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return new Date();
  if (!/^\d+$/.test(epoch)) throw new UsageError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${epoch}"`);
  return new Date(Number(epoch) * 1000);
}

function readManifests(io: CliIO, given: string | undefined, today: string): TenantManifest[] {
  const dir = path.resolve(io.cwd, given ?? 'tenants');
  if (given === undefined && !fs.existsSync(dir)) return [];
  try {
    return loadManifests(dir, { today, allowExpired: true });
  } catch (e) {
    if (e instanceof ManifestError) throw new UsageError(e.message);
    throw e;
  }
}

/** The command: a promise of the exit code (the work itself is synchronous; a throw becomes a rejection). */
export const reportCommand: Command = (argv, io) => new Promise<number>((resolve) => resolve(runReport(argv, io)));

/** Writes the evidence pack for the given arguments; returns the exit code, throws UsageError for bad input. */
export function runReport(argv: readonly string[], io: CliIO): number {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, {
    min: 1,
    names: 'cloud assembly directories or template files',
  });
  if (values.help) {
    io.stdout(REPORT_USAGE);
    return EXIT.OK;
  }
  if (!values.output)
    throw new UsageError('--output <dir> is required: the directory to write report.html and report.md into');
  const today = isoDate('today', values.today) ?? todayUtc();
  const now = generationTime(io.env);
  const outDir = path.resolve(io.cwd, values.output);
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory())
    throw new UsageError(`--output ${values.output} exists and is not a directory`);

  const inputs = positionals.map((p) => path.resolve(io.cwd, p));
  const { templates, errors } = readInputs(inputs);
  if (errors.length > 0 || templates.length === 0) {
    for (const e of errors)
      io.stderr(`exclusive-desk report: ${path.relative(io.cwd, e.file) || e.file}: ${e.message}\n`);
    if (templates.length === 0 && errors.length === 0)
      io.stderr('exclusive-desk report: no templates found in the inputs\n');
    io.stderr('exclusive-desk report: nothing written: the report must cover every input\n');
    return EXIT.BAD_INPUT;
  }
  const manifests = readManifests(io, values['tenants-dir'], today);

  const result = { tenants: evaluateTemplates(buildTenantModels(templates)), errors, source: 'template' as const };
  const pack = buildEvidence(result, templates, manifests, {
    today,
    now,
    inputs: positionals,
    tenantsDir: values['tenants-dir'],
    baseDir: io.cwd,
    assembly: readAssemblyEvidence(templates),
  });
  // Render both before writing either: a rendering error leaves nothing behind.
  const html = renderHtml(pack);
  const markdown = renderMarkdown(pack);

  fs.mkdirSync(outDir, { recursive: true });
  const htmlFile = path.join(outDir, 'report.html');
  const mdFile = path.join(outDir, 'report.md');
  writeOutput(mdFile, markdown);
  try {
    writeOutput(htmlFile, html);
  } catch (e) {
    // Never leave a Markdown report beside an HTML report of another run.
    fs.rmSync(mdFile, { force: true });
    throw e;
  }

  const rel = (f: string): string => path.relative(io.cwd, f) || f;
  const f = pack.fleet;
  io.stdout(
    `wrote ${rel(htmlFile)} and ${rel(mdFile)}: ${f.tenants} tenant${f.tenants === 1 ? '' : 's'}, ${f.passed} pass, ${f.failed} fail` +
      `${f.missing ? `, ${f.missing} not in the inputs` : ''}\n`,
  );
  for (const t of pack.tenants) {
    if (t.verdict === 'fail')
      io.stderr(
        `exclusive-desk report: FAIL ${t.id}: ${t.failures.length} error finding(s), first: ${t.failures[0]?.rule} ${t.failures[0]?.resource}\n`,
      );
    if (t.licence.status === 'expired' || t.licence.status === 'due')
      io.stderr(
        `exclusive-desk report: licence of ${t.id} ${t.licence.status === 'due' ? 'is due for review' : 'has expired'} (review by ${t.licence.reviewBy})\n`,
      );
  }
  return f.failed > 0 ? EXIT.FAILED : EXIT.OK;
}
