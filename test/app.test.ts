import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { UnknownTenantError, buildApp } from '../lib/app';
import { ManifestError } from '../lib/manifest/load';
import { TENANTS_DIR, TODAY, testApp } from './support/fleet';

const stacksOf = (app: ReturnType<typeof testApp>) => app.node.children.filter((c): c is Stack => c instanceof Stack).map((s) => s.stackName);

function badTenantsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenants-'));
  for (const f of fs.readdirSync(TENANTS_DIR)) fs.copyFileSync(path.join(TENANTS_DIR, f), path.join(dir, f));
  const file = path.join(dir, 'acme-health.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('isolation: hardware', 'isolaton: hardware'));
  return dir;
}

describe('buildApp', () => {
  test('builds one stack per tenant of the fleet', () => {
    const app = testApp();
    const built = buildApp(app, { tenantsDir: TENANTS_DIR, today: TODAY });
    expect(built.manifests).toHaveLength(4);
    expect(stacksOf(app)).toEqual([
      'ExclusiveDesk-acme-health',
      'ExclusiveDesk-contoso-markets',
      'ExclusiveDesk-fedline-gov',
      'ExclusiveDesk-northwind-bank',
    ]);
  });

  test('with a tenant selected, validates the fleet but builds only that tenant', () => {
    const app = testApp();
    const built = buildApp(app, { tenantsDir: TENANTS_DIR, tenant: 'acme-health', today: TODAY });
    expect(built.manifests).toHaveLength(4);
    expect(stacksOf(app)).toEqual(['ExclusiveDesk-acme-health']);
    expect(Object.keys(built.packs)).toEqual(['ExclusiveDesk-acme-health']);
  });

  test('an unknown tenant fails cleanly, listing the known ones', () => {
    const app = testApp();
    expect(() => buildApp(app, { tenantsDir: TENANTS_DIR, tenant: 'acme', today: TODAY })).toThrow(
      new UnknownTenantError('acme', ['acme-health', 'contoso-markets', 'fedline-gov', 'northwind-bank']),
    );
    expect(stacksOf(app)).toEqual([]);
  });

  test('an invalid manifest anywhere in the fleet builds nothing, even for another tenant', () => {
    const app = testApp();
    expect(() => buildApp(app, { tenantsDir: badTenantsDir(), tenant: 'northwind-bank', today: TODAY })).toThrow(ManifestError);
    expect(stacksOf(app)).toEqual([]);
  });

  test('licence expiry follows the date passed in', () => {
    expect(() => buildApp(testApp(), { tenantsDir: TENANTS_DIR, today: '2029-03-16' })).toThrow(/contoso-markets\.yaml:\d+: licence\.reviewBy/);
  });

  test('the example fleet still synthesizes a year from today (no example licence expires under a newcomer)', () => {
    // The real clock on purpose: this fails a year before an example reviewBy would break `npx cdk synth` on a
    // fresh clone. The "due soon" and "expired" cases live in the licence tests, on manifests they write.
    const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const app = testApp();
    buildApp(app, { tenantsDir: TENANTS_DIR, today: inAYear });
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      'ExclusiveDesk-acme-health',
      'ExclusiveDesk-contoso-markets',
      'ExclusiveDesk-fedline-gov',
      'ExclusiveDesk-northwind-bank',
    ]);
  });
});
