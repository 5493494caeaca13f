/**
 * The in-toto Statement (v1) that an evidence pack's attestation signs
 * (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md): `_type`
 * `https://in-toto.io/Statement/v1`, one subject per file (a ResourceDescriptor with `name` and `digest.sha256`, and
 * an `annotations.role` saying what the file is), our own `predicateType` and the predicate: which tool version, at
 * which commit, with which rule catalogue, judged which inputs when.
 *
 * Subjects are every file of the pack and every input that decided it: the templates, the cloud assembly's
 * manifest, asset manifests and stack metadata, its validation report, and the tenant manifests.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../isolation/rules';
import { PACKAGE_DIR, TOOL_NAME, TOOL_URI, TOOL_VERSION } from '../version';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** The DSSE payload type of an in-toto Statement (in-toto attestation spec, envelope layer). */
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** Our predicate: an isolation evidence pack. */
export const PREDICATE_TYPE = `${TOOL_URI}/attestation/evidence-pack/v1`;
/** The attestation file written beside the pack. */
export const ATTESTATION_FILE = 'attestation.dsse.json';

/** What a subject is. `pack` subjects live in the pack directory; the others are inputs. */
export type SubjectRole =
  | 'pack'
  | 'template'
  | 'assembly-manifest'
  | 'asset-manifest'
  | 'stack-metadata'
  | 'validation-report'
  | 'tenant-manifest'
  | 'live-evidence';

export interface Subject {
  /** Pack files: relative to the pack directory; inputs: relative to the directory the report ran in. */
  readonly name: string;
  readonly digest: { readonly sha256: string };
  readonly annotations: { readonly role: SubjectRole };
}

/** A git checkout's state, or `unknown` outside one (no git, not a repository). */
export interface GitState {
  readonly commit: string;
  /** `git describe --tags --always --dirty`. */
  readonly describe?: string;
  /** Uncommitted changes under the directory. */
  readonly dirty?: boolean;
}

export interface EvidencePredicate {
  readonly tool: { readonly name: string; readonly version: string; readonly uri: string };
  /** The exclusive-desk checkout that produced the pack. */
  readonly project: GitState;
  /** The tenant manifests: their directory and the last commit that touched it. */
  readonly tenantManifests:
    (GitState & { readonly directory: string }) | { readonly directory: null; readonly commit: 'none read' };
  readonly ruleCatalogue: { readonly rules: number; readonly digest: string };
  /** When the pack was generated (SOURCE_DATE_EPOCH when set), ISO 8601 UTC. */
  readonly generatedAt: string;
  /** The date licence status was judged on. */
  readonly today: string;
  /** `template`: synthesized templates only; `template+live`: with a saved live run. */
  readonly evidence: string;
  readonly verdict: {
    readonly fleet: 'pass' | 'fail';
    readonly tenants: readonly { readonly id: string; readonly verdict: string }[];
  };
}

export interface Statement {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: readonly Subject[];
  readonly predicateType: string;
  readonly predicate: EvidencePredicate;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of a file's bytes; undefined when it cannot be read. */
export function fileSha256(file: string): string | undefined {
  try {
    return sha256Hex(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

/**
 * A stable digest of the rule catalogue as it decides (ids, titles, severities, levels, concerns, controls): it
 * changes whenever a rule is added, removed or changes what it proves.
 */
export function ruleCatalogueVersion(): { rules: number; digest: string } {
  const data = RULES.map((r) => [r.id, r.title, r.severity, r.proves ?? null, r.concern, r.controls]);
  return { rules: RULES.length, digest: `sha256:${sha256Hex(JSON.stringify(data))}` };
}

function git(dir: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}

/** The git state of a directory: HEAD (or the last commit touching `scope`), describe, dirtiness. */
export function gitState(dir: string, scope?: string): GitState {
  if (!fs.existsSync(dir)) return { commit: 'unknown' };
  const commit =
    scope !== undefined ? git(dir, ['log', '-1', '--format=%H', '--', scope]) : git(dir, ['rev-parse', 'HEAD']);
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return { commit: 'unknown' };
  const describe = scope === undefined ? git(dir, ['describe', '--tags', '--always', '--dirty']) : undefined;
  const status = git(dir, ['status', '--porcelain', '--', scope ?? '.']);
  return { commit, ...(describe ? { describe } : {}), ...(status !== undefined ? { dirty: status.length > 0 } : {}) };
}

/** The project checkout the tool runs from. */
export function projectState(): GitState {
  return gitState(PACKAGE_DIR);
}

/** The tenant manifests' directory state (the last commit that touched it). */
export function manifestsState(
  dir: string | undefined,
  displayDir: string | undefined,
): EvidencePredicate['tenantManifests'] {
  if (!dir || !displayDir) return { directory: null, commit: 'none read' };
  return { directory: displayDir, ...gitState(dir, '.') };
}

export function buildStatement(subjects: readonly Subject[], predicate: Omit<EvidencePredicate, 'tool'>): Statement {
  const seen = new Set<string>();
  const unique = subjects.filter((s) => {
    const key = `${s.annotations.role === 'pack' ? 'pack' : 'input'}:${s.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    _type: STATEMENT_TYPE,
    subject: unique,
    predicateType: PREDICATE_TYPE,
    predicate: { tool: { name: TOOL_NAME, version: TOOL_VERSION, uri: TOOL_URI }, ...predicate },
  };
}

/** A subject name for a file: relative to `baseDir` with forward slashes when inside it, else absolute. */
export function subjectName(file: string, baseDir: string): string {
  const r = path.relative(baseDir, file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r.split(path.sep).join('/') : path.resolve(file);
}
