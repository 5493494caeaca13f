/**
 * The report fixtures: a small cloud assembly for a genuine tenant (globex-health, with cdk-nag acknowledgements),
 * a hand-written fake-exclusivity tenant (initech-dental: shared literal KMS key, literal vendor subnets, peering to
 * the vendor VPC) and manifests for both plus one tenant missing from the inputs (hooli-legal, licence expired).
 */
import * as path from 'node:path';
import { readInputs } from '../../lib/assembly/read';
import { buildTenantModels } from '../../lib/assembly/tenants';
import { evaluateTemplates } from '../../lib/isolation/engine';
import { loadManifests } from '../../lib/manifest/load';
import { readAssemblyEvidence } from '../../lib/report/assembly';
import { buildEvidence, type EvidencePack } from '../../lib/report/evidence';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'report');
export const REPO = path.join(__dirname, '..', '..');
export const ASSEMBLY = path.join(FIXTURES, 'assembly');
export const FAKE = path.join(FIXTURES, 'fleet', 'initech-dental.template.yaml');
export const GENUINE_YAML = path.join(FIXTURES, 'fleet', 'globex-health.template.yaml');
export const TENANTS = path.join(FIXTURES, 'tenants');
export const TODAY = '2026-06-01';
export const NOW = new Date('2026-06-01T09:30:00Z');

/** Builds the evidence pack of inputs the way the CLI does, with fixed dates. */
export function packOf(inputs: readonly string[], options: { manifests?: boolean } = {}): EvidencePack {
  const { templates, errors } = readInputs(inputs);
  const result = { tenants: evaluateTemplates(buildTenantModels(templates)), errors, source: 'template' as const };
  const manifests = options.manifests === false ? [] : loadManifests(TENANTS, { today: TODAY, allowExpired: true });
  return buildEvidence(result, templates, manifests, {
    today: TODAY,
    now: NOW,
    inputs: inputs.map((i) => path.relative(REPO, i)),
    tenantsDir: path.relative(REPO, TENANTS),
    baseDir: REPO,
    assembly: readAssemblyEvidence(templates),
  });
}

/** The fleet of the fixtures: the genuine tenant from its assembly and the fake one from its template. */
export function fixtureFleet(): EvidencePack {
  return packOf([ASSEMBLY, FAKE]);
}
