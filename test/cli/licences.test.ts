import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { csvField, licenceRegister, renderLicenceCsv } from '../../lib/cli/licences';
import { memoryIO } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';
import { loadManifests, ManifestError } from '../../lib/manifest/load';

const TODAY = '2026-03-01';
let dirs: string[] = [];

interface TenantSpec {
  readonly id: string;
  readonly account: string;
  readonly reviewBy: string;
  readonly justification?: string;
  readonly compliance?: string;
  readonly ticket?: string;
}

/** Writes a tenants directory with one valid manifest per spec. */
function tenantsDir(specs: readonly TenantSpec[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'licences-'));
  dirs.push(dir);
  specs.forEach((s, i) => {
    fs.writeFileSync(
      path.join(dir, `${s.id}.yaml`),
      [
        `id: ${s.id}`,
        `account: "${s.account}"`,
        'region: eu-west-1',
        'isolation: hardware',
        `compliance: ${s.compliance ?? '[hipaa]'}`,
        'licence:',
        `  justification: ${JSON.stringify(s.justification ?? `Dedicated hosts for ${s.id}`)}`,
        '  approvedBy: officer@example.com',
        `  reviewBy: ${s.reviewBy}`,
        ...(s.ticket ? [`  ticket: ${s.ticket}`] : []),
        'network:',
        `  cidr: 10.${20 + i}.0.0/16`,
        '  availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c]',
        'workload:',
        '  ticketsPerDay: 1000',
        '',
      ].join('\n'),
    );
  });
  return dir;
}

async function licences(...args: string[]) {
  const io = memoryIO(os.tmpdir());
  const code = await main(['licences', ...args], io);
  return { code, out: io.out, err: io.err };
}

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

const FLEET: TenantSpec[] = [
  { id: 'valid-late', account: '111111111111', reviewBy: '2027-01-31' },
  { id: 'due-soon', account: '222222222222', reviewBy: '2026-03-20', compliance: '[sox, pci-dss]', ticket: 'LIC-7' },
  { id: 'gone-stale', account: '333333333333', reviewBy: '2026-02-01' },
];

describe('licence status boundaries', () => {
  test.each([
    ['2026-02-28', 'expired', -1],
    ['2026-03-01', 'due', 0],
    ['2026-03-31', 'due', 30],
    ['2026-04-01', 'valid', 31],
  ])('a review date of %s is %s (%i days away on 2026-03-01)', (reviewBy, status, days) => {
    const manifests = loadManifests(tenantsDir([{ id: 'boundary', account: '111111111111', reviewBy }]), {
      today: TODAY,
      allowExpired: true,
    });
    expect(licenceRegister(manifests, TODAY)).toEqual([
      expect.objectContaining({ reviewBy, status, daysToReview: days }),
    ]);
  });
});

describe('loadManifests allowExpired', () => {
  test('still rejects an expired licence by default and accepts it when asked', () => {
    const dir = tenantsDir([{ id: 'gone-stale', account: '333333333333', reviewBy: '2026-02-01' }]);
    expect(() => loadManifests(dir, { today: TODAY })).toThrow(ManifestError);
    expect(() => loadManifests(dir, { today: TODAY })).toThrow(
      /licence\.reviewBy: the licence review date 2026-02-01 has passed/,
    );
    expect(loadManifests(dir, { today: TODAY, allowExpired: true })).toHaveLength(1);
  });
});

describe('exclusive-desk licences', () => {
  test('prints a table sorted by review date, and exits 1 when a licence has expired', async () => {
    const { code, out, err } = await licences('--tenants-dir', tenantsDir(FLEET), '--today', TODAY);
    expect(err).toBe('');
    expect(code).toBe(1);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(
      /^TENANT\s+ACCOUNT\s+REGION\s+ISOLATION\s+REGIMES\s+REVIEW BY\s+STATUS\s+APPROVED BY\s+JUSTIFICATION$/,
    );
    expect(lines.slice(1, 4).map((l) => l.split(/\s{2,}/)[0])).toEqual(['gone-stale', 'due-soon', 'valid-late']);
    expect(lines[1]).toContain('expired 28d ago');
    expect(lines[2]).toMatch(
      /due-soon\s+222222222222\s+eu-west-1\s+hardware\s+sox,pci-dss\s+2026-03-20\s+due in 19d\s+officer@example\.com\s+Dedicated hosts for due-soon$/,
    );
    expect(lines[3]).toMatch(/2027-01-31\s+valid\s+/);
    expect(out).toContain('3 licences: 1 valid, 1 due for review within 30 days, 1 expired (as of 2026-03-01)\n');
  });

  test('exits 0 when nothing has expired, even with licences due for review', async () => {
    const { code } = await licences('--tenants-dir', tenantsDir(FLEET.slice(0, 2)), '--today', TODAY);
    expect(code).toBe(0);
  });

  test('--format json gives every field, the date judged against and a summary', async () => {
    const { code, out } = await licences('--tenants-dir', tenantsDir(FLEET), '--today', TODAY, '--format', 'json');
    expect(code).toBe(1);
    const json = JSON.parse(out);
    expect(json).toMatchObject({ today: TODAY, reviewDueDays: 30, summary: { valid: 1, due: 1, expired: 1 } });
    expect(json.licences.map((l: { tenant: string }) => l.tenant)).toEqual(['gone-stale', 'due-soon', 'valid-late']);
    expect(json.licences[1]).toEqual({
      tenant: 'due-soon',
      account: '222222222222',
      region: 'eu-west-1',
      isolation: 'hardware',
      regimes: ['sox', 'pci-dss'],
      justification: 'Dedicated hosts for due-soon',
      approvedBy: 'officer@example.com',
      reviewBy: '2026-03-20',
      ticket: 'LIC-7',
      status: 'due',
      daysToReview: 19,
      file: expect.stringMatching(/due-soon\.yaml$/),
    });
  });

  test('--format csv is RFC 4180: header, CRLF, and a justification with commas and quotes quoted', async () => {
    const justification = 'Board ruling "dedicated, always", see minutes; no sharing, ever';
    const dir = tenantsDir([
      { id: 'quoted', account: '111111111111', reviewBy: '2027-01-31', justification, compliance: '[sox, hipaa]' },
    ]);
    const { code, out } = await licences('--tenants-dir', dir, '--today', TODAY, '--format', 'csv');
    expect(code).toBe(0);
    expect(out).toBe(
      'tenant,account,region,isolation,regimes,justification,approvedBy,reviewBy,status,daysToReview,ticket\r\n' +
        'quoted,111111111111,eu-west-1,hardware,sox;hipaa,"Board ruling ""dedicated, always"", see minutes; no sharing, ever",' +
        'officer@example.com,2027-01-31,valid,336,\r\n',
    );
    expect(parseCsv(out)[1]![5]).toBe(justification);
  });

  test('--output writes the register to a file instead of stdout', async () => {
    const dir = tenantsDir(FLEET.slice(0, 1));
    const file = path.join(dir, 'register.csv');
    const { code, out } = await licences('--tenants-dir', dir, '--today', TODAY, '--format', 'csv', '--output', file);
    expect(code).toBe(0);
    expect(out).toBe('');
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^tenant,account,.*\r\nvalid-late,111111111111,/);
  });

  test('exits 2 with the ManifestError message when a manifest is invalid', async () => {
    const dir = tenantsDir(FLEET.slice(2)); // gone-stale: expired, which the register accepts
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'id: broken\naccount: "12"\n');
    const { code, out, err } = await licences('--tenants-dir', dir, '--today', TODAY);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^exclusive-desk licences: \d+ problems in tenant manifests:\n/);
    expect(err).toMatch(/broken\.yaml:2: account: must be a 12-digit AWS account id/);
    expect(err).not.toContain('reviewBy'); // the expired licence of the other file is not a problem here
  });

  test.each([
    [['--tenants-dir', '/nonexistent/tenants'], /the tenants directory does not exist/],
    [['--format', 'xml'], /^exclusive-desk licences: --format must be one of table, csv, json, got "xml"\n$/],
    [['--today', '2026-13-01'], /^exclusive-desk licences: --today must be a date YYYY-MM-DD, got "2026-13-01"\n$/],
    [['extra'], /^exclusive-desk licences: expected 0 arguments \(all options are flags\), got 1: extra\n$/],
  ])('exits 2 for %j', async (args, message) => {
    const { code, err } = await licences(...args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});

describe('csvField', () => {
  test.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['', ''],
  ])('%j -> %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  test('an empty register is the header alone', () => {
    expect(renderLicenceCsv([])).toBe(
      'tenant,account,region,isolation,regimes,justification,approvedBy,reviewBy,status,daysToReview,ticket\r\n',
    );
  });
});

/** A strict RFC 4180 reader, to check that what we write reads back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}
