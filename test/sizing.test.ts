import {
  DEDICATED_TENANCY_FAMILIES,
  classVcpus,
  connectionBudget,
  databaseSizing,
  dedicatedTenancyProblem,
  instanceMemoryGiB,
  postgresParameters,
  projectedDatabaseGiB,
  resolveWorkload,
  searchSizing,
} from '../lib/sizing';

describe('resolveWorkload', () => {
  test('derives agents from tickets (one per 40 a day, at least 5), seven years, no attachments', () => {
    expect(resolveWorkload({ ticketsPerDay: 12_000 })).toEqual({
      ticketsPerDay: 12_000,
      concurrentAgents: 300,
      retentionYears: 7,
      attachmentsGb: 0,
    });
    expect(resolveWorkload({ ticketsPerDay: 10 }).concurrentAgents).toBe(5);
  });

  test('a stated value wins', () => {
    expect(resolveWorkload({ ticketsPerDay: 100, concurrentAgents: 7, retentionYears: 2, attachmentsGb: 50 })).toEqual({
      ticketsPerDay: 100,
      concurrentAgents: 7,
      retentionYears: 2,
      attachmentsGb: 50,
    });
  });

  test.each([
    [{ ticketsPerDay: 0 }, 'ticketsPerDay must be a whole number of at least 1, got 0'],
    [{ ticketsPerDay: 10, concurrentAgents: 0 }, 'concurrentAgents must be a whole number of at least 1, got 0'],
    [{ ticketsPerDay: 10, retentionYears: 0 }, 'retentionYears must be a whole number of at least 1, got 0'],
    [{ ticketsPerDay: 10, attachmentsGb: -1 }, 'attachmentsGb must be 0 or more, got -1'],
  ])('throws for %j', (input, message) => {
    expect(() => resolveWorkload(input)).toThrow(message);
  });
});

describe('connectionBudget', () => {
  test.each([
    // agents, tickets -> app tasks, worker tasks, headroom, max_connections
    [20, 800, 2, 2, 28, 68],
    [300, 12_000, 6, 2, 36, 116],
    [1_000, 40_000, 20, 2, 64, 284],
    [1_000, 120_000, 20, 3, 66, 296],
  ])('%i agents, %i tickets: %i app tasks, %i workers, %i headroom, %i connections', (agents, tickets, app, workers, headroom, max) => {
    expect(connectionBudget({ concurrentAgents: agents, ticketsPerDay: tickets })).toEqual({
      appTasks: app,
      workerTasks: workers,
      poolSize: 10,
      headroom,
      maxConnections: max,
    });
  });
});

describe('databaseSizing', () => {
  test.each([
    // tickets a day -> class, allocated GiB, ceiling GiB (7 years)
    [800, 'db.m6g.large', 100, 200],
    [3_500, 'db.m6g.large', 100, 310],
    [12_000, 'db.r6g.large', 160, 1_060],
    [40_000, 'db.r6g.2xlarge', 510, 3_510],
    [150_001, 'db.r6g.8xlarge', 1_880, 13_160],
  ])('sizes %i tickets a day as %s with %i GiB, growing to %i GiB', (tickets, instanceClass, storage, ceiling) => {
    expect(databaseSizing({ ticketsPerDay: tickets })).toMatchObject({
      instanceClass,
      allocatedStorageGiB: storage,
      maxAllocatedStorageGiB: ceiling,
    });
  });

  test('the ticket-volume floor holds even when memory and vCPUs would fit a smaller class', () => {
    // 5001 tickets with 5 agents: m6g.large would hold the hot set and the connections.
    expect(databaseSizing({ ticketsPerDay: 5_001, concurrentAgents: 5 }).instanceClass).toBe('db.r6g.large');
  });

  test('concurrent agents drive the class: 1200 agents need 8 vCPUs', () => {
    expect(databaseSizing({ ticketsPerDay: 3_500, concurrentAgents: 1_200 })).toMatchObject({
      instanceClass: 'db.r6g.2xlarge',
      connections: { appTasks: 24, maxConnections: 332 },
    });
  });

  test('retention years drive the storage ceiling, not the initial storage', () => {
    const two = databaseSizing({ ticketsPerDay: 12_000, retentionYears: 2 });
    const ten = databaseSizing({ ticketsPerDay: 12_000, retentionYears: 10 });
    expect([two.allocatedStorageGiB, two.maxAllocatedStorageGiB]).toEqual([160, 320]);
    expect([ten.allocatedStorageGiB, ten.maxAllocatedStorageGiB]).toEqual([160, 1_510]);
  });

  test('attachments are stored in the database and grow over the retention period', () => {
    const w = resolveWorkload({ ticketsPerDay: 800, attachmentsGb: 700 });
    expect(projectedDatabaseGiB(w, 1)).toBeCloseTo(6.68 + 100, 1);
    expect(databaseSizing(w)).toMatchObject({ allocatedStorageGiB: 170, maxAllocatedStorageGiB: 1_130 });
  });

  test('storage stays within the RDS gp3 limits', () => {
    const huge = databaseSizing({ ticketsPerDay: 5_000_000, retentionYears: 30 });
    expect(huge.allocatedStorageGiB).toBe(62_660);
    expect(huge.maxAllocatedStorageGiB).toBe(65_536);
  });

  test('an explicit instance class wins over the derived one', () => {
    expect(databaseSizing({ ticketsPerDay: 12_000 }, 'db.m7i.2xlarge')).toMatchObject({ instanceClass: 'db.m7i.2xlarge', memoryGiB: 32 });
  });
});

describe('instanceMemoryGiB and classVcpus', () => {
  test.each([
    ['db.m6g.large', 8, 2],
    ['db.r6g.large', 16, 2],
    ['db.r6g.xlarge', 32, 4],
    ['db.r6i.4xlarge', 128, 16],
    ['db.x2iedn.2xlarge', 256, 8],
    ['db.t4g.medium', 4, undefined],
  ])('%s has %i GiB', (cls, gib, cpus) => {
    expect(instanceMemoryGiB(cls)).toBe(gib);
    if (cpus !== undefined) expect(classVcpus(cls)).toBe(cpus);
  });

  test('throws for a class it cannot size, naming what it can', () => {
    expect(() => instanceMemoryGiB('db.q9.large')).toThrow(/"db\.q9\.large" is not a class this tool can size: use a current-generation m, r/);
    expect(() => instanceMemoryGiB('r6g.large')).toThrow('instanceClass must look like db.<family>.<size>');
    expect(() => classVcpus('db.t4g.medium')).toThrow('instanceClass "db.t4g.medium" has no size this tool can read');
  });
});

describe('dedicatedTenancyProblem', () => {
  test.each(DEDICATED_TENANCY_FAMILIES.map((f) => `db.${f}.xlarge`))('accepts %s', (cls) => {
    expect(dedicatedTenancyProblem(cls)).toBeUndefined();
  });

  test.each([
    ['db.t4g.large', 'burstable (db.t*) classes are not offered for dedicated tenancy'],
    ['db.t3.medium', 'burstable (db.t*) classes are not offered for dedicated tenancy'],
    ['db.serverless', 'db.serverless is Aurora Serverless v2'],
    ['db.m4.large', 'previous-generation or unknown family'],
    ['db.r3.xlarge', 'previous-generation or unknown family'],
  ])('rejects %s: %s', (cls, why) => {
    const problem = dedicatedTenancyProblem(cls);
    expect(problem).toContain(`instanceClass "${cls}" cannot run in a dedicated-tenancy VPC`);
    expect(problem).toContain(why);
    expect(problem).toContain('allowed families: db.m5.*');
  });
});

describe('postgresParameters', () => {
  test('memory settings are RDS formulas over the class memory, never absolutes', () => {
    expect(postgresParameters({ maxConnections: 116, audit: false })).toMatchObject({
      shared_buffers: '{DBInstanceClassMemory/32768}',
      effective_cache_size: '{DBInstanceClassMemory*3/32768}',
      work_mem: `LEAST({DBInstanceClassMemory/${4 * 1024 * 116}},65536)`,
      maintenance_work_mem: 'LEAST({DBInstanceClassMemory/16384},2097152)',
      autovacuum_work_mem: 'LEAST({DBInstanceClassMemory/65536},1048576)',
    });
  });

  test('max_connections is the connection budget', () => {
    expect(postgresParameters({ maxConnections: 284, audit: false }).max_connections).toBe('284');
  });

  test('forces TLS, tunes for gp3 and logs autovacuum, lock waits, temp files; bounds idle transactions', () => {
    expect(postgresParameters({ maxConnections: 68, audit: false })).toMatchObject({
      'rds.force_ssl': '1',
      random_page_cost: '1.1',
      effective_io_concurrency: '200',
      log_autovacuum_min_duration: '1000',
      log_lock_waits: '1',
      log_temp_files: '10240',
      idle_in_transaction_session_timeout: '300000',
      shared_preload_libraries: 'pg_stat_statements',
    });
  });

  test('pgAudit logs DDL and role changes when audited; not loaded otherwise', () => {
    const audited = postgresParameters({ maxConnections: 68, audit: true });
    expect(audited).toMatchObject({
      shared_preload_libraries: 'pg_stat_statements,pgaudit',
      'pgaudit.log': 'ddl,role',
      'pgaudit.role': 'rds_pgaudit',
    });
    const plain = postgresParameters({ maxConnections: 68, audit: false });
    expect(Object.keys(plain).filter((k) => k.startsWith('pgaudit'))).toEqual([]);
  });

  test('throws for a budget below 20 connections', () => {
    expect(() => postgresParameters({ maxConnections: 10, audit: false })).toThrow('maxConnections must be a whole number of at least 20, got 10');
  });
});

describe('searchSizing', () => {
  test.each([
    // tickets -> data nodes, type, GiB per node, primary shards
    [800, 3, 'r6g.large.search', 100, 1],
    [12_000, 3, 'r6g.large.search', 340, 11],
    [40_000, 6, 'r6g.xlarge.search', 570, 35],
    [150_001, 15, 'r6g.2xlarge.search', 850, 129],
  ])('%i tickets: %i data nodes of %s, %i GiB each, %i primary shards', (tickets, nodes, type, volume, shards) => {
    expect(searchSizing({ ticketsPerDay: tickets })).toMatchObject({
      dataNodes: nodes,
      dataNodeInstanceType: type,
      volumeSizeGiB: volume,
      primaryShards: shards,
      masterNodes: 3,
      replicas: 2,
    });
  });

  test('shards stay within 10-30 GiB of projected index once the index passes 10 GiB', () => {
    for (const tickets of [3_500, 12_000, 40_000, 150_001]) {
      const s = searchSizing({ ticketsPerDay: tickets });
      const perShard = s.projectedIndexGiB / s.primaryShards;
      expect(perShard).toBeGreaterThanOrEqual(10);
      expect(perShard).toBeLessThanOrEqual(30);
    }
  });

  test('indexed attachment text adds to the index: 5% of the attachment volume', () => {
    const without = searchSizing({ ticketsPerDay: 800 });
    const withAttachments = searchSizing({ ticketsPerDay: 800, attachmentsGb: 2_000 });
    expect(withAttachments.projectedIndexGiB - without.projectedIndexGiB).toBeCloseTo(2_000 * 0.05 * 1.1, 1);
  });

  test('overrides win; three dedicated masters always', () => {
    expect(searchSizing({ ticketsPerDay: 800 }, { dataNodes: 6, instanceType: 'r7g.large.search' })).toMatchObject({
      dataNodes: 6,
      dataNodeInstanceType: 'r7g.large.search',
      masterNodes: 3,
    });
  });
});
