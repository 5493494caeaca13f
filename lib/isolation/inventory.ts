/**
 * The live inventory of one tenant, as collected from the AWS APIs by lib/live. Only types live here, so the
 * rule catalogue can declare live checks without importing the AWS SDK.
 *
 * The live verification work fills this in; rules read it through `checkLive`.
 */
export interface TenantInventory {
  readonly tenant: string;
  readonly account?: string;
  readonly region?: string;
  readonly [key: string]: unknown;
}
