/**
 * Signing and verifying an evidence pack's attestation: an in-toto Statement in a DSSE envelope, written to
 * `attestation.dsse.json` in the pack directory.
 *
 * Verification answers, by name: is the envelope signed by the given key, does every pack file and every input still
 * have the SHA-256 the statement records, and is there a file in the pack the statement does not name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  parseEnvelope,
  signEnvelope,
  verifyEnvelope,
  EnvelopeFormatError,
  type DsseSigner,
  type DsseVerifier,
} from './dsse';
import {
  ATTESTATION_FILE,
  buildStatement,
  fileSha256,
  INTOTO_PAYLOAD_TYPE,
  PREDICATE_TYPE,
  sha256Hex,
  STATEMENT_TYPE,
  subjectName,
  type EvidencePredicate,
  type Statement,
  type Subject,
  type SubjectRole,
} from './statement';

/** One file of the pack, as rendered (hashed before it is written). */
export interface PackFile {
  readonly name: string;
  readonly content: string | Uint8Array;
}

/** One input that decided the pack. `sha256` is the digest as read for the verdicts, when the reader kept it. */
export interface AttestedInput {
  readonly file: string;
  readonly role: Exclude<SubjectRole, 'pack'>;
  readonly sha256?: string;
}

export interface AttestOptions {
  readonly files: readonly PackFile[];
  readonly inputs: readonly AttestedInput[];
  /** Input subject names are relative to this directory (where the report ran). */
  readonly baseDir: string;
  readonly predicate: Omit<EvidencePredicate, 'tool'>;
  readonly signers: readonly DsseSigner[];
}

/** Builds and signs the statement; returns the envelope as the JSON text to write. */
export async function attestPack(options: AttestOptions): Promise<{ json: string; statement: Statement }> {
  const subjects: Subject[] = options.files.map((f) => ({
    name: f.name,
    digest: { sha256: sha256Hex(f.content) },
    annotations: { role: 'pack' },
  }));
  for (const input of options.inputs) {
    const sha256 = input.sha256 ?? fileSha256(input.file);
    if (!sha256) throw new Error(`cannot attest ${input.file}: it cannot be read`);
    subjects.push({
      name: subjectName(input.file, options.baseDir),
      digest: { sha256 },
      annotations: { role: input.role },
    });
  }
  const statement = buildStatement(subjects, options.predicate);
  const envelope = await signEnvelope(
    INTOTO_PAYLOAD_TYPE,
    Buffer.from(JSON.stringify(statement), 'utf8'),
    options.signers,
  );
  return { json: `${JSON.stringify(envelope, null, 2)}\n`, statement };
}

/** Why `attest verify` cannot run at all (exit 2): the attestation is missing or not one of ours. */
export class AttestationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttestationInputError';
  }
}

export interface Problem {
  readonly kind: 'signature' | 'changed' | 'missing' | 'unexpected';
  /** The subject name (or the attestation file for a signature problem). */
  readonly name: string;
  readonly message: string;
}

export interface VerifyOutcome {
  readonly statement?: Statement;
  readonly problems: readonly Problem[];
  readonly packFiles: number;
  readonly inputs: number;
  /** Inputs not checked (`packOnly`). */
  readonly inputsSkipped: boolean;
}

export interface VerifyAttestationOptions {
  /** Input subjects are resolved against this directory (where the report ran). */
  readonly inputsDir: string;
  /** Check the pack files only (the inputs are not at hand). @default false */
  readonly packOnly?: boolean;
}

function readStatement(body: Buffer, file: string): Statement {
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AttestationInputError(`${file}: the signed payload is not JSON`);
  }
  const s = data as Partial<Statement> | null;
  if (!s || typeof s !== 'object' || s._type !== STATEMENT_TYPE)
    throw new AttestationInputError(
      `${file}: the payload is not an in-toto Statement (_type must be ${STATEMENT_TYPE})`,
    );
  if (s.predicateType !== PREDICATE_TYPE)
    throw new AttestationInputError(
      `${file}: predicateType is ${JSON.stringify(s.predicateType)}, expected ${PREDICATE_TYPE}`,
    );
  if (!Array.isArray(s.subject)) throw new AttestationInputError(`${file}: subject must be an array`);
  s.subject.forEach((sub: unknown, i) => {
    const o = sub as Partial<Subject> | null;
    if (
      !o ||
      typeof o.name !== 'string' ||
      !o.name ||
      typeof o.digest?.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(o.digest.sha256)
    )
      throw new AttestationInputError(`${file}: subject[${i}] needs a name and a 64-digit hex digest.sha256`);
  });
  return s as Statement;
}

/** Verifies the attestation in `dir` against a trusted key. Throws AttestationInputError for bad input. */
export function verifyAttestation(
  dir: string,
  verifier: DsseVerifier,
  options: VerifyAttestationOptions,
): VerifyOutcome {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new AttestationInputError(`${dir}: no such directory`);
  const file = path.join(dir, ATTESTATION_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new AttestationInputError(
      `${file}: no attestation (was the pack written with --sign-key or --sign-kms-key?)`,
    );
  }
  let envelope;
  try {
    envelope = parseEnvelope(JSON.parse(text));
  } catch (e) {
    if (e instanceof EnvelopeFormatError) throw new AttestationInputError(`${file}: not a DSSE envelope: ${e.message}`);
    throw new AttestationInputError(`${file}: not JSON`);
  }
  const check = verifyEnvelope(envelope, [verifier], [INTOTO_PAYLOAD_TYPE]);
  const problems: Problem[] = [];
  if (!check.supportedType)
    problems.push({
      kind: 'signature',
      name: ATTESTATION_FILE,
      message: `payloadType ${JSON.stringify(envelope.payloadType)} is not ${INTOTO_PAYLOAD_TYPE}`,
    });
  if (check.acceptedKeys === 0) {
    const ids = envelope.signatures.map((s) => s.keyid ?? '(no keyid)').join(', ');
    problems.push({
      kind: 'signature',
      name: ATTESTATION_FILE,
      message: `no signature verifies with the given public key (signed by ${ids}): another key signed it, or the envelope was changed`,
    });
    // An unverified statement is not evidence: do not compare digests against it.
    return { problems, packFiles: 0, inputs: 0, inputsSkipped: !!options.packOnly };
  }
  const statement = readStatement(check.body, file);
  const pack = statement.subject.filter((s) => s.annotations?.role === 'pack');
  const inputs = statement.subject.filter((s) => s.annotations?.role !== 'pack');
  const compare = (s: Subject, resolved: string): void => {
    const actual = fileSha256(resolved);
    if (actual === undefined)
      problems.push({ kind: 'missing', name: s.name, message: `${s.name} is missing (${describe(s)})` });
    else if (actual !== s.digest.sha256)
      problems.push({
        kind: 'changed',
        name: s.name,
        message: `${s.name} was changed (${describe(s)}): its SHA-256 is ${actual}, the attestation records ${s.digest.sha256}`,
      });
  };
  for (const s of pack) compare(s, path.resolve(dir, s.name));
  const named = new Set(pack.map((s) => path.normalize(s.name)));
  for (const f of listFiles(dir)) {
    if (f === ATTESTATION_FILE || named.has(path.normalize(f))) continue;
    problems.push({ kind: 'unexpected', name: f, message: `${f} is in the pack but not in the attestation` });
  }
  if (!options.packOnly) for (const s of inputs) compare(s, path.resolve(options.inputsDir, s.name));
  return { statement, problems, packFiles: pack.length, inputs: inputs.length, inputsSkipped: !!options.packOnly };
}

function describe(s: Subject): string {
  return s.annotations?.role === 'pack' ? 'a file of the pack' : `input: ${s.annotations?.role ?? 'unknown role'}`;
}

/** Every regular file under dir, relative, with forward slashes; subdirectories holding their own attestation
 * (per-tenant packs under a fleet pack) are separate packs and are skipped. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (fs.existsSync(path.join(dir, rel, ATTESTATION_FILE))) continue;
      out.push(...listFiles(dir, rel));
    } else out.push(rel);
  }
  return out.sort();
}
