/**
 * `exclusive-desk licences`: the exclusive licence register, one row per tenant from the manifests, sorted by
 * review date. Exit 0, or 1 when any licence has expired, or 2 when a manifest is invalid.
 *
 * The register itself (`licenceRegister` and the renderers) is pure and exported for the auditor report.
 */
import * as path from 'node:path';
import {
  licenceStatus,
  loadManifests,
  ManifestError,
  REVIEW_DUE_DAYS,
  todayUtc,
  type LicenceStatus,
} from '../manifest/load';
import type { TenantManifest } from '../manifest/schema';
import { isoDate, oneOf, parseCommandArgs } from './args';
import { EXIT, type Command } from './io';
import { writeOutput } from './output';

const USAGE = `usage: exclusive-desk licences [options]

Prints the exclusive licence register from the tenant manifests: tenant, account, region, isolation, regimes,
justification, approver, review date and status (valid; due: review within ${REVIEW_DUE_DAYS} days; expired),
sorted by review date.

options:
  --tenants-dir <dir>       where the tenant manifests are (default tenants)
  --format table|csv|json   output format (default table; csv is RFC 4180)
  --today YYYY-MM-DD        the date to judge review dates against (default: today, UTC)
  --output <file>           write the register to a file instead of stdout
  --access                  print the access register instead: every declared path into every tenant
                            (kind, principal, constraints, expiry, approver, justification; docs/access.md)
  -h, --help                show this help

exit codes: 0 nothing expired, 1 a licence (or, with --access, an access path) expired, 2 invalid manifests or bad flags
`;

const OPTIONS = {
  'tenants-dir': { type: 'string' },
  format: { type: 'string' },
  today: { type: 'string' },
  output: { type: 'string' },
  access: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const LICENCE_FORMATS = ['table', 'csv', 'json'] as const;
export type LicenceFormat = (typeof LICENCE_FORMATS)[number];

/** One row of the register. */
export interface LicenceRow {
  readonly tenant: string;
  readonly account: string;
  readonly region: string;
  readonly isolation: string;
  readonly regimes: readonly string[];
  readonly justification: string;
  readonly approvedBy: string;
  readonly reviewBy: string;
  readonly ticket?: string;
  readonly status: LicenceStatus;
  /** Days from today to the review date; negative once expired. */
  readonly daysToReview: number;
  readonly file: string;
}

export const licencesCommand: Command = async (argv, io) => {
  const { values } = parseCommandArgs(argv, OPTIONS, { max: 0, names: 'arguments (all options are flags)' });
  if (values.help) {
    io.stdout(USAGE);
    return EXIT.OK;
  }
  const format = oneOf('format', values.format, LICENCE_FORMATS, 'table');
  const today = isoDate('today', values.today) ?? todayUtc();
  const dir = path.resolve(io.cwd, values['tenants-dir'] ?? 'tenants');

  let manifests: TenantManifest[];
  try {
    manifests = loadManifests(dir, { today, allowExpired: true });
  } catch (e) {
    if (e instanceof ManifestError) {
      io.stderr(`exclusive-desk licences: ${e.message}\n`);
      return EXIT.BAD_INPUT;
    }
    throw e;
  }
  const relative = manifests.map((m) => ({ ...m, file: path.relative(io.cwd, m.file) || m.file }));
  if (values.access) {
    const paths = accessRegister(relative, today);
    const text = renderAccess(format, paths, today);
    if (values.output) writeOutput(path.resolve(io.cwd, values.output), text);
    else io.stdout(text);
    return paths.some((r) => r.status === 'expired') ? EXIT.FAILED : EXIT.OK;
  }
  const rows = licenceRegister(relative, today);
  const text = renderLicences(format, rows, today);
  if (values.output) writeOutput(path.resolve(io.cwd, values.output), text);
  else io.stdout(text);
  return rows.some((r) => r.status === 'expired') ? EXIT.FAILED : EXIT.OK;
};

/** The register rows, sorted by review date (soonest first), then tenant id. */
export function licenceRegister(manifests: readonly TenantManifest[], today: string): LicenceRow[] {
  return manifests
    .map((m): LicenceRow => ({
      tenant: m.id,
      account: m.account,
      region: m.region,
      isolation: m.isolation,
      regimes: [...m.compliance],
      justification: m.licence.justification,
      approvedBy: m.licence.approvedBy,
      reviewBy: m.licence.reviewBy,
      ...(m.licence.ticket ? { ticket: m.licence.ticket } : {}),
      status: licenceStatus(m.licence.reviewBy, today),
      daysToReview: daysBetween(today, m.licence.reviewBy),
      file: m.file,
    }))
    .sort((a, b) => a.reviewBy.localeCompare(b.reviewBy) || a.tenant.localeCompare(b.tenant));
}

export function renderLicences(format: LicenceFormat, rows: readonly LicenceRow[], today: string): string {
  if (format === 'csv') return renderLicenceCsv(rows);
  if (format === 'json') return renderLicenceJson(rows, today);
  return renderLicenceTable(rows, today);
}

export function summarize(rows: readonly LicenceRow[]): Record<LicenceStatus, number> {
  const counts: Record<LicenceStatus, number> = { valid: 0, due: 0, expired: 0 };
  for (const r of rows) counts[r.status]++;
  return counts;
}

function statusLabel(r: LicenceRow): string {
  if (r.status === 'expired') return `expired ${-r.daysToReview}d ago`;
  if (r.status === 'due') return r.daysToReview === 0 ? 'due today' : `due in ${r.daysToReview}d`;
  return 'valid';
}

/** A plain-text table for a terminal, with a summary line. */
export function renderLicenceTable(rows: readonly LicenceRow[], today: string): string {
  const header = [
    'TENANT',
    'ACCOUNT',
    'REGION',
    'ISOLATION',
    'REGIMES',
    'REVIEW BY',
    'STATUS',
    'APPROVED BY',
    'JUSTIFICATION',
  ];
  const body = rows.map((r) => [
    r.tenant,
    r.account,
    r.region,
    r.isolation,
    r.regimes.join(',') || '-',
    r.reviewBy,
    statusLabel(r),
    r.approvedBy,
    r.justification.replace(/\s+/g, ' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const s = summarize(rows);
  const summary =
    `${rows.length} licence${rows.length === 1 ? '' : 's'}: ${s.valid} valid, ${s.due} due for review within ` +
    `${REVIEW_DUE_DAYS} days, ${s.expired} expired (as of ${today})`;
  return [line(header), ...body.map(line), '', summary, ''].join('\n');
}

export const CSV_COLUMNS = [
  'tenant',
  'account',
  'region',
  'isolation',
  'regimes',
  'justification',
  'approvedBy',
  'reviewBy',
  'status',
  'daysToReview',
  'ticket',
] as const;

/** RFC 4180: CRLF line ends, a header row, fields quoted when they hold a comma, quote, CR or LF. */
export function renderLicenceCsv(rows: readonly LicenceRow[]): string {
  const record = (r: LicenceRow): string[] => [
    r.tenant,
    r.account,
    r.region,
    r.isolation,
    r.regimes.join(';'),
    r.justification,
    r.approvedBy,
    r.reviewBy,
    r.status,
    String(r.daysToReview),
    r.ticket ?? '',
  ];
  return [[...CSV_COLUMNS], ...rows.map(record)].map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** One CSV field: quoted (with quotes doubled) when it holds a comma, a double quote, CR or LF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function renderLicenceJson(rows: readonly LicenceRow[], today: string): string {
  return `${JSON.stringify({ today, reviewDueDays: REVIEW_DUE_DAYS, summary: summarize(rows), licences: rows }, null, 2)}\n`;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** One declared path into a tenant (manifest `access:`), for the access register. */
export interface AccessRow {
  readonly tenant: string;
  readonly account: string;
  readonly kind: string;
  readonly principal: string;
  /** The declared constraints in words, e.g. `mfa, externalId, session<=1h`; `none` when none. */
  readonly constraints: string;
  readonly expires: string;
  readonly status: LicenceStatus;
  readonly daysToExpiry: number;
  readonly approvedBy: string;
  readonly justification: string;
  readonly file: string;
}

function constraintWords(c: TenantManifest['access'][number]['constraints']): string {
  const words = [
    c.mfa ? 'mfa' : '',
    c.externalId ? 'externalId' : '',
    c.sourceVpcs ? `vpc:${c.sourceVpcs.join('|')}` : '',
    c.sourceIps ? `ip:${c.sourceIps.join('|')}` : '',
    c.maxSessionHours !== undefined ? `session<=${c.maxSessionHours}h` : '',
  ].filter(Boolean);
  return words.join(', ') || 'none';
}

/** The access register: every declared path of every tenant, soonest expiry first. */
export function accessRegister(manifests: readonly TenantManifest[], today: string): AccessRow[] {
  return manifests
    .flatMap((m) =>
      m.access.map(
        (a): AccessRow => ({
          tenant: m.id,
          account: m.account,
          kind: a.kind,
          principal: a.principal,
          constraints: constraintWords(a.constraints),
          expires: a.expires,
          status: licenceStatus(a.expires, today),
          daysToExpiry: daysBetween(today, a.expires),
          approvedBy: a.approvedBy,
          justification: a.justification,
          file: m.file,
        }),
      ),
    )
    .sort((a, b) => (a.expires < b.expires ? -1 : a.expires > b.expires ? 1 : a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));
}

const ACCESS_COLUMNS = ['tenant', 'account', 'kind', 'principal', 'constraints', 'expires', 'status', 'approvedBy', 'justification'] as const;

export function renderAccess(format: LicenceFormat, rows: readonly AccessRow[], today: string): string {
  if (format === 'json') {
    const summary: Record<LicenceStatus, number> = { valid: 0, due: 0, expired: 0 };
    for (const r of rows) summary[r.status]++;
    return `${JSON.stringify({ today, summary, access: rows }, null, 2)}\n`;
  }
  if (format === 'csv') {
    return [ACCESS_COLUMNS.join(','), ...rows.map((r) => ACCESS_COLUMNS.map((c) => csvField(String(r[c]))).join(','))].map((l) => `${l}\r\n`).join('');
  }
  const header = ACCESS_COLUMNS.map((c) => c.replace(/([A-Z])/g, ' $1').toUpperCase());
  const body = rows.map((r) => ACCESS_COLUMNS.map((c) => (c === 'status' ? (r.status === 'expired' ? `expired ${-r.daysToExpiry}d ago` : r.status === 'due' ? `due in ${r.daysToExpiry}d` : 'valid') : String(r[c]).replace(/\s+/g, ' '))));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const tenants = new Set(rows.map((r) => r.tenant)).size;
  return [line(header), ...body.map(line), '', `${rows.length} access path${rows.length === 1 ? '' : 's'} into ${tenants} tenant${tenants === 1 ? '' : 's'} (as of ${today})`, ''].join('\n');
}
