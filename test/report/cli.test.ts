import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { memoryIO } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';
import { ASSEMBLY, FAKE, FIXTURES, GENUINE_YAML, REPO, TENANTS } from './support';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-cli-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const rel = (p: string): string => path.relative(REPO, p);
const EPOCH = { SOURCE_DATE_EPOCH: '1780306200' }; // 2026-06-01T09:30:00Z

async function run(
  args: readonly string[],
  env: Record<string, string> = EPOCH,
): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO(REPO, env);
  const code = await main(['report', ...args], io);
  return { code, out: io.out, err: io.err };
}

describe('exclusive-desk report', () => {
  test('writes report.html and report.md into a new output directory and exits 1 when a tenant fails', async () => {
    const out = path.join(tmp, 'pack', 'nested');
    const r = await run([
      rel(ASSEMBLY),
      rel(FAKE),
      '--output',
      out,
      '--tenants-dir',
      rel(TENANTS),
      '--today',
      '2026-06-01',
    ]);
    expect(r.code).toBe(1);
    expect(fs.readdirSync(out).sort()).toEqual(['report.html', 'report.md']);
    expect(r.out).toBe(
      `wrote ${rel(path.join(out, 'report.html'))} and ${rel(path.join(out, 'report.md'))}: 3 tenants, 1 pass, 1 fail, 1 not in the inputs\n`,
    );
    expect(r.err).toContain('FAIL initech-dental');
    expect(r.err).toContain('licence of initech-dental is due for review (review by 2026-06-20)');
    expect(r.err).toContain('licence of hooli-legal has expired (review by 2026-03-31)');
    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('generated 2026-06-01T09:30:00.000Z; licences judged on 2026-06-01');
    expect(md).toContain(
      'npx exclusive-desk report test/fixtures/report/assembly test/fixtures/report/fleet/initech-dental.template.yaml --output <dir> --tenants-dir test/fixtures/report/tenants --today 2026-06-01',
    );
  });

  test('exits 0 when every tenant passes', async () => {
    const r = await run([rel(GENUINE_YAML), '--output', tmp, '--tenants-dir', rel(TENANTS), '--today', '2026-06-01']);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(tmp, 'report.md'), 'utf8')).toContain('| PASS | hipaa |');
  });

  test('is reproducible: the same inputs and SOURCE_DATE_EPOCH give byte-identical reports', async () => {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    await run([rel(ASSEMBLY), rel(FAKE), '--output', a, '--tenants-dir', rel(TENANTS), '--today', '2026-06-01']);
    await run([rel(ASSEMBLY), rel(FAKE), '--output', b, '--tenants-dir', rel(TENANTS), '--today', '2026-06-01']);
    for (const f of ['report.html', 'report.md'])
      expect(fs.readFileSync(path.join(a, f))).toEqual(fs.readFileSync(path.join(b, f)));
  });

  test('skips manifests when the default tenants directory does not exist', async () => {
    const io = memoryIO(tmp, EPOCH);
    const code = await main(['report', GENUINE_YAML, '--output', 'out', '--today', '2026-06-01'], io);
    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(tmp, 'out', 'report.md'), 'utf8')).toContain('No tenant manifests were read');
  });

  test.each([
    ['no input', ['--output', 'x'], /expected at least 1 cloud assembly directories or template files, got none/],
    ['no --output', ['t.json'], /--output <dir> is required/],
    [
      'a bad date',
      ['t.json', '--output', 'x', '--today', '2026-02-30'],
      /--today must be a date YYYY-MM-DD, got "2026-02-30"/,
    ],
    ['an unknown flag', ['t.json', '--output', 'x', '--format', 'pdf'], /Unknown option '--format'/],
  ])('exits 2 for %s', async (_name, args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  test('exits 2 and writes nothing when an input cannot be read', async () => {
    const out = path.join(tmp, 'out');
    const r = await run([rel(GENUINE_YAML), 'no/such/template.json', '--output', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no/such/template.json: no such file or directory');
    expect(r.err).toContain('nothing written');
    expect(fs.existsSync(out)).toBe(false);
  });

  test('exits 2 and writes nothing when a manifest is invalid', async () => {
    const tenants = path.join(tmp, 'tenants');
    fs.mkdirSync(tenants);
    fs.writeFileSync(
      path.join(tenants, 'globex-health.yaml'),
      fs
        .readFileSync(path.join(TENANTS, 'globex-health.yaml'), 'utf8')
        .replace('isolation: hardware', 'isolation: platinum'),
    );
    const r = await run([rel(GENUINE_YAML), '--output', path.join(tmp, 'out'), '--tenants-dir', tenants]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/globex-health.yaml.*isolation: must be one of: account, hardware, hsm/);
    expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
  });

  test('exits 2 when --output is a file, and leaves the file alone', async () => {
    const file = path.join(tmp, 'report');
    fs.writeFileSync(file, 'keep');
    const r = await run([rel(GENUINE_YAML), '--output', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('exists and is not a directory');
    expect(fs.readFileSync(file, 'utf8')).toBe('keep');
  });

  test('exits 2 for a directory that is not a cloud assembly', async () => {
    const r = await run([rel(path.join(FIXTURES, 'fleet')), '--output', path.join(tmp, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is a directory but not a cloud assembly');
  });

  test('replaces an earlier report whole, leaving no temporary file', async () => {
    fs.writeFileSync(path.join(tmp, 'report.html'), 'old');
    await run([rel(GENUINE_YAML), '--output', tmp, '--today', '2026-06-01']);
    expect(fs.readdirSync(tmp).sort()).toEqual(['report.html', 'report.md']);
    expect(fs.readFileSync(path.join(tmp, 'report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  test('prints its usage with --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^usage: exclusive-desk report <cdk.out \| template.json \| template.yaml>\.\.\. --output <dir>/,
    );
    expect(r.out).toContain(
      'exit codes: 0 every tenant passes, 1 a tenant fails (the report is still written), 2 bad input (nothing written)',
    );
  });
});
