import {
  DEDICATED_TENANCY_FAMILIES,
  databaseSizing,
  dedicatedTenancyProblem,
  instanceMemoryGiB,
  postgresMaxConnections,
  postgresParameters,
  searchSizing,
} from '../lib/sizing';

describe('databaseSizing', () => {
  test.each([
    [1, 'db.m6g.large', 100],
    [800, 'db.m6g.large', 100],
    [5_000, 'db.m6g.large', 100],
    [5_001, 'db.r6g.large', 200],
    [12_000, 'db.r6g.large', 200],
    [40_000, 'db.r6g.xlarge', 500],
    [100_001, 'db.r6g.2xlarge', 1_000],
    [5_000_000, 'db.r6g.4xlarge', 2_000],
  ])('sizes %i tickets a day as %s with %i GiB', (tickets, instanceClass, storage) => {
    const sizing = databaseSizing(tickets);
    expect(sizing).toMatchObject({ instanceClass, allocatedStorageGiB: storage, maxAllocatedStorageGiB: storage * 4 });
  });

  test('an explicit instance class wins over the derived one', () => {
    expect(databaseSizing(12_000, 'db.m7i.2xlarge')).toMatchObject({ instanceClass: 'db.m7i.2xlarge', memoryGiB: 32 });
  });

  test('throws for a workload below one ticket a day', () => {
    expect(() => databaseSizing(0)).toThrow('ticketsPerDay must be a whole number of at least 1, got 0');
  });
});

describe('instanceMemoryGiB', () => {
  test.each([
    ['db.m6g.large', 8],
    ['db.r6g.large', 16],
    ['db.r6g.xlarge', 32],
    ['db.r6i.4xlarge', 128],
    ['db.x2iedn.2xlarge', 256],
    ['db.t4g.medium', 4],
  ])('%s has %i GiB', (cls, gib) => {
    expect(instanceMemoryGiB(cls)).toBe(gib);
  });

  test('throws for a class it cannot size, naming what it can', () => {
    expect(() => instanceMemoryGiB('db.q9.large')).toThrow(/"db\.q9\.large" is not a class this tool can size: use a current-generation m, r/);
    expect(() => instanceMemoryGiB('r6g.large')).toThrow('instanceClass must look like db.<family>.<size>');
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

describe('postgres tuning', () => {
  test('always forces TLS', () => {
    expect(postgresParameters(8, 800)['rds.force_ssl']).toBe('1');
  });

  test('derives memory settings from the class memory', () => {
    const p = postgresParameters(16, 12_000);
    expect(p).toMatchObject({
      max_connections: '220',
      shared_buffers: String((16 * 1024 * 1024 * 0.25) / 8),
      effective_cache_size: String((16 * 1024 * 1024 * 0.75) / 8),
      maintenance_work_mem: String((16 * 1024 * 1024) / 16),
    });
    expect(Number(p.work_mem)).toBe(Math.floor((16 * 1024 * 1024 * 0.25) / 220));
  });

  test('caps work_mem at 64 MiB and keeps at least 4 MiB', () => {
    expect(postgresParameters(256, 1)['work_mem']).toBe('65536');
    expect(Number(postgresParameters(1, 5_000_000)['work_mem'])).toBeGreaterThanOrEqual(4096);
  });

  test.each([
    [8, 800, 110],
    [16, 12_000, 220],
    [32, 40_000, 500],
    [1, 400_000, 112],
    [512, 5_000_000, 5_000],
  ])('max_connections for %i GiB and %i tickets is %i', (gib, tickets, expected) => {
    expect(postgresMaxConnections(gib, tickets)).toBe(expected);
  });
});

describe('searchSizing', () => {
  test.each([
    [800, 3, 'r6g.large.search', 0],
    [12_000, 3, 'r6g.large.search', 0],
    [25_001, 3, 'r6g.xlarge.search', 3],
    [40_000, 3, 'r6g.xlarge.search', 3],
    [150_001, 6, 'r6g.2xlarge.search', 3],
  ])('%i tickets: %i data nodes of %s, %i dedicated masters', (tickets, nodes, type, masters) => {
    expect(searchSizing(tickets)).toMatchObject({ dataNodes: nodes, dataNodeInstanceType: type, masterNodes: masters });
  });

  test('more than 3 data nodes count as sized up', () => {
    expect(searchSizing(800, { dataNodes: 6, instanceType: 'r7g.large.search' })).toMatchObject({
      dataNodes: 6,
      dataNodeInstanceType: 'r7g.large.search',
      masterNodes: 3,
    });
  });
});
