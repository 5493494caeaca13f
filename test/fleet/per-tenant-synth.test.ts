/**
 * `cdk synth -c tenant=<id>` builds one stack however large the fleet is; every manifest is still validated (cheaply,
 * YAML + schema), so a broken manifest anywhere still stops the synth. Structure only: timing is the benchmark's job
 * (npm run bench, docs/performance.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app';
import { ManifestError, overlaps, validateManifests } from '../../lib/manifest/load';
import { deriveSearchCidr } from '../../lib/naming';
import { syntheticFleetDir, syntheticManifest, syntheticTenantId } from '../../scripts/bench-fleet';
import { testApp, TODAY } from '../support/fleet';

const FLEET = 200;
let dir: string;
beforeAll(() => {
  dir = syntheticFleetDir(FLEET);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('per-tenant synth in a large fleet', () => {
  test("validates every manifest but builds and synthesizes only the selected tenant's stack", () => {
    const app = testApp();
    const built = buildApp(app, { tenantsDir: dir, tenant: 't0001-desk', today: TODAY });
    expect(built.manifests).toHaveLength(FLEET);
    expect(built.stacks.map((s) => s.stackName)).toEqual(['ExclusiveDesk-t0001-desk']);
    expect(app.node.children.filter((c) => c instanceof Stack)).toHaveLength(1);
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['ExclusiveDesk-t0001-desk']);
    expect(Object.keys(built.packs)).toEqual(['ExclusiveDesk-t0001-desk']);
  });

  test('still fails on a broken manifest elsewhere in the fleet', () => {
    const broken = path.join(dir, `${syntheticTenantId(FLEET)}.yaml`);
    fs.writeFileSync(broken, syntheticManifest(FLEET).replace(/^region: .*$/m, 'region: mars-north-1'));
    try {
      expect(() => buildApp(testApp(), { tenantsDir: dir, tenant: 't0001-desk', today: TODAY })).toThrow(ManifestError);
    } finally {
      fs.rmSync(broken);
    }
  });

  test('still sees an account shared across the fleet', () => {
    const twin = path.join(dir, 'zz-twin-desk.yaml');
    fs.writeFileSync(
      twin,
      syntheticManifest(FLEET + 1)
        .replace(/^id: .*$/m, 'id: zz-twin-desk')
        .replace(/^account: .*$/m, `account: "${String(100_000_000_000 + 3 * 7_919)}"`),
    );
    try {
      expect(() => buildApp(testApp(), { tenantsDir: dir, tenant: 't0001-desk', today: TODAY })).toThrow(
        /already used by/,
      );
    } finally {
      fs.rmSync(twin);
    }
  });
});

describe('synthetic fleet (scripts/bench-fleet.ts)', () => {
  test('500 manifests are valid, with unique ids and accounts and non-overlapping networks', () => {
    const manifests = validateManifests(
      Array.from({ length: 500 }, (_, i) => ({ file: `${syntheticTenantId(i)}.yaml`, text: syntheticManifest(i) })),
      { today: TODAY },
    );
    expect(new Set(manifests.map((m) => m.account)).size).toBe(500);
    expect(new Set(manifests.map((m) => m.isolation))).toEqual(new Set(['account', 'hardware', 'hsm']));
    expect(new Set(manifests.map((m) => m.partition))).toEqual(new Set(['aws', 'aws-us-gov']));
    const blocks = manifests.flatMap((m) =>
      m.isolation === 'account' ? [m.network.cidr] : [m.network.cidr, deriveSearchCidr(m.network.cidr)],
    );
    const sorted = blocks
      .map((b) => ({
        b,
        start: b
          .split('/')[0]!
          .split('.')
          .reduce((a, o) => a * 256 + Number(o), 0),
      }))
      .sort((x, y) => x.start - y.start);
    for (let i = 1; i < sorted.length; i++) expect(overlaps(sorted[i - 1]!.b, sorted[i]!.b)).toBe(false);
  });
});
