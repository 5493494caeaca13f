import { encryptionSites, type KeyClass } from '../../facts';
import type { IsolationRule } from '../../rule';

export function describeKey(k: KeyClass): string {
  switch (k.kind) {
    case 'tenant-cmk':
    case 'tenant-hsm':
      return k.key.id;
    case 'missing':
      return '(no key: the AWS-managed or AWS-owned default)';
    default:
      return k.value;
  }
}

/** ISO-KMS-1: every store of tenant data is encrypted with a customer-managed key the tenant defines. */
export const dataEncryptedWithTenantKey: IsolationRule = {
  id: 'ISO-KMS-1',
  title: 'Every store of tenant data is encrypted with a customer-managed key defined by the tenant',
  severity: 'error',
  concern: 'keys',
  proves: 'network',
  rationale:
    'AWS-managed keys (aws/rds, aws/es, ...) and keys named by a literal ARN, a parameter or an import are shared or ' +
    'controlled outside the tenant: the vendor can use one key for every customer, or the key policy is not the ' +
    'tenant\'s. Only a key defined in the tenant\'s own template, used by nothing else, separates its data cryptographically.',
  remediation:
    'Encrypt with the TenantKeys construct\'s keys: storageEncryptionKey of TenantDatabase, encryptionKey of TenantSearch, the logs key for log groups, the backup key for vaults.',
  controls: ['HIPAA 164.312(a)(2)(iv)', 'HIPAA 164.312(e)(2)(ii)', 'PCI DSS 3.5.1', 'PCI DSS 3.6.1', 'NIST SC-12', 'NIST SC-28', 'NIST SC-28(1)'],
  checkTemplate(tenant, report) {
    for (const site of encryptionSites(tenant)) {
      const r = site.resource;
      if (site.disabled && site.accessLogTarget) {
        report.fail({
          stack: r.stack.name, resource: r.id,
          path: site.path,
          severity: 'warning',
          message: `${r.id} receives access logs, which AWS delivers only to buckets with S3-managed encryption (${site.disabled}); keep tenant data out of it`,
        });
        continue;
      }
      if (site.disabled) {
        report.fail({ stack: r.stack.name, resource: r.id, path: site.path, message: `${r.id} (${site.dataClass}) is not encrypted with a tenant key: ${site.disabled}` });
        continue;
      }
      for (const k of site.keys) {
        const base = { stack: r.stack.name, resource: r.id, path: site.path, value: describeKey(k) };
        switch (k.kind) {
          case 'tenant-cmk':
          case 'tenant-hsm':
            report.pass({ ...base, message: `${r.id} (${site.dataClass}) is encrypted with the tenant's ${k.kind === 'tenant-hsm' ? 'CloudHSM-backed ' : ''}key ${k.key.id}` });
            break;
          case 'missing':
            report.fail({ ...base, message: `${r.id} (${site.dataClass}) names no key, so it is encrypted with an AWS-managed or AWS-owned key shared by everything in the account` });
            break;
          case 'aws-managed':
            report.fail({ ...base, message: `${r.id} (${site.dataClass}) uses the AWS-managed key ${k.value}, not a customer-managed key of the tenant` });
            break;
          case 'literal':
            report.fail({ ...base, message: `${r.id} (${site.dataClass}) uses the key ${k.value}, which the tenant's templates do not define (a key that can be shared with other tenants)` });
            break;
          case 'unresolved':
            report.unverifiable({ ...base, message: `${r.id} (${site.dataClass}) takes its key from ${k.value}` });
            break;
        }
      }
    }
  },
};
