/**
 * Jest global setup: synthesizes the example fleet once per run (the real app: constructs, nag packs, isolation
 * plugin) and writes its templates to a temporary file the construct tests read, instead of each test file
 * synthesizing the same four stacks again.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FLEET_CACHE_ENV, synthFleet, type FleetCacheFile } from './fleet';

export default function globalSetup(): void {
  const fleet = synthFleet();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exclusive-desk-fleet-'));
  const file = path.join(dir, 'fleet.json');
  const cache: FleetCacheFile = { json: { ...fleet.json } };
  fs.writeFileSync(file, JSON.stringify(cache));
  process.env[FLEET_CACHE_ENV] = file;
}
