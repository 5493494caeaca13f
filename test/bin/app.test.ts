/**
 * Runs bin/app.ts as the CDK CLI does (a child process, context in CDK_CONTEXT_JSON, output in CDK_OUTDIR).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TENANTS_DIR, runCdkApp } from '../support/fleet';

const runApp = (context: Record<string, unknown>) => runCdkApp(context);

function badTenantsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenants-'));
  for (const f of fs.readdirSync(TENANTS_DIR)) fs.copyFileSync(path.join(TENANTS_DIR, f), path.join(dir, f));
  const file = path.join(dir, 'fedline-gov.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('region: us-gov-west-1', 'region: us-east-1'));
  return dir;
}

test('a bad manifest fails with file and field named, no stack trace, and nothing synthesized', () => {
  const dir = badTenantsDir();
  const r = runApp({ tenantsDir: dir });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`${path.join(dir, 'fedline-gov.yaml')}:3: region: regime "itar" only allows us-gov-west-1 or us-gov-east-1, got us-east-1`);
  expect(r.stderr).toContain('regime "fedramp-high" only allows');
  expect(/\n\s+at /.test(r.stderr)).toBe(false);
  expect(r.written).toEqual([]);
});

test('an unknown tenant fails cleanly, listing the known ones, with nothing synthesized', () => {
  const r = runApp({ tenant: 'nobody' });
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toBe(
    'exclusive-desk: unknown tenant "nobody" (-c tenant=nobody); known tenants: acme-health, contoso-markets, fedline-gov, northwind-bank',
  );
  expect(r.written).toEqual([]);
});

test('-c tenant=<id> synthesizes only that tenant', () => {
  const r = runApp({ tenant: 'northwind-bank' });
  expect([r.status, r.stderr]).toEqual([0, expect.any(String)]);
  expect(r.written.filter((f) => f.endsWith('.template.json'))).toEqual(['ExclusiveDesk-northwind-bank.template.json']);
});
