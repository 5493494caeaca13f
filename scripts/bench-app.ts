/**
 * The benchmark's CDK app with every check as a knob, run as `cdk synth --app "npx tsx scripts/bench-app.ts ..."`:
 * the same tenant stacks as bin/app.ts, and each check (cdk-nag packs, the isolation plugin, the CDK's built-in
 * CloudFormation validation) switched on or off. `--bare` switches them all off: the "bare CDK app with the same
 * resources and no checks" that the fleet synth is compared with.
 *
 *   --tenants-dir <dir>   manifests (default tenants)
 *   --tenant <id>         only this tenant's stack (every manifest is still loaded and validated, as in bin/app.ts)
 *   --bare                no nag, no isolation plugin, no built-in validation
 *   --no-nag | --no-isolation | --no-builtin   switch one check off
 *   --today YYYY-MM-DD    licence date (default today)
 *
 * The output directory comes from the CDK CLI (CDK_OUTDIR), like any app. Context (feature flags) comes from
 * cdk.json through the CLI.
 */
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { IsolationVerifier } from '../constructs/isolation-verifier';
import { addCompliancePacks } from '../lib/compliance/nag';
import { loadManifests } from '../lib/manifest/load';
import { TenantStack } from '../lib/stacks/tenant-stack';

const { values } = parseArgs({
  options: {
    'tenants-dir': { type: 'string', default: 'tenants' },
    tenant: { type: 'string' },
    today: { type: 'string' },
    bare: { type: 'boolean', default: false },
    'no-nag': { type: 'boolean', default: false },
    'no-isolation': { type: 'boolean', default: false },
    'no-builtin': { type: 'boolean', default: false },
  },
});
const nag = !values.bare && !values['no-nag'];
const isolation = !values.bare && !values['no-isolation'];
const builtin = !values.bare && !values['no-builtin'];

const app = new App({ builtinCloudFormationValidation: builtin });
const manifests = loadManifests(values['tenants-dir'], { today: values.today });
const selected = values.tenant === undefined ? manifests : manifests.filter((m) => m.id === values.tenant);
if (selected.length === 0) throw new Error(`bench-app: unknown tenant ${values.tenant}`);
if (isolation) IsolationVerifier.attachToApp(app);
for (const manifest of selected) {
  const stack = new TenantStack(app, { manifest });
  if (nag) addCompliancePacks(stack, manifest.compliance);
  if (isolation) {
    new IsolationVerifier(stack, 'IsolationVerifier', {
      tenant: manifest.id,
      account: manifest.account,
      region: manifest.region,
      required: manifest.isolation,
    });
  }
}
app.synth();
