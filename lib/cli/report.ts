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
import { KMSClient } from '@aws-sdk/client-kms';
import { attestPack, type AttestedInput, type PackFile } from '../attest/attestation';
import type { DsseSigner } from '../attest/dsse';
import { ed25519Signer, KeyError, KMS_SIGNING_ALGORITHMS, kmsSigner } from '../attest/keys';
import { ATTESTATION_FILE, manifestsState, projectState, ruleCatalogueVersion } from '../attest/statement';
import { readInputs, type LoadedTemplate } from '../assembly/read';
import { buildTenantModels } from '../assembly/tenants';
import { evaluateTemplates } from '../isolation/engine';
import { loadManifests, ManifestError, todayUtc } from '../manifest/load';
import type { TenantManifest } from '../manifest/schema';
import { readAssemblyEvidence } from '../report/assembly';
import { buildEvidence } from '../report/evidence';
import { renderHtml } from '../report/html';
import { renderMarkdown } from '../report/markdown';
import { isoDate, oneOf, parseCommandArgs } from './args';
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
  --sign-key <pem>      also write ${ATTESTATION_FILE}: an in-toto Statement of every pack file and input
                        (SHA-256) in a DSSE envelope signed with this Ed25519 private key (PKCS #8 PEM)
  --sign-kms-key <arn>  sign with an AWS KMS asymmetric key (KeyUsage SIGN_VERIFY) instead; the SDK's
                        credentials; region from the ARN
  --sign-kms-algorithm ECDSA_SHA_256|RSASSA_PSS_SHA_256   (default ECDSA_SHA_256)
  -h, --help            show this help

Check a signed pack with: exclusive-desk attest verify <dir> --public-key <pem>

The generation time is now, or SOURCE_DATE_EPOCH (seconds) when set, for reproducible reports.

exit codes: 0 every tenant passes, 1 a tenant fails (the report is still written), 2 bad input (nothing written)
`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  'tenants-dir': { type: 'string' },
  today: { type: 'string' },
  'sign-key': { type: 'string' },
  'sign-kms-key': { type: 'string' },
  'sign-kms-algorithm': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type ReportValues = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

/** The signers the flags ask for (none: no attestation). Keys are loaded before any work, so bad keys write nothing. */
function signersOf(values: ReportValues, io: CliIO): DsseSigner[] {
  if (values['sign-key'] && values['sign-kms-key']) throw new UsageError('give --sign-key or --sign-kms-key, not both');
  if (values['sign-kms-algorithm'] && !values['sign-kms-key'])
    throw new UsageError('--sign-kms-algorithm needs --sign-kms-key');
  try {
    if (values['sign-key']) return [ed25519Signer(path.resolve(io.cwd, values['sign-key']))];
  } catch (e) {
    if (e instanceof KeyError) throw new UsageError(e.message);
    throw e;
  }
  const arn = values['sign-kms-key'];
  if (!arn) return [];
  const algorithm = oneOf('sign-kms-algorithm', values['sign-kms-algorithm'], KMS_SIGNING_ALGORITHMS, 'ECDSA_SHA_256');
  const region = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key|alias)\//.exec(arn)?.[1];
  if (!region)
    throw new UsageError(
      `--sign-kms-key must be a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id>), got "${arn}"`,
    );
  return [kmsSigner(new KMSClient({ region }), arn, algorithm)];
}

/** The inputs that decided the pack, for the attestation's subjects. */
function attestedInputs(
  inputs: readonly string[],
  templates: readonly LoadedTemplate[],
  assembly: ReturnType<typeof readAssemblyEvidence>,
  manifests: readonly TenantManifest[],
): AttestedInput[] {
  const out: AttestedInput[] = [];
  for (const input of inputs) {
    const manifest = path.join(input, 'manifest.json');
    if (fs.existsSync(manifest) && fs.statSync(input).isDirectory())
      out.push({ file: manifest, role: 'assembly-manifest' });
  }
  for (const t of templates) out.push({ file: t.file, role: 'template', sha256: t.sha256 });
  for (const f of assembly.files ?? []) out.push({ file: f.file, role: f.role });
  for (const m of manifests) out.push({ file: m.file, role: 'tenant-manifest' });
  return out;
}

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
export const reportCommand: Command = (argv, io) => runReport(argv, io);

/** Writes the evidence pack for the given arguments; returns the exit code, throws UsageError for bad input. */
export async function runReport(argv: readonly string[], io: CliIO): Promise<number> {
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

  const signers = signersOf(values, io);

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
  const assembly = readAssemblyEvidence(templates);

  const result = { tenants: evaluateTemplates(buildTenantModels(templates)), errors, source: 'template' as const };
  const pack = buildEvidence(result, templates, manifests, {
    today,
    now,
    inputs: positionals,
    tenantsDir: values['tenants-dir'],
    baseDir: io.cwd,
    assembly,
  });
  // Render (and sign) everything before writing anything: an error leaves nothing behind.
  const files: PackFile[] = [
    { name: 'report.html', content: renderHtml(pack) },
    { name: 'report.md', content: renderMarkdown(pack) },
  ];
  let attestation: string | undefined;
  if (signers.length > 0) {
    const tenantsDir = manifests.length ? path.resolve(io.cwd, values['tenants-dir'] ?? 'tenants') : undefined;
    try {
      attestation = (
        await attestPack({
          files,
          inputs: attestedInputs(inputs, templates, assembly, manifests),
          baseDir: io.cwd,
          signers,
          predicate: {
            project: projectState(),
            tenantManifests: manifestsState(tenantsDir, tenantsDir && (values['tenants-dir'] ?? 'tenants')),
            ruleCatalogue: ruleCatalogueVersion(),
            generatedAt: pack.generatedAt,
            today,
            evidence: pack.source,
            verdict: {
              fleet: pack.fleet.verdict,
              tenants: pack.tenants.map((t) => ({ id: t.id, verdict: t.verdict ?? 'not verified' })),
            },
          },
        })
      ).json;
    } catch (e) {
      const err = e as { name?: string; message?: string };
      throw new UsageError(
        `cannot sign the pack: ${err.name ?? 'Error'}: ${(err.message ?? String(e)).split('\n')[0]}`,
      );
    }
  }

  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  try {
    for (const f of files) {
      writeOutput(
        path.join(outDir, f.name),
        typeof f.content === 'string' ? f.content : Buffer.from(f.content).toString(),
      );
      written.push(path.join(outDir, f.name));
    }
    const attestationFile = path.join(outDir, ATTESTATION_FILE);
    if (attestation !== undefined) writeOutput(attestationFile, attestation);
    // An attestation of an earlier run would not match this pack.
    else fs.rmSync(attestationFile, { force: true });
  } catch (e) {
    // Never leave one report beside another of another run.
    for (const w of written) fs.rmSync(w, { force: true });
    throw e;
  }
  const htmlFile = path.join(outDir, 'report.html');
  const mdFile = path.join(outDir, 'report.md');

  const rel = (f: string): string => path.relative(io.cwd, f) || f;
  const f = pack.fleet;
  io.stdout(
    `wrote ${rel(htmlFile)}${attestation ? `, ${rel(mdFile)} and ${rel(path.join(outDir, ATTESTATION_FILE))}` : ` and ${rel(mdFile)}`}: ${f.tenants} tenant${f.tenants === 1 ? '' : 's'}, ${f.passed} pass, ${f.failed} fail` +
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
