/**
 * Synthetic fleets for the benchmark and the fleet tests: N valid tenant manifests with unique ids, accounts and
 * CIDRs, and a mix of isolation levels, regimes and regions. Deterministic (tenant i is always the same manifest).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const LEVELS = ['account', 'hardware', 'hsm'] as const;
/** Regime sets, cycled; the GovCloud-only ones (itar, fedramp-high) get a GovCloud region. */
const REGIME_SETS: readonly (readonly string[])[] = [
  [],
  ['hipaa'],
  ['pci-dss', 'sox'],
  ['sox', 'pci-dss', 'fedramp-moderate'],
  ['itar', 'fedramp-high'],
];
const REGIONS = ['eu-west-1', 'us-east-1', 'eu-central-1', 'us-west-2', 'ap-southeast-2', 'ca-central-1'] as const;
/** Zone letters per region (the manifest must name zones; ca-central-1 has no c zone). */
const ZONE_LETTERS: Readonly<Record<string, string>> = { 'ca-central-1': 'abd' };
const GOV_REGIONS = ['us-gov-west-1', 'us-gov-east-1'] as const;
const TICKETS = [800, 3500, 12000, 40000] as const;

/** The id of synthetic tenant `i` (`t0000-desk`, `t0001-desk`, ...). */
export function syntheticTenantId(i: number): string {
  return `t${String(i).padStart(4, '0')}-desk`;
}

/** One synthetic manifest as YAML text. Tenant i's data VPC is the i-th pair of /20 blocks in 10.0.0.0/8. */
export function syntheticManifest(i: number, options: { holdBackEvery?: number } = {}): string {
  if (i < 0 || i >= 2048)
    throw new Error(`synthetic tenant index must be 0-2047 (2 x /20 blocks each in 10.0.0.0/8), got ${i}`);
  const level = LEVELS[i % LEVELS.length]!;
  const regimes = REGIME_SETS[i % REGIME_SETS.length]!;
  const gov = regimes.includes('itar');
  const region = gov ? GOV_REGIONS[i % GOV_REGIONS.length]! : REGIONS[i % REGIONS.length]!;
  const block = 2 * i; // /20 blocks: 16 per /16; the next block is left free for the derived search CIDR.
  const cidr = `10.${Math.floor(block / 16)}.${(block % 16) * 16}.0/20`;
  const account = String(100_000_000_000 + i * 7_919);
  const lines = [
    `id: ${syntheticTenantId(i)}`,
    `account: "${account}"`,
    `region: ${region}`,
    `isolation: ${level}`,
    `compliance: [${regimes.join(', ')}]`,
    'licence:',
    `  justification: "Synthetic benchmark tenant ${i}"`,
    '  approvedBy: bench@example.com',
    '  reviewBy: 2099-12-31',
    'network:',
    `  cidr: ${cidr}`,
    `  availabilityZones: [${[...(ZONE_LETTERS[region] ?? 'abc')].map((z) => `${region}${z}`).join(', ')}]`,
    ...(level === 'hsm' ? ['hsm:', '  phase: complete'] : []),
    'workload:',
    `  ticketsPerDay: ${TICKETS[i % TICKETS.length]!}`,
  ];
  if (options.holdBackEvery && i % options.holdBackEvery === options.holdBackEvery - 1) {
    lines.push('delivery:', '  holdBack: true');
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `count` synthetic manifests into `dir` (created if missing); returns the tenant ids in file order. */
export function writeSyntheticFleet(dir: string, count: number, options: { holdBackEvery?: number } = {}): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = syntheticTenantId(i);
    fs.writeFileSync(path.join(dir, `${id}.yaml`), syntheticManifest(i, options));
    ids.push(id);
  }
  return ids;
}

/** A fresh temporary directory holding `count` synthetic manifests. */
export function syntheticFleetDir(count: number, options: { holdBackEvery?: number } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `exclusive-desk-fleet-${count}-`));
  writeSyntheticFleet(dir, count, options);
  return dir;
}
