import { describe, extOf } from '../../model';
import { encryptionSites, isCustomResource, targetResource, type EncryptionSite } from '../../facts';
import type { IsolationRule } from '../../rule';
import { describeKey } from '../keys/data-encrypted-with-tenant-key';

/**
 * Stores of ticket data: the database (storage, Performance Insights, its master secret), search, backups and
 * object/file storage. Log groups and other secrets (e.g. the kmsuser password the HSM key store itself needs
 * before any HSM key exists) must use tenant keys (ISO-KMS-1) but need not be HSM-backed.
 */
function holdsTicketData(site: EncryptionSite): boolean {
  if (site.dataClass === 'logs') return false;
  if (site.dataClass === 'secret') return site.resource.type.startsWith('AWS::RDS::');
  return true;
}

/** ISO-HSM-1: every tenant key's material lives in the tenant's own CloudHSM cluster. */
export const hsmKeys: IsolationRule = {
  id: 'ISO-HSM-1',
  title: "Every key protecting ticket data lives in the tenant's own CloudHSM-backed custom key store",
  severity: 'error',
  concern: 'keys',
  proves: 'hsm',
  rationale:
    'Standard KMS keys live in AWS-managed HSMs shared by every KMS customer of the region. An hsm licence promises ' +
    'key material in a CloudHSM cluster of the tenant alone: keys created in a custom key store (Origin AWS_CLOUDHSM) ' +
    'whose cluster the tenant\'s templates define, for every store of ticket data (database, Performance Insights, ' +
    'master secret, search, backups, storage). A custom key store or cluster named by literal id may be the vendor\'s, shared.',
  remediation: 'Use isolation: hsm in the manifest: TenantHsm creates the cluster, the custom key store and the keys.',
  controls: ['FIPS 140-3 Level 3', 'NIST SC-12(1)', 'NIST SC-13', 'ITAR 120.54(a)(5)', 'PCI DSS 3.6.1'],
  checkTemplate(tenant, report) {
    for (const site of encryptionSites(tenant)) {
      const r = site.resource;
      if (!holdsTicketData(site)) {
        report.pass({ stack: r.stack.name, resource: r.id, path: site.path, message: `${r.id} (${site.dataClass}) holds no ticket data: a tenant key outside the HSM is allowed (ISO-KMS-1 still requires the tenant's own key)` });
        continue;
      }
      for (const k of site.keys) {
        if (k.kind !== 'tenant-hsm') {
          report.fail({ stack: r.stack.name, resource: r.id, path: site.path, value: describeKey(k), message: `${r.id} (${site.dataClass}) is encrypted with ${describeKey(k)}, which is not a key in the tenant's CloudHSM key store` });
          continue;
        }
        // Follow the key to its key store and the key store to its cluster.
        const stores = k.key.stack.resolve(k.key.props.CustomKeyStoreId);
        for (const sv of stores) {
          const store = targetResource(sv);
          if (!store || !isCustomResource(store)) {
            const msg = `${k.key.id} is in the custom key store ${describe(sv)}, which the tenant's templates do not define`;
            if (extOf(sv) && extOf(sv)!.kind !== 'import') report.unverifiable({ stack: k.key.stack.name, resource: k.key.id, path: 'Properties.CustomKeyStoreId', value: describe(sv), message: msg });
            else report.fail({ stack: k.key.stack.name, resource: k.key.id, path: 'Properties.CustomKeyStoreId', value: describe(sv), message: msg });
            continue;
          }
          for (const cv of store.stack.resolve(store.props.CloudHsmClusterId)) {
            const cluster = targetResource(cv);
            if (cluster && (isCustomResource(cluster) || cluster.type.startsWith('AWS::CloudHSM'))) {
              report.pass({ stack: r.stack.name, resource: r.id, path: site.path, value: k.key.id, message: `${r.id} (${site.dataClass}) uses ${k.key.id} in key store ${store.id} on the tenant's CloudHSM cluster ${cluster.id}` });
            } else {
              report.fail({ stack: store.stack.name, resource: store.id, path: 'Properties.CloudHsmClusterId', value: describe(cv), message: `${store.id} is backed by the CloudHSM cluster ${describe(cv)}, which the tenant's templates do not define` });
            }
          }
        }
      }
    }
  },
};
