/**
 * Release waves of the fleet pipeline: which tenants deploy together, in which order. Pure (no constructs), so the
 * plan can be tested and printed on its own.
 *
 * - A tenant with `delivery.holdBack: true` is in no wave: it stays on the release it runs.
 * - A tenant with `delivery.wave: n` deploys in wave n.
 * - Every other tenant fills the lowest wave that has room, in manifest (id) order.
 * - Waves left empty are dropped; the order of the rest is kept (their numbers name them).
 * - A tenant in another partition than the pipeline's cannot be deployed by it (CodePipeline does not cross
 *   partitions): it is listed apart, for the pipeline of its own partition.
 * - A fleet larger than one pipeline holds is split into shards (one pipeline each) by a stable hash of the id.
 */
import type { TenantManifest } from '../lib/manifest/schema';

/** CodePipeline quotas a pipeline must fit (per pipeline and per stage; adjustable, these are the defaults). */
export const CODEPIPELINE_QUOTAS = { stagesPerPipeline: 50, actionsPerStage: 50 } as const;

/** Actions each tenant adds to its wave's stage: one CloudFormation deploy (no separate change-set action). */
export const ACTIONS_PER_TENANT = 1;
/** Actions each wave adds besides its tenants: the pre step, the post step, and the release record on the last. */
export const ACTIONS_PER_WAVE = 3;
/** Stages every pipeline has besides its waves: Source, Build, UpdatePipeline, Assets. */
export const FIXED_STAGES = 4;

/**
 * Tenants one pipeline deploys at most. Measured (docs/performance.md): each tenant adds an `sts:AssumeRole` resource
 * to the pipeline role and to the asset-publishing role; at 400 tenants they need 10 and 12 overflow managed
 * policies, beyond IAM's default quota of 10 per role. Above this, split the fleet with `shards`.
 */
export const MAX_TENANTS_PER_PIPELINE = 250;

/** The largest wave one CodePipeline stage can hold. */
export const MAX_WAVE_SIZE = Math.floor((CODEPIPELINE_QUOTAS.actionsPerStage - ACTIONS_PER_WAVE) / ACTIONS_PER_TENANT);

export interface PlannedWave {
  /** The wave number (0 first); a pinned `delivery.wave` keeps its number. */
  readonly index: number;
  readonly tenants: readonly TenantManifest[];
}

export interface WavePlan {
  readonly waves: readonly PlannedWave[];
  /** Tenants with `delivery.holdBack: true`: not deployed by this release. */
  readonly heldBack: readonly TenantManifest[];
  /** Tenants of another partition than the pipeline's. */
  readonly otherPartition: readonly TenantManifest[];
  /** Tenants of other shards (delivered by the other pipelines). */
  readonly otherShard: readonly TenantManifest[];
}

export interface WavePlanOptions {
  /** Tenants per wave, 1 to MAX_WAVE_SIZE. */
  readonly waveSize: number;
  /**
   * Only plan tenants of this partition (the pipeline's).
   * @default - every tenant
   */
  readonly partition?: string;
  /**
   * Split the fleet across this many pipelines and plan shard `shard` (0-based) only; a tenant's shard is a stable
   * hash of its id, so adding a tenant never moves another.
   * @default - one pipeline: { count: 1, index: 0 }
   */
  readonly shard?: { readonly count: number; readonly index: number };
}

/** The shard (0 to count - 1) of a tenant: FNV-1a of its id, stable across releases and fleet changes. */
export function shardOf(tenantId: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < tenantId.length; i++) {
    h ^= tenantId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}

/** Plans the release waves of a fleet; throws when the plan cannot fit one pipeline. */
export function planWaves(manifests: readonly TenantManifest[], options: WavePlanOptions): WavePlan {
  const { waveSize } = options;
  if (!Number.isInteger(waveSize) || waveSize < 1 || waveSize > MAX_WAVE_SIZE) {
    throw new Error(
      `waveSize must be a whole number from 1 to ${MAX_WAVE_SIZE} (a CodePipeline stage holds ` +
        `${CODEPIPELINE_QUOTAS.actionsPerStage} actions, ${ACTIONS_PER_TENANT} per tenant plus ${ACTIONS_PER_WAVE} per wave), got ${waveSize}`,
    );
  }
  const shard = options.shard ?? { count: 1, index: 0 };
  if (
    !Number.isInteger(shard.count) ||
    shard.count < 1 ||
    !Number.isInteger(shard.index) ||
    shard.index < 0 ||
    shard.index >= shard.count
  ) {
    throw new Error(`shard must be { count >= 1, index 0..count-1 }, got ${JSON.stringify(shard)}`);
  }
  const heldBack: TenantManifest[] = [];
  const otherPartition: TenantManifest[] = [];
  const otherShard: TenantManifest[] = [];
  const waves = new Map<number, TenantManifest[]>();
  const unpinned: TenantManifest[] = [];
  for (const m of [...manifests].sort((a, b) => a.id.localeCompare(b.id))) {
    if (options.partition !== undefined && m.partition !== options.partition) otherPartition.push(m);
    else if (shardOf(m.id, shard.count) !== shard.index) otherShard.push(m);
    else if (m.delivery?.holdBack) heldBack.push(m);
    else if (m.delivery?.wave !== undefined) {
      const wave = waves.get(m.delivery.wave) ?? [];
      wave.push(m);
      waves.set(m.delivery.wave, wave);
    } else unpinned.push(m);
  }
  for (const [index, tenants] of waves) {
    if (tenants.length > waveSize) {
      throw new Error(
        `wave ${index} has ${tenants.length} tenants pinned (delivery.wave: ${index}: ${tenants.map((t) => t.id).join(', ')}), ` +
          `more than waveSize ${waveSize}: raise waveSize or pin some to another wave`,
      );
    }
  }
  const deployed = unpinned.length + [...waves.values()].reduce((n, w) => n + w.length, 0);
  if (deployed > MAX_TENANTS_PER_PIPELINE) {
    throw new Error(
      `${deployed} tenants for one pipeline, more than ${MAX_TENANTS_PER_PIPELINE} (IAM policy quotas of the pipeline ` +
        `roles): split the fleet across ${Math.ceil(deployed / MAX_TENANTS_PER_PIPELINE) * shard.count} or more pipelines (shards)`,
    );
  }
  let index = 0;
  for (const m of unpinned) {
    while ((waves.get(index)?.length ?? 0) >= waveSize) index++;
    const wave = waves.get(index) ?? [];
    wave.push(m);
    waves.set(index, wave);
  }
  const planned = [...waves.entries()]
    .filter(([, tenants]) => tenants.length > 0)
    .sort(([a], [b]) => a - b)
    .map(([i, tenants]) => ({ index: i, tenants }));
  const maxWaves = CODEPIPELINE_QUOTAS.stagesPerPipeline - FIXED_STAGES;
  if (planned.length > maxWaves) {
    throw new Error(
      `the release needs ${planned.length} waves, more than the ${maxWaves} one pipeline can hold ` +
        `(${CODEPIPELINE_QUOTAS.stagesPerPipeline} stages): raise waveSize (at most ${MAX_WAVE_SIZE}) or split the fleet ` +
        'across pipelines (docs/operations.md)',
    );
  }
  return { waves: planned, heldBack, otherPartition, otherShard };
}
