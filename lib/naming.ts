/**
 * Physical names and derived network plans of a tenant. Pure and deterministic: the same manifest always yields the
 * same names, so a name never changes under a stateful resource.
 */
import { createHash } from 'node:crypto';

/** The one CloudFormation stack of a tenant. */
export function tenantStackName(tenantId: string): string {
  return `ExclusiveDesk-${tenantId}`;
}

/** A tenant id with runs of hyphens collapsed and no trailing hyphen (RDS and OpenSearch reject both). */
function compact(tenantId: string): string {
  return tenantId.replace(/-+/g, '-').replace(/-$/, '');
}

/**
 * The RDS DBInstanceIdentifier of a tenant: lower case, starts with a letter, at most 63 characters, no `--`, no
 * trailing hyphen. It also names the exported log groups `/aws/rds/instance/<id>/<log>`.
 */
export function dbInstanceIdentifier(tenantId: string): string {
  return `exclusive-desk-${compact(tenantId)}`;
}

/** The OpenSearch domain name of a tenant: 3-28 characters; long ids are shortened with a stable hash. */
export function searchDomainName(tenantId: string): string {
  const base = compact(tenantId);
  if (base.length <= 28) return base;
  const hash = createHash('sha256').update(tenantId).digest('hex').slice(0, 5);
  return `${base.slice(0, 22).replace(/-$/, '')}-${hash}`;
}

/** The KMS alias of a tenant key. */
export function keyAliasName(tenantId: string, dataClass: string): string {
  return `alias/exclusive-desk/${tenantId}/${dataClass}`;
}

/** The name of the tenant's CloudHSM-backed custom key store (unique per account and region). */
export function customKeyStoreName(tenantId: string): string {
  return `exclusive-desk-${tenantId}`;
}

const PRIVATE_RANGES: readonly [number, number][] = [
  [ipToInt('10.0.0.0'), ipToInt('10.255.255.255')],
  [ipToInt('172.16.0.0'), ipToInt('172.31.255.255')],
  [ipToInt('192.168.0.0'), ipToInt('192.168.255.255')],
];

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/**
 * The default CIDR of the search VPC: the block of the same size right after `cidr` (10.20.0.0/16 -> 10.21.0.0/16),
 * or right before it when the next block would leave the private range `cidr` is in. Never overlaps `cidr`.
 */
export function deriveSearchCidr(cidr: string): string {
  const [ip, prefixText] = cidr.split('/') as [string, string];
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  const start = ipToInt(ip);
  const range = PRIVATE_RANGES.find(([lo, hi]) => start >= lo && start <= hi);
  const next = start + size;
  const fits = (s: number): boolean => (range ? s >= range[0] && s + size - 1 <= range[1] : s >= 0 && s + size <= 2 ** 32);
  if (fits(next)) return `${intToIp(next)}/${prefix}`;
  const previous = start - size;
  if (fits(previous)) return `${intToIp(previous)}/${prefix}`;
  throw new Error(`network.searchCidr cannot be derived from network.cidr ${cidr}: set network.searchCidr explicitly`);
}
