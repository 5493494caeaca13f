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
import { buildEvidence, type EvidencePack } from '../report/evidence';
import { renderHtml } from '../report/html';
import { renderMarkdown } from '../report/markdown';
import { tenantPack, type TenantIdentifiers } from '../report/tenant-pack';
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
  --tenant <id>         a customer's pack: write <dir>/<id>/ covering that tenant only, naming no other
                        (repeatable); the fleet rules still compare it with every tenant of the inputs
  --per-tenant          one customer pack per tenant, each in <dir>/<id>/
  --fleet-secret-file <file>  the vendor's fleet secret (or EXCLUSIVE_DESK_FLEET_SECRET): customer packs name the
                        other tenants only by HMAC-SHA-256 under it
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
  tenant: { type: 'string', multiple: true },
  'per-tenant': { type: 'boolean' },
  'fleet-secret-file': { type: 'string' },
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

/** The fleet secret keying the other tenants' digests in a customer's pack: a file, or EXCLUSIVE_DESK_FLEET_SECRET. */
function fleetSecret(values: ReportValues, io: CliIO): Buffer {
  let secret: Buffer | undefined;
  const file = values['fleet-secret-file'];
  if (file) {
    try {
      secret = fs.readFileSync(path.resolve(io.cwd, file));
    } catch (e) {
      throw new UsageError(
        `--fleet-secret-file ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      );
    }
    secret = Buffer.from(secret.toString('utf8').trim(), 'utf8');
  } else if (io.env.EXCLUSIVE_DESK_FLEET_SECRET) secret = Buffer.from(io.env.EXCLUSIVE_DESK_FLEET_SECRET, 'utf8');
  if (!secret)
    throw new UsageError(
      'a customer pack (--tenant, --per-tenant) names the other tenants by keyed digests: give the fleet secret with --fleet-secret-file <file> or EXCLUSIVE_DESK_FLEET_SECRET',
    );
  if (secret.length < 16) throw new UsageError(`the fleet secret must be at least 16 bytes, got ${secret.length}`);
  return secret;
}

/** What names each tenant in the inputs: id, account, stack names, its template and manifest files. */
function tenantIdentifiers(pack: EvidencePack, manifests: readonly TenantManifest[], cwd: string): TenantIdentifiers[] {
  return pack.tenants.map((t) => {
    const files = [
      ...pack.templates.filter((x) => x.tenant === t.id).map((x) => x.file),
      ...manifests.filter((m) => m.id === t.id).map((m) => path.relative(cwd, m.file)),
      ...(t.licence.manifestFile ? [t.licence.manifestFile] : []),
    ];
    const names = [...t.stacks.map((s) => s.name), ...files, ...files.map((f) => path.basename(f))];
    return { id: t.id, account: t.account, names: [...new Set(names)] };
  });
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
  const project = projectState();
  const built = buildEvidence(result, templates, manifests, {
    today,
    now,
    inputs: positionals,
    tenantsDir: values['tenants-dir'],
    baseDir: io.cwd,
    assembly,
  });
  const revision = project.describe ?? (project.commit !== 'unknown' ? project.commit.slice(0, 12) : undefined);
  const pack: EvidencePack = revision ? { ...built, tool: { ...built.tool, revision } } : built;
  // Which packs: the fleet pack, or one pack per customer in <dir>/<id>/ naming no other tenant.
  const selected = values['per-tenant'] ? pack.tenants.map((t) => t.id) : [...new Set(values.tenant ?? [])];
  const unknown = selected.filter((id) => !pack.tenants.some((t) => t.id === id));
  if (unknown.length)
    throw new UsageError(
      `--tenant ${unknown.join(', ')}: not a tenant of the inputs or manifests; tenants: ${pack.tenants.map((t) => t.id).join(', ')}`,
    );
  const jobs: { dir: string; pack: EvidencePack; owns: (file: string) => boolean }[] = [];
  if (selected.length === 0) jobs.push({ dir: outDir, pack, owns: () => true });
  else {
    const secret = fleetSecret(values, io);
    const identifiers = tenantIdentifiers(pack, manifests, io.cwd);
    for (const id of selected) {
      const ownFiles = new Set(pack.templates.filter((t) => t.tenant === id).map((t) => path.resolve(io.cwd, t.file)));
      const ownNames = pack.tenants.find((t) => t.id === id)!.stacks.map((s) => s.name);
      const owns = (file: string): boolean => {
        const abs = path.resolve(io.cwd, file);
        const base = path.basename(abs);
        if (ownFiles.has(abs)) return true;
        if (/\.(assets|metadata)\.json$/.test(base)) return ownNames.some((n) => base.startsWith(`${n}.`));
        if (manifests.some((m) => path.resolve(m.file) === abs))
          return manifests.some((m) => m.id === id && path.resolve(m.file) === abs);
        if (templates.some((t) => path.resolve(t.file) === abs)) return false;
        return true; // the assembly manifest and validation report: shared by the fleet, named by digest only
      };
      const tenantInputs = positionals.filter((p) => {
        const abs = path.resolve(io.cwd, p);
        return (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) || ownFiles.has(abs);
      });
      jobs.push({
        dir: path.join(outDir, id),
        pack: tenantPack(pack, { tenant: id, identifiers, secret, inputs: tenantInputs }),
        owns,
      });
    }
  }

  // Render (and sign) every pack before writing anything: an error leaves nothing behind.
  const rendered: { dir: string; pack: EvidencePack; files: PackFile[]; attestation?: string }[] = [];
  for (const job of jobs) {
    const files: PackFile[] = [
      { name: 'report.html', content: renderHtml(job.pack) },
      { name: 'report.md', content: renderMarkdown(job.pack) },
    ];
    let attestation: string | undefined;
    if (signers.length > 0) {
      const tenantsDir = manifests.length ? path.resolve(io.cwd, values['tenants-dir'] ?? 'tenants') : undefined;
      try {
        attestation = (
          await attestPack({
            files,
            inputs: attestedInputs(inputs, templates, assembly, manifests).filter((i) => job.owns(i.file)),
            baseDir: io.cwd,
            signers,
            predicate: {
              project,
              tenantManifests: manifestsState(tenantsDir, tenantsDir && (values['tenants-dir'] ?? 'tenants')),
              ruleCatalogue: ruleCatalogueVersion(),
              generatedAt: job.pack.generatedAt,
              today,
              evidence: job.pack.source,
              verdict: {
                fleet: job.pack.fleet.verdict,
                tenants: job.pack.tenants.map((t) => ({ id: t.id, verdict: t.verdict ?? 'not verified' })),
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
    rendered.push({ dir: job.dir, pack: job.pack, files, attestation });
  }

  const rel = (f: string): string => path.relative(io.cwd, f) || f;
  const written: string[] = [];
  try {
    for (const r of rendered) {
      fs.mkdirSync(r.dir, { recursive: true });
      for (const f of r.files) {
        writeOutput(
          path.join(r.dir, f.name),
          typeof f.content === 'string' ? f.content : Buffer.from(f.content).toString(),
        );
        written.push(path.join(r.dir, f.name));
      }
      const attestationFile = path.join(r.dir, ATTESTATION_FILE);
      if (r.attestation !== undefined) writeOutput(attestationFile, r.attestation);
      // An attestation of an earlier run would not match this pack.
      else fs.rmSync(attestationFile, { force: true });
    }
  } catch (e) {
    // Never leave one report beside another of another run.
    for (const w of written) fs.rmSync(w, { force: true });
    throw e;
  }
  for (const r of rendered) {
    const f = r.pack.fleet;
    const html = rel(path.join(r.dir, 'report.html'));
    const md = rel(path.join(r.dir, 'report.md'));
    io.stdout(
      `wrote ${html}${r.attestation ? `, ${md} and ${rel(path.join(r.dir, ATTESTATION_FILE))}` : ` and ${md}`}: ${f.tenants} tenant${f.tenants === 1 ? '' : 's'}, ${f.passed} pass, ${f.failed} fail` +
        `${f.missing ? `, ${f.missing} not in the inputs` : ''}\n`,
    );
  }
  const reported = rendered.flatMap((r) => r.pack.tenants.map((t) => t.id));
  for (const t of pack.tenants.filter((x) => reported.includes(x.id))) {
    if (t.verdict === 'fail')
      io.stderr(
        `exclusive-desk report: FAIL ${t.id}: ${t.failures.length} error finding(s), first: ${t.failures[0]?.rule} ${t.failures[0]?.resource}\n`,
      );
    if (t.licence.status === 'expired' || t.licence.status === 'due')
      io.stderr(
        `exclusive-desk report: licence of ${t.id} ${t.licence.status === 'due' ? 'is due for review' : 'has expired'} (review by ${t.licence.reviewBy})\n`,
      );
  }
  return rendered.some((r) => r.pack.fleet.failed > 0) ? EXIT.FAILED : EXIT.OK;
}
