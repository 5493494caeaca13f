/**
 * One pack per customer: on the example fleet (four tenants, synthesized by the global setup) every per-tenant pack,
 * signed, names no other tenant: not its id, account, stack, files or any resource name its templates hold.
 */
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { memoryIO } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';
import { tenantDigest } from '../../lib/report/tenant-pack';
import { EXAMPLE_TENANTS, fleetTemplates, TENANTS_DIR, TODAY } from '../support/fleet';

const SECRET = 'fleet-secret-for-tests-0123456789';
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-pack-'));
  const { json } = fleetTemplates();
  fs.mkdirSync(path.join(tmp, 'templates'));
  for (const id of EXAMPLE_TENANTS)
    fs.writeFileSync(
      path.join(tmp, 'templates', `ExclusiveDesk-${id}.template.json`),
      JSON.stringify(json[id], null, 1),
    );
  fs.cpSync(TENANTS_DIR, path.join(tmp, 'tenants'), { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  fs.writeFileSync(path.join(tmp, 'key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TEMPLATES = EXAMPLE_TENANTS.map((id) => `templates/ExclusiveDesk-${id}.template.json`);

async function report(args: readonly string[], env: Record<string, string> = { EXCLUSIVE_DESK_FLEET_SECRET: SECRET }) {
  const io = memoryIO(tmp, { SOURCE_DATE_EPOCH: '1780306200', ...env });
  const code = await main(['report', ...TEMPLATES, '--tenants-dir', 'tenants', '--today', TODAY, ...args], io);
  return { code, out: io.out, err: io.err };
}

/** Every string literal of a tenant's template that names it (physical names, aliases, tags, paths). */
function namesOf(id: string): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.includes(id)) out.add(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(fleetTemplates().json[id]);
  return [...out];
}

/** Everything a pack says: its files and the statement inside its attestation. */
function packText(dir: string): string {
  return fs
    .readdirSync(dir)
    .map((f) => {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      return f.endsWith('.dsse.json')
        ? Buffer.from((JSON.parse(text) as { payload: string }).payload, 'base64').toString()
        : text;
    })
    .join('\n');
}

describe('report --per-tenant', () => {
  test('writes one signed pack per tenant, each naming no other tenant', async () => {
    const r = await report(['--output', 'packs', '--per-tenant', '--sign-key', 'key.pem']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(tmp, 'packs')).sort()).toEqual([...EXAMPLE_TENANTS].sort());
    const accounts = Object.fromEntries(
      EXAMPLE_TENANTS.map((id) => [
        id,
        (fleetTemplates().json[id]!.Metadata!['exclusive-desk'] as { account: string }).account,
      ]),
    );
    for (const id of EXAMPLE_TENANTS) {
      const text = packText(path.join(tmp, 'packs', id));
      expect(text).toContain(id);
      expect(text).toContain(accounts[id]);
      for (const other of EXAMPLE_TENANTS.filter((o) => o !== id)) {
        expect(text).not.toContain(other);
        expect(text).not.toContain(accounts[other]);
        const names = namesOf(other);
        expect(names.length).toBeGreaterThan(10); // the check has something to find
        for (const name of names) expect(text.includes(name) ? `${id} names ${name}` : '').toBe('');
      }
      // The fleet-wide proof stays, with the others as keyed digests.
      expect(text).toContain(
        `compared with ${EXAMPLE_TENANTS.length - 1} other tenant(s) of the fleet: no shared account, key, VPC, subnet, cluster or endpoint`,
      );
      const secret = Buffer.from(SECRET);
      for (const other of EXAMPLE_TENANTS.filter((o) => o !== id))
        expect(text).toContain(tenantDigest(secret, other, accounts[other]));
      expect(text).toContain(`This tenant's digest: \`${tenantDigest(secret, id, accounts[id])}\``);
      // Its own attestation verifies on its own.
      const pub = path.join(tmp, 'pub.pem');
      const { createPublicKey } = await import('node:crypto');
      fs.writeFileSync(
        pub,
        createPublicKey(fs.readFileSync(path.join(tmp, 'key.pem'))).export({ format: 'pem', type: 'spki' }),
      );
      const io = memoryIO(tmp);
      expect(await main(['attest', 'verify', `packs/${id}`, '--public-key', 'pub.pem'], io)).toBe(0);
      expect(io.out).toContain('2 pack file(s) and 2 input(s) hold their SHA-256');
    }
  });

  test('--tenant writes only the named tenants; an unknown id or a missing secret is exit 2 with nothing written', async () => {
    const r = await report(['--output', 'one', '--tenant', 'acme-health']);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(tmp, 'one'))).toEqual(['acme-health']);
    expect(r.out).toBe('wrote one/acme-health/report.html and one/acme-health/report.md: 1 tenant, 1 pass, 0 fail\n');
    const md = fs.readFileSync(path.join(tmp, 'one', 'acme-health', 'report.md'), 'utf8');
    expect(md).toContain('--output <dir> --tenants-dir tenants --today 2026-06-01 --tenant acme-health');
    const bad = await report(['--output', 'two', '--tenant', 'nobody']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(
      /^exclusive-desk report: --tenant nobody: not a tenant of the inputs or manifests; tenants: [a-z-]+(, [a-z-]+){3}\n$/,
    );
    expect(fs.existsSync(path.join(tmp, 'two'))).toBe(false);
    const nosecret = await report(['--output', 'three', '--tenant', 'acme-health'], {});
    expect(nosecret.code).toBe(2);
    expect(nosecret.err).toContain(
      'give the fleet secret with --fleet-secret-file <file> or EXCLUSIVE_DESK_FLEET_SECRET',
    );
    expect(fs.existsSync(path.join(tmp, 'three'))).toBe(false);
  });
});
