import {
  customKeyStoreName,
  dbInstanceIdentifier,
  deriveSearchCidr,
  keyAliasName,
  searchDomainName,
  tenantStackName,
} from '../lib/naming';
import { overlaps } from '../lib/manifest/load';

describe('names', () => {
  test('stack, alias and key store names carry the tenant id', () => {
    expect(tenantStackName('acme-health')).toBe('ExclusiveDesk-acme-health');
    expect(keyAliasName('acme-health', 'logs')).toBe('alias/exclusive-desk/acme-health/logs');
    expect(customKeyStoreName('fedline-gov')).toBe('exclusive-desk-fedline-gov');
  });

  test.each([
    ['acme-health', 'exclusive-desk-acme-health'],
    ['a--b-c', 'exclusive-desk-a-b-c'],
    ['abc-', 'exclusive-desk-abc'],
  ])('DB identifier of %s is %s (no double or trailing hyphen)', (id, expected) => {
    expect(dbInstanceIdentifier(id)).toBe(expected);
    expect(dbInstanceIdentifier(id)).toMatch(/^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$/);
  });

  test('search domain names fit 28 characters and stay distinct', () => {
    expect(searchDomainName('acme-health')).toBe('acme-health');
    const long1 = searchDomainName('a-very-long-tenant-identifier-01');
    const long2 = searchDomainName('a-very-long-tenant-identifier-02');
    for (const n of [long1, long2]) expect(n).toMatch(/^[a-z][a-z0-9-]{2,27}$/);
    expect(long1).not.toBe(long2);
    expect(searchDomainName('a-very-long-tenant-identifier-01')).toBe(long1);
  });
});

describe('deriveSearchCidr', () => {
  test.each([
    ['10.20.0.0/16', '10.21.0.0/16'],
    ['10.50.0.0/16', '10.51.0.0/16'],
    ['10.255.0.0/16', '10.254.0.0/16'],
    ['172.31.0.0/16', '172.30.0.0/16'],
    ['192.168.10.0/24', '192.168.11.0/24'],
    ['192.168.255.0/24', '192.168.254.0/24'],
  ])('%s -> %s, never overlapping', (cidr, expected) => {
    expect(deriveSearchCidr(cidr)).toBe(expected);
    expect(overlaps(cidr, expected)).toBe(false);
  });

  test('throws when no neighbouring block fits the private range', () => {
    expect(() => deriveSearchCidr('192.168.0.0/16')).toThrow('network.searchCidr cannot be derived from network.cidr 192.168.0.0/16');
  });
});
