/**
 * ISO-HSM-1, live: every key protecting tenant data has key material in AWS CloudHSM (Origin AWS_CLOUDHSM), in a
 * custom key store backed by a CloudHSM cluster tagged for the tenant. Only the live APIs show where key material is.
 */
import type { LiveCustomKeyStore, LiveHsmCluster, TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, dataKeyUses, keyFor, need, taggedForTenant } from '../evidence.live';

export const liveActions = [...ACTIONS.keySources, ...ACTIONS.keyMetadata, 'kms:DescribeCustomKeyStores', 'cloudhsm:DescribeClusters'];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  need(inv.databases, inv, report, 'the key material of the databases');
  need(inv.searchDomains, inv, report, 'the key material of the search domains');
  let stores: readonly LiveCustomKeyStore[] | undefined;
  let clusters: readonly LiveHsmCluster[] | undefined;
  let looked = false;
  for (const use of dataKeyUses(inv)) {
    const base = at(inv, use.resource, use.path);
    if (use.logs) {
      report.pass({ ...base, message: `${use.what} holds no ticket data: a tenant key outside the HSM is allowed (ISO-KMS-1 still requires the tenant's own key)` });
      continue;
    }
    const key = use.ref ? keyFor(inv, use.ref) : undefined;
    if (!use.ref || use.disabled) {
      report.fail({ ...base, value: use.ref ?? '(not set)', message: `${use.what} is not encrypted with a key in the tenant's CloudHSM key store` });
      continue;
    }
    if (!key) {
      report.unverifiable({ ...base, value: use.ref, message: `could not verify the key material of ${use.what}: its key ${use.ref} was not collected` });
      continue;
    }
    const m = need(key.metadata, inv, report, `the key material of ${use.what}`);
    if (!m) continue;
    if (m.origin !== 'AWS_CLOUDHSM' || !m.customKeyStoreId) {
      report.fail({ ...base, value: `${m.arn} Origin=${m.origin ?? 'unknown'}`, message: `${use.what} uses ${m.arn}, whose key material is ${m.origin ?? 'of unknown origin'} (in AWS-managed HSMs shared by every KMS customer), not in the tenant's CloudHSM cluster` });
      continue;
    }
    if (!looked) {
      looked = true;
      stores = need(inv.customKeyStores, inv, report, 'the custom key stores');
      clusters = need(inv.hsmClusters, inv, report, 'the CloudHSM clusters');
    }
    if (!stores || !clusters) continue;
    const store = stores.find((s) => s.id === m.customKeyStoreId);
    const clusterId = store?.cloudHsmClusterId ?? m.cloudHsmClusterId;
    const cluster = clusters.find((c) => c.id === clusterId);
    const evidence = `${m.arn} store=${m.customKeyStoreId} cluster=${clusterId ?? '?'}`;
    if (!store) report.fail({ ...base, value: evidence, message: `${use.what} uses ${m.arn} in custom key store ${m.customKeyStoreId}, which is not a key store of the tenant's account` });
    else if (!cluster) report.fail({ ...base, value: evidence, message: `${use.what} uses ${m.arn} in key store ${store.name ?? store.id}, backed by CloudHSM cluster ${clusterId ?? '?'}, which is not in the tenant's account` });
    else if (!taggedForTenant(inv, cluster.tags)) report.fail({ ...base, value: evidence, message: `${use.what} uses ${m.arn} in key store ${store.name ?? store.id}, backed by CloudHSM cluster ${cluster.id}, which is not tagged ${inv.tag.key}=${inv.tag.value} (another tenant's or the vendor's cluster)` });
    else report.pass({ ...base, value: evidence, message: `${use.what} uses ${m.arn}, key material in the tenant's CloudHSM cluster ${cluster.id} (${cluster.state ?? 'state unknown'}) through key store ${store.name ?? store.id}` });
  }
}
