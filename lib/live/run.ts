/**
 * `exclusive-desk verify --live`: reads each tenant's manifest (account, region, level), collects its live
 * inventory with the SDK's default credential chain, and evaluates the live checks of the rule catalogue with the
 * same engine and verdict logic as the template verifier, so every output format and exit code is the same.
 */
import { UsageError } from '../cli/io';
import { evaluateLive } from '../isolation/engine';
import type { IsolationLevel } from '../isolation/levels';
import { loadManifests, ManifestError } from '../manifest/load';
import type { TenantManifest } from '../manifest/schema';
import type { VerifyResult } from '../report/formats';
import { createClients, destroyClients, type ClientFactory, type Env } from './clients';
import { collectInventory } from './collect';
import type { LiveTarget } from './config';

export interface LiveVerificationOptions {
  readonly tenants: readonly string[];
  /** Overrides every tenant's region. @default - the manifest's region */
  readonly region?: string;
  readonly tenantsDir: string;
  /** Minimum level for every tenant. @default - each manifest's `isolation` */
  readonly require?: IsolationLevel;
  /** Accounts that override the manifests' (`--account <tenant>=<digits>`). */
  readonly accounts: ReadonlyMap<string, string>;
  /** The environment (retry settings; the SDK itself reads credentials and endpoints from the process). */
  readonly env: Env;
  /** Creates the SDK clients. @default createClients */
  readonly clientFactory?: ClientFactory;
  /** API operations in flight per tenant. @default 4 */
  readonly concurrency?: number;
}

/** The targets of a live run, from the manifests; throws a UsageError for an unknown tenant or a bad manifest. */
export function liveTargets(options: Pick<LiveVerificationOptions, 'tenants' | 'region' | 'tenantsDir' | 'require' | 'accounts'>): LiveTarget[] {
  let manifests: TenantManifest[];
  try {
    // An expired licence does not stop an audit of what is deployed.
    manifests = loadManifests(options.tenantsDir, { allowExpired: true });
  } catch (e) {
    if (e instanceof ManifestError) throw new UsageError(e.message);
    throw e;
  }
  return options.tenants.map((id) => {
    const m = manifests.find((x) => x.id === id);
    if (!m) throw new UsageError(`unknown tenant "${id}" (--tenant); known tenants: ${manifests.map((x) => x.id).join(', ')}`);
    return { tenant: id, account: options.accounts.get(id) ?? m.account, region: options.region ?? m.region, level: options.require ?? m.isolation };
  });
}

export async function runLiveVerification(options: LiveVerificationOptions): Promise<VerifyResult> {
  const targets = liveTargets(options);
  const factory = options.clientFactory ?? createClients;
  const inventories = [];
  for (const target of targets) {
    const clients = factory({ region: target.region, env: options.env });
    try {
      inventories.push(await collectInventory(target, { clients, concurrency: options.concurrency }));
    } finally {
      destroyClients(clients);
    }
  }
  const declared = new Map(targets.map((t) => [t.tenant, t.level]));
  return { tenants: evaluateLive(inventories, { require: options.require, declared: (t) => declared.get(t) }), errors: [], source: 'live' };
}
