/**
 * What a live verification targets: one tenant's account, region and level, and the tag that marks its resources.
 * Data only; lib/live/run.ts builds it from the manifest, the gate's Lambda from its event.
 */
import type { IsolationLevel } from '../isolation/levels';

/**
 * The tag key every resource of a tenant carries (`exclusive-desk:tenant` = `<tenant id>`); the tenant stack tags
 * with the same key (a test keeps the two equal). Declared here so the Lambda bundle does not import the stack.
 */
export const TENANT_TAG_KEY = 'exclusive-desk:tenant';

export interface LiveTarget {
  readonly tenant: string;
  /** The account the tenant's resources must be in: the credentials are checked against it. */
  readonly account: string;
  readonly region: string;
  /** The level to verify; decides what is collected (only what the rules that count at this level need). */
  readonly level: IsolationLevel;
}

/** The AWS partition of a region. */
export function partitionOfRegion(region: string): 'aws' | 'aws-us-gov' | 'aws-cn' {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}
