/**
 * Reads and validates every tenant manifest, collecting every problem in every file before failing once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  GOVCLOUD_ONLY_REGIMES,
  GOVCLOUD_REGIONS,
  HSM_PHASES,
  knownKeys,
  manifestSchema,
  partitionOf,
  type TenantManifest,
} from './schema';
import { minimumBackupRetentionDays } from '../compliance/retention';
import { dedicatedTenancyProblem, instanceMemoryGiB } from '../sizing';

/** One problem in one manifest file. */
export interface ManifestProblem {
  readonly file: string;
  /** Dotted field path, e.g. `licence.reviewBy`; `(file)` for whole-file problems. */
  readonly field: string;
  readonly message: string;
  readonly line?: number;
}

/** Thrown when any manifest is invalid; its message lists every problem, one per line. */
export class ManifestError extends Error {
  constructor(public readonly problems: readonly ManifestProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in tenant manifests:\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ManifestError';
  }
}

export function formatProblem(p: ManifestProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.field}: ${p.message}`;
}

export interface LoadOptions {
  /** Today's date (UTC, YYYY-MM-DD), for licence expiry. @default - the current date */
  readonly today?: string;
  /**
   * Accept manifests whose licence review date has passed, instead of reporting it as a problem. For the licence
   * register, which must list expired licences; synth and deploy keep the default.
   * @default false
   */
  readonly allowExpired?: boolean;
}

/** Days before `reviewBy` from which a licence counts as due for review. */
export const REVIEW_DUE_DAYS = 30;

export type LicenceStatus = 'valid' | 'due' | 'expired';

export function licenceStatus(reviewBy: string, today: string): LicenceStatus {
  if (reviewBy < today) return 'expired';
  const days = (Date.parse(`${reviewBy}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000;
  return days <= REVIEW_DUE_DAYS ? 'due' : 'valid';
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Lists the manifest files of a directory (`*.yaml`, `*.yml`), sorted. */
export function manifestFiles(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ManifestError([{ file: dir, field: '(directory)', message: 'the tenants directory does not exist' }]);
  }
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Reads and validates every manifest in `dir`; throws one ManifestError listing every problem. */
export function loadManifests(dir: string, options: LoadOptions = {}): TenantManifest[] {
  const files = manifestFiles(dir);
  if (files.length === 0) {
    throw new ManifestError([{ file: dir, field: '(directory)', message: 'holds no tenant manifest (*.yaml)' }]);
  }
  return validateManifests(
    files.map((file) => ({ file, text: fs.readFileSync(file, 'utf8') })),
    options,
  );
}

/** Validates manifest texts (file name plus content); the pure core of `loadManifests`. */
export function validateManifests(
  inputs: readonly { file: string; text: string }[],
  options: LoadOptions = {},
): TenantManifest[] {
  const today = options.today ?? todayUtc();
  const problems: ManifestProblem[] = [];
  const manifests: TenantManifest[] = [];

  for (const { file, text } of inputs) {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        problems.push({
          file,
          field: '(yaml)',
          line: text.slice(0, err.pos[0]).split('\n').length,
          message: `YAML syntax error: ${err.message.split('\n')[0]}`,
        });
      }
      continue;
    }
    const data: unknown = doc.toJS();
    const lineOf = (fieldPath: readonly PropertyKey[]): number | undefined => {
      const node = doc.getIn(fieldPath as (string | number)[], true) as { range?: [number, number] } | undefined;
      const offset = node?.range?.[0];
      if (offset === undefined) return undefined;
      return text.slice(0, offset).split('\n').length;
    };
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      problems.push({ file, field: '(file)', message: 'must be a YAML mapping of manifest fields (id, account, ...)' });
      continue;
    }
    const fileProblem = (field: string, message: string, at: PropertyKey[]): void => {
      problems.push({ file, field, message, line: lineOf(at) });
    };
    // Checks across fields run on the raw data too, so one pass reports them beside schema problems.
    const raw = data as Record<string, unknown>;
    const rawLicence = (raw.licence ?? {}) as Record<string, unknown>;
    const base = path.basename(file).replace(/\.ya?ml$/, '');
    if (typeof raw.id === 'string' && base !== raw.id) {
      fileProblem('id', `must match the file name: the file is ${base}.yaml but id is "${raw.id}"`, ['id']);
    }
    if (
      !options.allowExpired &&
      typeof rawLicence.reviewBy === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(rawLicence.reviewBy) &&
      rawLicence.reviewBy < today
    ) {
      fileProblem(
        'licence.reviewBy',
        `the licence review date ${rawLicence.reviewBy} has passed (today is ${today}): review the licence and set a new date`,
        ['licence', 'reviewBy'],
      );
    }
    if (Array.isArray(raw.compliance) && typeof raw.region === 'string') {
      for (const regime of raw.compliance) {
        if ((GOVCLOUD_ONLY_REGIMES as readonly unknown[]).includes(regime) && !(GOVCLOUD_REGIONS as readonly string[]).includes(raw.region)) {
          fileProblem(
            'region',
            `regime "${String(regime)}" only allows ${GOVCLOUD_REGIONS.join(' or ')}, got ${raw.region}`,
            ['region'],
          );
        }
      }
    }
    const result = manifestSchema.safeParse(data, { reportInput: true });
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(...describeIssue(file, issue, lineOf));
      continue;
    }
    const m = result.data;
    if (m.isolation !== 'account' && m.network.searchCidr && overlaps(m.network.cidr, m.network.searchCidr)) {
      fileProblem('network.searchCidr', `must not overlap network.cidr ${m.network.cidr}`, ['network', 'searchCidr']);
    }
    if (m.isolation === 'account' && m.network.searchCidr) {
      fileProblem(
        'network.searchCidr',
        'applies only to isolation hardware or hsm (the second, default-tenancy VPC); isolation account has one VPC',
        ['network', 'searchCidr'],
      );
    }
    if (m.hsm && m.isolation !== 'hsm') {
      fileProblem('hsm', `applies only to isolation hsm, got isolation ${m.isolation}`, ['hsm']);
    }
    if (m.isolation === 'hsm' && !m.hsm?.phase) {
      fileProblem(
        'hsm.phase',
        `is required at isolation hsm: ${HSM_PHASES.join(' or ')} (cluster for the first deploy, complete after the ` +
          'initialisation ceremony; docs/hsm.md)',
        m.hsm ? ['hsm'] : ['isolation'],
      );
    }
    const instanceClass = m.database?.instanceClass;
    if (instanceClass) {
      const tenancy = m.isolation === 'account' ? undefined : dedicatedTenancyProblem(instanceClass);
      if (tenancy) {
        fileProblem('database.instanceClass', `${tenancy} (isolation ${m.isolation} runs the database on dedicated hardware)`, [
          'database',
          'instanceClass',
        ]);
      } else {
        try {
          instanceMemoryGiB(instanceClass);
        } catch (e) {
          fileProblem('database.instanceClass', (e as Error).message, ['database', 'instanceClass']);
        }
      }
    }
    const minimumRetention = minimumBackupRetentionDays(m.compliance);
    const retention = m.database?.backupRetentionDays;
    if (retention !== undefined && retention < minimumRetention) {
      fileProblem(
        'database.backupRetentionDays',
        `must be at least ${minimumRetention} days for regime ${m.compliance.join(', ')}, got ${retention}`,
        ['database', 'backupRetentionDays'],
      );
    }
    m.access.forEach((a, i) => {
      const problemAt = (field: string, message: string): void =>
        fileProblem(`access.${i}.${field}`, message, ['access', i, ...field.split('.')]);
      if (!options.allowExpired && a.expires < today) {
        problemAt('expires', `the ${a.kind} path for ${a.principal} expired on ${a.expires} (today is ${today}): review it and set a new date, or remove it`);
      }
      const principalAccount = /^\d{12}$/.test(a.principal) ? a.principal : a.principal.split(':')[4];
      if (principalAccount === m.account) {
        problemAt('principal', `${a.principal} is in the tenant's own account ${m.account}: declare only paths from outside it`);
      }
      if (a.kind === 'break-glass' && (a.constraints.mfa !== true || a.constraints.maxSessionHours === undefined)) {
        problemAt('constraints', 'a break-glass path must require MFA (constraints.mfa: true) and limit the session (constraints.maxSessionHours)');
      }
      if (a.kind !== 'delivery' && a.principal.endsWith('*')) {
        problemAt('principal', `a ${a.kind} path names one principal (its role trusts exactly it); only a delivery path may name a role pattern ending in "*"`);
      }
      const twin = m.access.findIndex((b, j) => j < i && b.kind === a.kind && b.principal === a.principal);
      if (twin >= 0) problemAt('principal', `declares the same ${a.kind} path as access.${twin}`);
    });
    const dataNodes = m.search?.dataNodes;
    if (dataNodes !== undefined && dataNodes % 3 !== 0) {
      fileProblem('search.dataNodes', `must be a multiple of 3 (zone awareness over 3 zones), got ${dataNodes}`, [
        'search',
        'dataNodes',
      ]);
    }
    // No default: not every region has zones a, b and c (ca-central-1: a, b, d; ap-northeast-1: a, c, d), and in the
    // oldest regions zone codes are mapped independently per account ("AZ IDs", AWS Regions and Availability Zones
    // guide, https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html). The manifest names the
    // account's own zones; `exclusive-desk preflight` checks them with ec2:DescribeAvailabilityZones.
    const azs = m.network.availabilityZones ?? [];
    if (azs.length === 0) {
      fileProblem(
        'network.availabilityZones',
        `is required: name 3 zones of ${m.region} that exist in account ${m.account} (zone names differ per account ` +
          `and region; list them with: aws ec2 describe-availability-zones --region ${m.region} --query ` +
          `'AvailabilityZones[?ZoneType==\`availability-zone\`].ZoneName')`,
        ['network'],
      );
    }
    const foreignAz = azs.find((az) => !az.startsWith(m.region));
    if (foreignAz) {
      fileProblem('network.availabilityZones', `zone ${foreignAz} is not in region ${m.region}`, [
        'network',
        'availabilityZones',
      ]);
    }
    manifests.push({ ...m, file, partition: partitionOf(m.region), availabilityZones: azs });
  }

  // Fleet-wide uniqueness: an exclusive tenant never shares an id or an account.
  for (const key of ['id', 'account'] as const) {
    const seen = new Map<string, string>();
    for (const m of manifests) {
      const other = seen.get(m[key]);
      if (other) {
        problems.push({
          file: m.file,
          field: key,
          message:
            key === 'account'
              ? `account ${m.account} is already used by ${other}: an exclusive tenant never shares an account`
              : `id "${m.id}" is already used by ${other}: tenant ids are unique across the fleet`,
        });
      } else seen.set(m[key], m.file);
    }
  }

  if (problems.length > 0) throw new ManifestError(problems);
  return manifests;
}

function describeIssue(
  file: string,
  issue: z.core.$ZodIssue,
  lineOf: (p: readonly PropertyKey[]) => number | undefined,
): ManifestProblem[] {
  const fieldPath = issue.path;
  const field = fieldPath.length ? fieldPath.map(String).join('.') : '(file)';
  if (issue.code === 'unrecognized_keys') {
    const allowed = knownKeys(fieldPath as (string | number)[]);
    return issue.keys.map((key) => {
      const hint = closest(key, allowed);
      return {
        file,
        field: [...fieldPath.map(String), key].join('.'),
        line: lineOf([...fieldPath, key]),
        message: `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}; allowed here: ${allowed.join(', ')}`,
      };
    });
  }
  let message = issue.message;
  if (issue.code === 'invalid_value' && 'input' in issue && issue.input === undefined) {
    // A missing field that must be one of a set (e.g. isolation): say it is missing, then what is allowed.
    message = `is required; ${issue.message}`;
  } else if (issue.code === 'invalid_type') {
    const received = (issue as { input?: unknown }).input;
    message =
      !('input' in issue) || received === undefined
        ? `is required (${issue.expected})`
        : `must be ${issue.expected === 'string' ? 'text' : `a ${issue.expected}`}, got ${JSON.stringify(received)}`;
  }
  return [{ file, field, line: lineOf(fieldPath), message }];
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = i - 1;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function cidrRange(cidr: string): [number, number] {
  const [ip, prefix] = cidr.split('/') as [string, string];
  const start = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return [start, start + 2 ** (32 - Number(prefix)) - 1];
}

export function overlaps(a: string, b: string): boolean {
  const [a0, a1] = cidrRange(a);
  const [b0, b1] = cidrRange(b);
  return a0 <= b1 && b0 <= a1;
}
