/**
 * Sizing and engine tuning derived from a tenant's workload. Pure functions: no constructs, no I/O, so they are
 * unit-tested directly and reused by the stack, the docs and (later) the verifier.
 */

/** What the database of a tenant is sized to. */
export interface DatabaseSizing {
  /** RDS instance class, e.g. `db.r6i.large`. */
  readonly instanceClass: string;
  /** Memory of the class in GiB (drives the engine parameters). */
  readonly memoryGiB: number;
  /** Initial allocated storage in GiB. */
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling in GiB. */
  readonly maxAllocatedStorageGiB: number;
}

/** Workload tiers: the first tier whose `upTo` is at least the tickets per day wins. */
const DATABASE_TIERS: readonly { upTo: number; instanceClass: string; storageGiB: number }[] = [
  // Graviton m6g/r6g: offered for RDS PostgreSQL in every region this tool accepts, GovCloud included, and as
  // EC2 dedicated instances (r6i, for one, is not offered for PostgreSQL in us-gov-west-1).
  { upTo: 5_000, instanceClass: 'db.m6g.large', storageGiB: 100 },
  { upTo: 25_000, instanceClass: 'db.r6g.large', storageGiB: 200 },
  { upTo: 100_000, instanceClass: 'db.r6g.xlarge', storageGiB: 500 },
  { upTo: 500_000, instanceClass: 'db.r6g.2xlarge', storageGiB: 1_000 },
  { upTo: Number.POSITIVE_INFINITY, instanceClass: 'db.r6g.4xlarge', storageGiB: 2_000 },
];

function tierFor<T extends { upTo: number }>(tiers: readonly T[], ticketsPerDay: number): T {
  if (!Number.isInteger(ticketsPerDay) || ticketsPerDay < 1) {
    throw new Error(`ticketsPerDay must be a whole number of at least 1, got ${ticketsPerDay}`);
  }
  return tiers.find((t) => ticketsPerDay <= t.upTo) ?? tiers[tiers.length - 1]!;
}

/**
 * Sizes the database for a workload. An explicit instance class (the manifest's `database.instanceClass`) wins over
 * the derived one; storage always follows the workload.
 */
export function databaseSizing(ticketsPerDay: number, instanceClassOverride?: string): DatabaseSizing {
  const tier = tierFor(DATABASE_TIERS, ticketsPerDay);
  const instanceClass = instanceClassOverride ?? tier.instanceClass;
  return {
    instanceClass,
    memoryGiB: instanceMemoryGiB(instanceClass),
    allocatedStorageGiB: tier.storageGiB,
    maxAllocatedStorageGiB: tier.storageGiB * 4,
  };
}

const CLASS_PATTERN = /^db\.([a-z0-9-]+)\.([a-z0-9]+)$/;

/** Memory (GiB) per vCPU of the instance families this tool sizes for. */
const GIB_PER_VCPU: readonly [RegExp, number][] = [
  [/^m[5-8]/, 4],
  [/^r[5-8]/, 8],
  [/^x2iedn$/, 32],
  [/^x2(g|idn)$/, 16],
  [/^z1d$/, 8],
];

const BURSTABLE_GIB: Readonly<Record<string, number>> = {
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  '2xlarge': 32,
};

/** vCPUs of an instance size (`large` 2, `xlarge` 4, `Nxlarge` 4N). */
function vcpus(size: string): number | undefined {
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  const m = /^(\d+)xlarge$/.exec(size);
  return m ? Number(m[1]) * 4 : undefined;
}

/** Memory of an RDS instance class in GiB; throws for a class this tool cannot size. */
export function instanceMemoryGiB(instanceClass: string): number {
  const m = CLASS_PATTERN.exec(instanceClass);
  if (!m) throw new Error(`instanceClass must look like db.<family>.<size> (e.g. db.r6i.large), got "${instanceClass}"`);
  const [, family, size] = m as unknown as [string, string, string];
  if (/^t\d/.test(family)) {
    const gib = BURSTABLE_GIB[size];
    if (gib !== undefined) return gib;
  } else {
    const ratio = GIB_PER_VCPU.find(([re]) => re.test(family))?.[1];
    const cpus = vcpus(size);
    if (ratio !== undefined && cpus !== undefined) return ratio * cpus;
  }
  throw new Error(
    `instanceClass "${instanceClass}" is not a class this tool can size: use a current-generation m, r, x2 or z1d ` +
      'class (e.g. db.m6i.large, db.r6i.xlarge) or, for isolation "account" only, a db.t3/db.t4g class',
  );
}

/** Families RDS offers in a dedicated-tenancy VPC (current generations that exist as EC2 dedicated instances). */
export const DEDICATED_TENANCY_FAMILIES: readonly string[] = [
  'm5', 'm5d', 'm6g', 'm6gd', 'm6i', 'm6id', 'm6idn', 'm6in', 'm7g', 'm7i',
  'r5', 'r5b', 'r5d', 'r6g', 'r6gd', 'r6i', 'r6id', 'r6idn', 'r6in', 'r7g', 'r7i',
  'x2g', 'x2idn', 'x2iedn', 'z1d',
];

/**
 * Why an RDS instance class cannot run in a dedicated-tenancy VPC, or undefined when it can. Burstable classes
 * (db.t*), db.serverless (Aurora only) and previous generations are not offered as dedicated instances.
 */
export function dedicatedTenancyProblem(instanceClass: string): string | undefined {
  const m = CLASS_PATTERN.exec(instanceClass);
  const family = m?.[1];
  if (family && DEDICATED_TENANCY_FAMILIES.includes(family)) return undefined;
  const why =
    instanceClass === 'db.serverless'
      ? 'db.serverless is Aurora Serverless v2, never a dedicated RDS instance'
      : family && /^t\d/.test(family)
        ? 'burstable (db.t*) classes are not offered for dedicated tenancy'
        : 'it is a previous-generation or unknown family, not offered for dedicated tenancy';
  return (
    `instanceClass "${instanceClass}" cannot run in a dedicated-tenancy VPC: ${why}; ` +
    `allowed families: ${DEDICATED_TENANCY_FAMILIES.map((f) => `db.${f}.*`).join(', ')}`
  );
}

/** The PostgreSQL engine settings of the per-tenant parameter group (values as RDS expects them: strings). */
export function postgresParameters(memoryGiB: number, ticketsPerDay: number): Record<string, string> {
  const memoryKiB = memoryGiB * 1024 * 1024;
  const maxConnections = postgresMaxConnections(memoryGiB, ticketsPerDay);
  return {
    'rds.force_ssl': '1',
    max_connections: String(maxConnections),
    // 8 KiB pages: a quarter of memory for shared buffers, three quarters as the planner's cache estimate.
    shared_buffers: String(Math.floor((memoryKiB * 0.25) / 8)),
    effective_cache_size: String(Math.floor((memoryKiB * 0.75) / 8)),
    // KiB: a quarter of memory spread over the connections, 4 MiB to 64 MiB.
    work_mem: String(clamp(Math.floor((memoryKiB * 0.25) / maxConnections), 4_096, 65_536)),
    maintenance_work_mem: String(clamp(Math.floor(memoryKiB / 16), 65_536, 2_097_152)),
    log_connections: '1',
    log_disconnections: '1',
    log_min_duration_statement: '1000',
  };
}

/**
 * Connections the workload needs (100 plus one per 100 tickets a day, in steps of 10), capped by what the memory
 * carries (the RDS default formula, DBInstanceClassMemory / 9531392) and by 5000.
 */
export function postgresMaxConnections(memoryGiB: number, ticketsPerDay: number): number {
  const byWorkload = Math.ceil((100 + ticketsPerDay / 100) / 10) * 10;
  const byMemory = Math.floor((memoryGiB * 1024 ** 3) / 9_531_392);
  return Math.max(20, Math.min(byWorkload, byMemory, 5_000));
}

/** What the OpenSearch domain of a tenant is sized to. */
export interface SearchSizing {
  readonly dataNodes: number;
  readonly dataNodeInstanceType: string;
  /** Dedicated master nodes (0 = none). Three when the domain is sized up. */
  readonly masterNodes: number;
  readonly masterNodeInstanceType: string;
  readonly volumeSizeGiB: number;
}

const SEARCH_TIERS: readonly { upTo: number; dataNodes: number; instanceType: string; volumeGiB: number }[] = [
  { upTo: 25_000, dataNodes: 3, instanceType: 'r6g.large.search', volumeGiB: 100 },
  { upTo: 150_000, dataNodes: 3, instanceType: 'r6g.xlarge.search', volumeGiB: 250 },
  { upTo: Number.POSITIVE_INFINITY, dataNodes: 6, instanceType: 'r6g.2xlarge.search', volumeGiB: 500 },
];

/** Above this many tickets a day (or above 3 data nodes) the domain is "sized up" and gets dedicated masters. */
export const DEDICATED_MASTERS_ABOVE_TICKETS = 25_000;

export function searchSizing(
  ticketsPerDay: number,
  overrides: { dataNodes?: number; instanceType?: string } = {},
): SearchSizing {
  const tier = tierFor(SEARCH_TIERS, ticketsPerDay);
  const dataNodes = overrides.dataNodes ?? tier.dataNodes;
  const sizedUp = ticketsPerDay > DEDICATED_MASTERS_ABOVE_TICKETS || dataNodes > 3;
  return {
    dataNodes,
    dataNodeInstanceType: overrides.instanceType ?? tier.instanceType,
    masterNodes: sizedUp ? 3 : 0,
    masterNodeInstanceType: 'm6g.large.search',
    volumeSizeGiB: tier.volumeGiB,
  };
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
