/**
 * Isolation levels, weakest first. Each level includes every level before it.
 *
 * - `pooled`: the tenant shares data stores, compute, keys or network paths with others (fake exclusivity).
 * - `network`: its own data stores, compute, keys and VPCs, with no path to anything outside the tenant.
 * - `account`: all of that in an AWS account of its own, shared with no other tenant.
 * - `hardware`: the database (and any EC2 compute) on single-tenant (dedicated) hardware.
 * - `hsm`: every tenant key's material in the tenant's own CloudHSM cluster (custom key store).
 */
export const LEVELS = ['pooled', 'network', 'account', 'hardware', 'hsm'] as const;
export type IsolationLevel = (typeof LEVELS)[number];

export function isLevel(value: unknown): value is IsolationLevel {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

export function levelRank(level: IsolationLevel): number {
  return LEVELS.indexOf(level);
}

export function atLeast(level: IsolationLevel, required: IsolationLevel): boolean {
  return levelRank(level) >= levelRank(required);
}

export function lowerLevel(a: IsolationLevel, b: IsolationLevel): IsolationLevel {
  return levelRank(a) <= levelRank(b) ? a : b;
}
