import {
  ACTIONS_PER_TENANT,
  ACTIONS_PER_WAVE,
  CODEPIPELINE_QUOTAS,
  MAX_TENANTS_PER_PIPELINE,
  MAX_WAVE_SIZE,
  planWaves,
  shardOf,
} from '../../constructs/fleet-pipeline-waves';
import { validateManifests } from '../../lib/manifest/load';
import type { TenantManifest } from '../../lib/manifest/schema';
import { syntheticManifest, syntheticTenantId } from '../../scripts/bench-fleet';

/** Synthetic commercial-partition tenants (the generator puts every fifth one, itar, in GovCloud). */
function commercial(count: number, extra: Readonly<Record<number, string>> = {}): TenantManifest[] {
  const indices: number[] = [];
  for (let i = 0; indices.length < count; i++) if (i % 5 !== 4) indices.push(i);
  return validateManifests(
    indices.map((i) => ({ file: `${syntheticTenantId(i)}.yaml`, text: syntheticManifest(i) + (extra[i] ?? '') })),
    { today: '2026-06-01' },
  );
}

const ids = (ms: readonly TenantManifest[]): string[] => ms.map((m) => m.id);

describe('planWaves', () => {
  test('fills waves of waveSize in id order', () => {
    const plan = planWaves(commercial(5), { waveSize: 2 });
    expect(plan.waves.map((w) => [w.index, ids(w.tenants)])).toEqual([
      [0, ['t0000-desk', 't0001-desk']],
      [1, ['t0002-desk', 't0003-desk']],
      [2, ['t0005-desk']],
    ]);
  });

  test('leaves held-back tenants out of every wave, even when pinned', () => {
    const plan = planWaves(commercial(4, { 1: 'delivery:\n  holdBack: true\n  wave: 0\n' }), { waveSize: 2 });
    expect(ids(plan.heldBack)).toEqual(['t0001-desk']);
    expect(plan.waves.flatMap((w) => ids(w.tenants))).not.toContain('t0001-desk');
  });

  test('puts a pinned tenant in its wave and fills the room left around it; empty waves are dropped', () => {
    const plan = planWaves(commercial(4, { 2: 'delivery:\n  wave: 0\n', 3: 'delivery:\n  wave: 5\n' }), {
      waveSize: 2,
    });
    expect(plan.waves.map((w) => [w.index, ids(w.tenants)])).toEqual([
      [0, ['t0002-desk', 't0000-desk']],
      [1, ['t0001-desk']],
      [5, ['t0003-desk']],
    ]);
  });

  test("plans only the pipeline's partition and lists the others apart", () => {
    const all = validateManifests(
      [0, 4].map((i) => ({ file: `${syntheticTenantId(i)}.yaml`, text: syntheticManifest(i) })),
      { today: '2026-06-01' },
    );
    const plan = planWaves(all, { waveSize: 5, partition: 'aws' });
    expect(plan.waves.flatMap((w) => ids(w.tenants))).toEqual(['t0000-desk']);
    expect(ids(plan.otherPartition)).toEqual(['t0004-desk']);
  });

  test.each([0, -1, 1.5, MAX_WAVE_SIZE + 1])('throws for waveSize %p', (waveSize) => {
    expect(() => planWaves(commercial(1), { waveSize })).toThrow(
      `waveSize must be a whole number from 1 to ${MAX_WAVE_SIZE}`,
    );
  });

  test('a full wave fits one CodePipeline stage', () => {
    expect(MAX_WAVE_SIZE * ACTIONS_PER_TENANT + ACTIONS_PER_WAVE).toBeLessThanOrEqual(
      CODEPIPELINE_QUOTAS.actionsPerStage,
    );
  });

  test('throws when more tenants are pinned to a wave than it holds, naming them', () => {
    const pinned = commercial(3, {
      0: 'delivery:\n  wave: 1\n',
      1: 'delivery:\n  wave: 1\n',
      2: 'delivery:\n  wave: 1\n',
    });
    expect(() => planWaves(pinned, { waveSize: 2 })).toThrow(
      /wave 1 has 3 tenants pinned .*t0000-desk, t0001-desk, t0002-desk/,
    );
  });

  test("throws when the waves would not fit one pipeline's stages", () => {
    expect(() => planWaves(commercial(47), { waveSize: 1 })).toThrow(
      /needs 47 waves, more than the 46 one pipeline can hold/,
    );
  });

  test('throws above MAX_TENANTS_PER_PIPELINE and splits the fleet by shards', () => {
    const fleet = commercial(MAX_TENANTS_PER_PIPELINE + 1);
    expect(() => planWaves(fleet, { waveSize: MAX_WAVE_SIZE })).toThrow(/split the fleet across 2 or more pipelines/);
    const shards = [0, 1].map((index) => planWaves(fleet, { waveSize: MAX_WAVE_SIZE, shard: { count: 2, index } }));
    const planned = shards.map((p) => p.waves.flatMap((w) => ids(w.tenants)));
    expect(planned[0]!.length + planned[1]!.length).toBe(fleet.length);
    expect(planned[0]!.filter((id) => planned[1]!.includes(id))).toEqual([]);
    expect(ids(shards[0]!.otherShard).sort()).toEqual([...planned[1]!].sort());
  });
});

describe('shardOf', () => {
  test('is stable and independent of the rest of the fleet', () => {
    expect(shardOf('acme-health', 4)).toBe(shardOf('acme-health', 4));
    expect([...Array(4).keys()]).toContain(shardOf('acme-health', 4));
    expect(shardOf('acme-health', 1)).toBe(0);
  });

  test('spreads a fleet evenly enough', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 1000; i++) counts[shardOf(syntheticTenantId(i), 4)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(200);
  });
});
