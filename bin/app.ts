#!/usr/bin/env node
/**
 * The CDK app (cdk.json: `npx tsx bin/app.ts`). The only place that reads context:
 *   -c tenant=<id>        build only that tenant's stack (every manifest is still validated)
 *   -c tenantsDir=<dir>   manifests directory (default: tenants)
 *   -c today=YYYY-MM-DD   the date licence expiry is judged against (default: today, UTC)
 * An invalid manifest or an unknown tenant prints one clean message and exits 1 before anything is synthesized.
 */
import { App } from 'aws-cdk-lib';
import { UnknownTenantError, buildApp } from '../lib/app';
import { ManifestError } from '../lib/manifest/load';

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
};

try {
  buildApp(app, {
    tenantsDir: context('tenantsDir') ?? 'tenants',
    tenant: context('tenant'),
    today: context('today'),
  });
} catch (e) {
  if (e instanceof ManifestError || e instanceof UnknownTenantError) {
    process.stderr.write(`exclusive-desk: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
app.synth();
