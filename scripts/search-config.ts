/**
 * The post-deploy search configuration of one tenant (ADR 0011, docs/operations.md): writes the request bodies and
 * prints the signed curl commands that apply them.
 *
 *   npx tsx scripts/search-config.ts --tenant <id> [--tenants-dir tenants] [--out search-config/<id>]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadManifests, ManifestError } from '../lib/manifest/load';
import type { TenantManifest } from '../lib/manifest/schema';
import { searchConfigCommands, searchConfigFiles } from '../lib/search-config';
import { searchSizing } from '../lib/sizing';

const { values } = parseArgs({
  options: { tenant: { type: 'string' }, 'tenants-dir': { type: 'string', default: 'tenants' }, out: { type: 'string' } },
});
const dir = values['tenants-dir'] ?? 'tenants';
let manifests: TenantManifest[];
try {
  manifests = loadManifests(dir);
} catch (e) {
  if (!(e instanceof ManifestError)) throw e;
  process.stderr.write(`search-config: ${e.message}\n`);
  process.exit(2);
}
const manifest = manifests.find((m) => m.id === values.tenant);
if (!values.tenant || !manifest) {
  process.stderr.write(`search-config: --tenant must name a manifest in ${dir}/, got ${values.tenant ?? '(none)'}\n`);
  process.exit(2);
}
const sizing = searchSizing(manifest.workload, { dataNodes: manifest.search?.dataNodes, instanceType: manifest.search?.instanceType });
const target = { tenantId: manifest.id, region: manifest.region, sizing };
const out = values.out ?? path.join('search-config', manifest.id);
fs.mkdirSync(out, { recursive: true });
for (const { file, request } of searchConfigFiles(target)) {
  fs.writeFileSync(path.join(out, file), `${JSON.stringify(request.body, null, 2)}\n`);
}
process.stdout.write(
  [
    `# ${manifest.id}: ${sizing.primaryShards} primary shards, ${sizing.replicas} replicas; files in ${out}/`,
    '# As the domain MasterUserRole (aws sts assume-role), from a host in the tenant search VPC, ENDPOINT=<domain VPC endpoint>:',
    `cd ${out}`,
    ...searchConfigCommands(target),
    '',
  ].join('\n'),
);
