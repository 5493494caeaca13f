/**
 * Sizing and engine tuning derived from a tenant's workload. Pure functions: no constructs, no I/O, so they are
 * unit-tested directly and reused by the stack, the docs and (later) the verifier.
 */

/**
 * The workload a tenant's desk carries, as the manifest states it (`workload`), with the defaults filled in.
 * docs/sizing.md explains each input, the model built on it and its sources.
 */
export interface Workload {
  /** Tickets opened per day. */
  readonly ticketsPerDay: number;
  /** Agents working in the desk at the same time (peak). */
  readonly concurrentAgents: number;
  /** Years tickets are kept (in the database and in the search index). */
  readonly retentionYears: number;
  /** Attachment volume (GiB) the desk holds at the end of the retention period. */
  readonly attachmentsGb: number;
}

/** What a manifest may leave out of `workload`. */
export type WorkloadInput = Pick<Workload, 'ticketsPerDay'> & Partial<Omit<Workload, 'ticketsPerDay'>>;

/** Tickets one agent works per day, when the manifest does not state `concurrentAgents` (model assumption). */
export const TICKETS_PER_AGENT_PER_DAY = 40;
/** Retention when the manifest does not state `retentionYears`: SOX 802's seven years, the longest regime here. */
export const DEFAULT_RETENTION_YEARS = 7;

/** Fills in the defaults: agents from tickets (at least 5), seven years, no attachments. */
export function resolveWorkload(w: WorkloadInput): Workload {
  if (!Number.isInteger(w.ticketsPerDay) || w.ticketsPerDay < 1) {
    throw new Error(`ticketsPerDay must be a whole number of at least 1, got ${w.ticketsPerDay}`);
  }
  const agents = w.concurrentAgents ?? Math.max(5, Math.ceil(w.ticketsPerDay / TICKETS_PER_AGENT_PER_DAY));
  if (!Number.isInteger(agents) || agents < 1) {
    throw new Error(`concurrentAgents must be a whole number of at least 1, got ${agents}`);
  }
  const years = w.retentionYears ?? DEFAULT_RETENTION_YEARS;
  if (!Number.isInteger(years) || years < 1) throw new Error(`retentionYears must be a whole number of at least 1, got ${years}`);
  const attachments = w.attachmentsGb ?? 0;
  if (!(attachments >= 0)) throw new Error(`attachmentsGb must be 0 or more, got ${attachments}`);
  return { ticketsPerDay: w.ticketsPerDay, concurrentAgents: agents, retentionYears: years, attachmentsGb: attachments };
}

/**
 * The database connections the application tier can open, which is what `max_connections` must admit.
 *
 * The app tier does not exist yet; it is modelled as stateless web tasks of `AGENTS_PER_APP_TASK` agents each
 * (at least two, one per zone), each with a pool of `APP_POOL_SIZE` connections, plus background-worker tasks,
 * plus headroom for operators, migrations, monitoring and RDS's own reserved superuser connections.
 */
export interface ConnectionBudget {
  readonly appTasks: number;
  readonly workerTasks: number;
  readonly poolSize: number;
  /** Connections kept free for operators, migrations, monitoring and rdsadmin. */
  readonly headroom: number;
  /** appTasks x poolSize + workerTasks x poolSize + headroom. */
  readonly maxConnections: number;
}

/** Agents one web task of the app tier serves (model assumption, docs/sizing.md). */
export const AGENTS_PER_APP_TASK = 50;
/** Connections in each app or worker task's pool (model assumption). */
export const APP_POOL_SIZE = 10;
/** Fixed headroom on top of the pools: operators, schema migrations, monitoring agents, rdsadmin. */
export const CONNECTION_HEADROOM = 20;

export function connectionBudget(w: Pick<Workload, 'concurrentAgents' | 'ticketsPerDay'>): ConnectionBudget {
  const appTasks = Math.max(2, Math.ceil(w.concurrentAgents / AGENTS_PER_APP_TASK));
  // One worker task (mail intake, SLA timers, indexing) per 50 000 tickets a day, two at least (one per zone).
  const workerTasks = Math.max(2, Math.ceil(w.ticketsPerDay / 50_000));
  const pools = (appTasks + workerTasks) * APP_POOL_SIZE;
  const headroom = CONNECTION_HEADROOM + Math.ceil(pools * 0.2);
  return { appTasks, workerTasks, poolSize: APP_POOL_SIZE, headroom, maxConnections: pools + headroom };
}

/** What the database of a tenant is sized to. */
export interface DatabaseSizing {
  /** RDS instance class, e.g. `db.r6g.large`. */
  readonly instanceClass: string;
  /** Memory of the class in GiB. */
  readonly memoryGiB: number;
  /** Initial allocated storage in GiB (the first year of data with headroom). */
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling in GiB (the whole retention period with headroom). */
  readonly maxAllocatedStorageGiB: number;
  /** The connection budget `max_connections` is set to. */
  readonly connections: ConnectionBudget;
  /** Projected data in GiB: after one year and at the end of the retention period. */
  readonly projectedDataGiB: { readonly firstYear: number; readonly retention: number };
}

/** Database bytes per ticket: the ticket, its articles, history and indexes (model assumption, docs/sizing.md). */
export const DB_KIB_PER_TICKET = 24;
/** Days of tickets agents work on (the hot set that should stay in memory). */
export const HOT_DAYS = 30;
/** Memory each admitted connection is budgeted (backend overhead plus its share of work_mem). */
export const MIB_PER_CONNECTION = 24;
/** Agents one vCPU serves at peak (model assumption). */
export const AGENTS_PER_VCPU = 150;

/**
 * The classes the model chooses from, smallest first: Graviton m6g/r6g, offered for RDS PostgreSQL in every region
 * this tool accepts, GovCloud included, and as EC2 dedicated instances (r6i, for one, is not offered for PostgreSQL
 * in us-gov-west-1). The ticket-volume floor keeps the write path of busy desks off the smallest classes.
 */
const DATABASE_CLASSES: readonly { instanceClass: string; minTicketsPerDay: number }[] = [
  { instanceClass: 'db.m6g.large', minTicketsPerDay: 0 },
  { instanceClass: 'db.r6g.large', minTicketsPerDay: 5_001 },
  { instanceClass: 'db.r6g.xlarge', minTicketsPerDay: 25_001 },
  { instanceClass: 'db.r6g.2xlarge', minTicketsPerDay: 100_001 },
  { instanceClass: 'db.r6g.4xlarge', minTicketsPerDay: 500_001 },
  // Chosen only when memory or vCPUs demand them (never a ticket-volume floor).
  { instanceClass: 'db.r6g.8xlarge', minTicketsPerDay: Number.POSITIVE_INFINITY },
  { instanceClass: 'db.r6g.12xlarge', minTicketsPerDay: Number.POSITIVE_INFINITY },
  { instanceClass: 'db.r6g.16xlarge', minTicketsPerDay: Number.POSITIVE_INFINITY },
];

const GIB = 1024 ** 3;
const KIB = 1024;

/** Database data in GiB after `years` of tickets, attachments included (they grow linearly to attachmentsGb). */
export function projectedDatabaseGiB(w: Workload, years: number): number {
  const tickets = (w.ticketsPerDay * 365 * years * DB_KIB_PER_TICKET * KIB) / GIB;
  return tickets + (w.attachmentsGb * Math.min(years, w.retentionYears)) / w.retentionYears;
}

/**
 * Sizes the database for a workload: the smallest class at or above the ticket-volume floor whose memory holds the
 * hot set (in the 75% planner cache) and the connection budget, and whose vCPUs serve the agents. An explicit
 * instance class (the manifest's `database.instanceClass`) wins over the derived one; storage always follows the
 * workload: the first year of data plus 50% as allocated storage, the whole retention plus 50% as the ceiling.
 */
export function databaseSizing(workload: WorkloadInput, instanceClassOverride?: string): DatabaseSizing {
  const w = resolveWorkload(workload);
  const connections = connectionBudget(w);
  const hotGiB = (w.ticketsPerDay * HOT_DAYS * DB_KIB_PER_TICKET * KIB) / GIB;
  const needMemoryGiB = Math.max(hotGiB / 0.75, (connections.maxConnections * MIB_PER_CONNECTION) / 1024 / 0.5);
  const needVcpus = Math.ceil(w.concurrentAgents / AGENTS_PER_VCPU);
  let floor = 0;
  DATABASE_CLASSES.forEach((c, i) => {
    if (w.ticketsPerDay >= c.minTicketsPerDay) floor = i;
  });
  const derived =
    DATABASE_CLASSES.slice(floor).find((c) => {
      const memory = instanceMemoryGiB(c.instanceClass);
      return memory >= needMemoryGiB && classVcpus(c.instanceClass) >= needVcpus;
    }) ?? DATABASE_CLASSES[DATABASE_CLASSES.length - 1]!;
  const instanceClass = instanceClassOverride ?? derived.instanceClass;
  const firstYear = projectedDatabaseGiB(w, 1);
  const retention = projectedDatabaseGiB(w, w.retentionYears);
  const allocated = clamp(roundUp(firstYear * 1.5, 10), 100, 65_536);
  const ceiling = clamp(Math.max(allocated * 2, roundUp(retention * 1.5, 10)), allocated, 65_536);
  return {
    instanceClass,
    memoryGiB: instanceMemoryGiB(instanceClass),
    allocatedStorageGiB: allocated,
    maxAllocatedStorageGiB: ceiling,
    connections,
    projectedDataGiB: { firstYear: round2(firstYear), retention: round2(retention) },
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

/** vCPUs of an RDS instance class (`db.<family>.<size>`); throws for a class it cannot read. */
export function classVcpus(instanceClass: string): number {
  const size = CLASS_PATTERN.exec(instanceClass)?.[2];
  const cpus = size === undefined ? undefined : vcpus(size);
  if (cpus === undefined) throw new Error(`instanceClass "${instanceClass}" has no size this tool can read`);
  return cpus;
}

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

/** What the PostgreSQL parameter group is tuned for. */
export interface PostgresTuning {
  /** `max_connections`: the connection budget (see `connectionBudget`). */
  readonly maxConnections: number;
  /** Turn on pgAudit (DDL and role changes) for a regulated tenant. */
  readonly audit: boolean;
}

/**
 * The PostgreSQL engine settings of the per-tenant parameter group (values as RDS expects them: strings).
 *
 * Memory settings are RDS formulas over `DBInstanceClassMemory` (bytes available to the engine), so they follow the
 * instance class when it changes instead of freezing absolutes computed from nominal memory: `shared_buffers` is
 * static and a literal changed later waits for a reboot that nothing schedules. Source: RDS User Guide, "Specifying
 * DB parameters" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ParamValuesRef.html): formulas
 * `{Variable*Integer/Integer}`, functions GREATEST/LEAST. Units: 8 KiB pages for shared_buffers and
 * effective_cache_size, KiB for the *_mem settings.
 */
export function postgresParameters(t: PostgresTuning): Record<string, string> {
  if (!Number.isInteger(t.maxConnections) || t.maxConnections < 20) {
    throw new Error(`maxConnections must be a whole number of at least 20, got ${t.maxConnections}`);
  }
  // work_mem: a quarter of memory spread over the admitted connections (KiB), capped at 64 MiB per sort or hash.
  const workMemDivisor = 4 * 1024 * t.maxConnections;
  return {
    'rds.force_ssl': '1',
    max_connections: String(t.maxConnections),
    shared_buffers: '{DBInstanceClassMemory/32768}', // 25% (bytes / 4 / 8192-byte pages): the RDS default
    effective_cache_size: '{DBInstanceClassMemory*3/32768}', // 75%: planner's estimate of buffers + OS cache
    work_mem: `LEAST({DBInstanceClassMemory/${workMemDivisor}},65536)`,
    maintenance_work_mem: 'LEAST({DBInstanceClassMemory/16384},2097152)', // memory/16, at most 2 GiB
    // Each autovacuum worker otherwise takes maintenance_work_mem; bounded to memory/64, at most 1 GiB (the most
    // vacuum can use for dead tuples before PostgreSQL 17).
    autovacuum_work_mem: 'LEAST({DBInstanceClassMemory/65536},1048576)',
    // gp3: SSD latency, 3000 baseline IOPS: random reads cost about as much as sequential ones.
    random_page_cost: '1.1',
    effective_io_concurrency: '200',
    // Hot, often-updated ticket tables: see what autovacuum, locks and spills do.
    log_autovacuum_min_duration: '1000', // ms: every autovacuum run longer than a second
    log_lock_waits: '1',
    log_temp_files: '10240', // KiB: sorts and hashes that spill more than 10 MiB to disk
    idle_in_transaction_session_timeout: '300000', // ms: a session idle in a transaction holds locks and xmin
    log_connections: '1',
    log_disconnections: '1',
    log_min_duration_statement: '1000',
    shared_preload_libraries: t.audit ? 'pg_stat_statements,pgaudit' : 'pg_stat_statements',
    'pg_stat_statements.track': 'top',
    ...(t.audit
      ? {
          // RDS User Guide, "Setting up the pgAudit extension"
          // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.pgaudit.basic-setup.html):
          // the library in shared_preload_libraries, the rds_pgaudit role for object auditing, pgaudit.log classes.
          'pgaudit.log': 'ddl,role',
          'pgaudit.role': 'rds_pgaudit',
          'pgaudit.log_parameter': '0',
        }
      : {}),
  };
}

/** What the OpenSearch domain of a tenant is sized to. */
export interface SearchSizing {
  readonly dataNodes: number;
  readonly dataNodeInstanceType: string;
  /** Dedicated master nodes: three for every domain (production). */
  readonly masterNodes: number;
  readonly masterNodeInstanceType: string;
  readonly volumeSizeGiB: number;
  /** Projected primary data (source plus indexing overhead) of the desk's index at the end of retention, GiB. */
  readonly projectedIndexGiB: number;
  /** Primary shards of the desk's ticket index (10-30 GiB each). */
  readonly primaryShards: number;
  /** Replicas of each shard: two with Multi-AZ with standby (three copies, one per zone). */
  readonly replicas: number;
}

/** Search source bytes per ticket: subject, articles' text, fields (model assumption, docs/sizing.md). */
export const SEARCH_KIB_PER_TICKET = 8;
/** Share of attachment bytes that becomes indexed text (model assumption). */
export const INDEXED_ATTACHMENT_SHARE = 0.05;
/** Target primary shard size for a search workload (OpenSearch Service: 10-30 GiB). */
export const TARGET_SHARD_GIB = 25;
/** The storage overhead factor of the OpenSearch Service developer guide ("Calculating storage requirements"). */
export const SEARCH_STORAGE_OVERHEAD = 1.45;

const SEARCH_TIERS: readonly { upTo: number; dataNodes: number; instanceType: string }[] = [
  { upTo: 25_000, dataNodes: 3, instanceType: 'r6g.large.search' },
  { upTo: 150_000, dataNodes: 3, instanceType: 'r6g.xlarge.search' },
  { upTo: Number.POSITIVE_INFINITY, dataNodes: 6, instanceType: 'r6g.2xlarge.search' },
];

/** Largest gp3 volume per data node the model plans for before it adds nodes instead (GiB). */
export const MAX_PLANNED_VOLUME_GIB = 1_024;

/**
 * Sizes the search domain: source data = tickets x SEARCH_KIB_PER_TICKET over the retention plus the indexed share
 * of attachments; storage = source x (1 + replicas) x 1.45 (OpenSearch Service, "Calculating storage
 * requirements"); primary shards = source x 1.1 / 25 GiB (10-30 GiB per shard for search workloads, "Choosing the
 * number of shards"); two replicas because every domain runs Multi-AZ with standby behind three dedicated masters.
 */
export function searchSizing(
  workload: WorkloadInput,
  overrides: { dataNodes?: number; instanceType?: string } = {},
): SearchSizing {
  const w = resolveWorkload(workload);
  const tier = SEARCH_TIERS.find((t) => w.ticketsPerDay <= t.upTo) ?? SEARCH_TIERS[SEARCH_TIERS.length - 1]!;
  const replicas = 2;
  const sourceGiB =
    (w.ticketsPerDay * 365 * w.retentionYears * SEARCH_KIB_PER_TICKET * KIB) / GIB + w.attachmentsGb * INDEXED_ATTACHMENT_SHARE;
  const indexGiB = sourceGiB * 1.1;
  const primaryShards = Math.max(1, Math.ceil(indexGiB / TARGET_SHARD_GIB));
  const storageGiB = sourceGiB * (1 + replicas) * SEARCH_STORAGE_OVERHEAD;
  // Data nodes: the tier's count, more (in steps of three zones) when a node would need more than the planned volume.
  let dataNodes = overrides.dataNodes ?? tier.dataNodes;
  if (overrides.dataNodes === undefined) {
    while (storageGiB / dataNodes > MAX_PLANNED_VOLUME_GIB) dataNodes += 3;
  }
  const volumeSizeGiB = clamp(roundUp(storageGiB / dataNodes, 10), 100, 24_576);
  return {
    dataNodes,
    dataNodeInstanceType: overrides.instanceType ?? tier.instanceType,
    masterNodes: 3,
    masterNodeInstanceType: 'm6g.large.search',
    volumeSizeGiB,
    projectedIndexGiB: round2(indexGiB),
    primaryShards,
    replicas,
  };
}

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
