/**
 * Builds the exclusive-desk CDK app: loads every tenant manifest (fleet-wide validation, all or nothing), then adds
 * one stack per tenant (or only the selected tenant's) with its compliance packs. No environment or context is read
 * here: bin/app.ts passes everything in, and tests call this with a programmatic App.
 */
import { Annotations, type App } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { IsolationVerifier } from '../constructs/isolation-verifier';
import { addCompliancePacks, type NagPackName } from './compliance/nag';
import { licenceStatus, loadManifests, todayUtc } from './manifest/load';
import type { TenantManifest } from './manifest/schema';
import { TenantStack } from './stacks/tenant-stack';

export interface BuildAppOptions {
  /** Directory of the tenant manifests. */
  readonly tenantsDir: string;
  /**
   * Build only this tenant's stack (every manifest is still validated).
   * @default - every tenant
   */
  readonly tenant?: string;
  /**
   * Today's date (YYYY-MM-DD) for licence expiry.
   * @default - the current UTC date
   */
  readonly today?: string;
  /**
   * Run the isolation rule catalogue over the synthesized templates (a CDK policy validation plugin) and check
   * each tenant stack's invariants. Only benchmarks of a bare app switch it off.
   * @default true
   */
  readonly verification?: boolean;
}

export interface BuiltApp {
  /** Every manifest of the fleet, validated. */
  readonly manifests: readonly TenantManifest[];
  /** The stacks built (one per selected tenant). */
  readonly stacks: readonly TenantStack[];
  /** The cdk-nag packs registered per stack name. */
  readonly packs: Readonly<Record<string, readonly NagPackName[]>>;
}

/** Thrown for a `-c tenant=` that names no manifest; the message lists the known ids. */
export class UnknownTenantError extends Error {
  constructor(
    public readonly tenant: string,
    public readonly known: readonly string[],
  ) {
    super(`unknown tenant "${tenant}" (-c tenant=${tenant}); known tenants: ${known.join(', ')}`);
    this.name = 'UnknownTenantError';
  }
}

export function buildApp(app: App, options: BuildAppOptions): BuiltApp {
  const manifests = loadManifests(options.tenantsDir, { today: options.today });
  let selected = manifests;
  if (options.tenant !== undefined) {
    selected = manifests.filter((m) => m.id === options.tenant);
    if (selected.length === 0)
      throw new UnknownTenantError(
        options.tenant,
        manifests.map((m) => m.id),
      );
  }
  const stacks: TenantStack[] = [];
  const packs: Record<string, readonly NagPackName[]> = {};
  const verification = options.verification !== false;
  if (verification) IsolationVerifier.attachToApp(app);
  const today = options.today ?? todayUtc();
  for (const manifest of selected) {
    const tenant = addTenantStack(app, manifest, { verification, today });
    packs[tenant.stack.stackName] = tenant.packs;
    stacks.push(tenant.stack);
  }
  return { manifests, stacks, packs };
}

export interface AddTenantStackOptions {
  /** Add the stack's IsolationVerifier construct (the app-wide plugin is registered by the caller). @default true */
  readonly verification?: boolean;
  /** Today's date (YYYY-MM-DD) for the licence review warning. @default - the current UTC date */
  readonly today?: string;
}

/**
 * Adds one tenant's stack to a scope, with its cdk-nag packs, its IsolationVerifier and the licence review warning:
 * what `buildApp` does per tenant, reusable for a pipeline Stage (lib/stacks/pipeline-stack.ts).
 */
export function addTenantStack(
  scope: Construct,
  manifest: TenantManifest,
  options: AddTenantStackOptions = {},
): { readonly stack: TenantStack; readonly packs: readonly NagPackName[] } {
  const stack = new TenantStack(scope, { manifest });
  const packs = addCompliancePacks(stack, manifest.compliance);
  if (options.verification !== false) {
    new IsolationVerifier(stack, 'IsolationVerifier', {
      tenant: manifest.id,
      account: manifest.account,
      region: manifest.region,
      required: manifest.isolation,
    });
  }
  if (licenceStatus(manifest.licence.reviewBy, options.today ?? todayUtc()) === 'due') {
    Annotations.of(stack).addWarningV2(
      'exclusive-desk:licence-review-due',
      `the exclusive licence of ${manifest.id} is due for review by ${manifest.licence.reviewBy} (${manifest.file})`,
    );
  }
  return { stack, packs };
}
