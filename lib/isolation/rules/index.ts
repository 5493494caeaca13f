/**
 * The rule catalogue. Ids are stable forever; a retired id is never reused. docs/rules.md lists every rule and
 * a test keeps the two in step.
 */
import type { IsolationRule } from '../rule';
import * as accountNotSharedLive from './account/account-not-shared.live';
import * as ownAccountLive from './account/own-account.live';
import * as noExternalClusterMembershipLive from './data/no-external-cluster-membership.live';
import { noSharedSnapshots } from './data/no-shared-snapshots';
import { ownBucketsOnly } from './data/own-buckets-only';
import { ownTablesOnly } from './data/own-tables-only';
import { ownLoadBalancer } from './network/own-load-balancer';
import * as noSharedSnapshotsLive from './data/no-shared-snapshots.live';
import * as ownDatabaseLive from './data/own-database.live';
import * as ownSearchDomainLive from './data/own-search-domain.live';
import * as databaseHygieneLive from './hygiene/database-hygiene.live';
import * as keyHygieneLive from './hygiene/key-hygiene.live';
import * as networkHygieneLive from './hygiene/network-hygiene.live';
import * as searchHygieneLive from './hygiene/search-hygiene.live';
import * as dataEncryptedWithTenantKeyLive from './keys/data-encrypted-with-tenant-key.live';
import * as keyPolicyPinnedLive from './keys/key-policy-pinned.live';
import * as noKeySharedAcrossTenantsLive from './keys/no-key-shared-across-tenants.live';
import * as dedicatedHardwareLive from './levels/dedicated-hardware.live';
import * as hsmKeysLive from './levels/hsm-keys.live';
import * as dataStoresInTenantVpcLive from './network/data-stores-in-tenant-vpc.live';
import * as ingressOnlyFromTenantLive from './network/ingress-only-from-tenant.live';
import * as noForeignNetworkIdsLive from './network/no-foreign-network-ids.live';
import * as noIdentifierSharedAcrossTenantsLive from './network/no-identifier-shared-across-tenants.live';
import * as noPathOutsideTenantLive from './network/no-path-outside-tenant.live';
import * as noRamSharesLive from './network/no-ram-shares.live';
import * as notPubliclyReachableLive from './network/not-publicly-reachable.live';
import * as ownLoadBalancerLive from './network/own-load-balancer.live';
import * as accessPolicyTenantOnlyLive from './search/access-policy-tenant-only.live';
import { roleTrustDeclared } from './access/role-trust-declared';
import { accountNotShared } from './account/account-not-shared';
import { ownAccount } from './account/own-account';
import { ecsOwnCluster } from './compute/ecs-own-cluster';
import { kubernetesOwnCluster } from './compute/kubernetes-own-cluster';
import { noExternalClusterMembership } from './data/no-external-cluster-membership';
import { noExternalDataEndpoints } from './data/no-external-data-endpoints';
import { noServerlessSearch } from './data/no-serverless-search';
import { ownDatabase } from './data/own-database';
import { ownSearchDomain } from './data/own-search-domain';
import { databaseHygiene } from './hygiene/database-hygiene';
import { keyHygiene } from './hygiene/key-hygiene';
import { networkHygiene } from './hygiene/network-hygiene';
import { searchHygiene } from './hygiene/search-hygiene';
import { dataEncryptedWithTenantKey } from './keys/data-encrypted-with-tenant-key';
import { keyPolicyPinned } from './keys/key-policy-pinned';
import { noKeySharedAcrossTenants } from './keys/no-key-shared-across-tenants';
import { dedicatedHardware } from './levels/dedicated-hardware';
import { hsmKeys } from './levels/hsm-keys';
import { dataStoresInTenantVpc } from './network/data-stores-in-tenant-vpc';
import { ingressOnlyFromTenant } from './network/ingress-only-from-tenant';
import { noForeignNetworkIds } from './network/no-foreign-network-ids';
import { noIdentifierSharedAcrossTenants } from './network/no-identifier-shared-across-tenants';
import { noPathOutsideTenant } from './network/no-path-outside-tenant';
import { noRamShares } from './network/no-ram-shares';
import { notPubliclyReachable } from './network/not-publicly-reachable';
import { noForeignAccountArns } from './references/no-foreign-account-arns';
import { noForeignImports } from './references/no-foreign-imports';
import { accessPolicyTenantOnly } from './search/access-policy-tenant-only';
import { asSynthesized } from './template/as-synthesized';
import { fullyVerifiable } from './template/fully-verifiable';

/** The live half of a rule: its checks over a live inventory and the read-only actions they need. */
export type LiveChecks = Pick<IsolationRule, 'checkLive' | 'checkLiveFleet' | 'liveActions'>;

/**
 * Adds a rule's live checks (from its sibling `<rule>.live.ts`) to the rule, so one id covers template and live
 * evidence. Throws if a live check declares no actions: the IAM policy is generated from them.
 */
export function withLive(rule: IsolationRule, live: LiveChecks): IsolationRule {
  if ((live.checkLive || live.checkLiveFleet) && !live.liveActions?.length) {
    throw new Error(`${rule.id}: a live check must declare liveActions (the verifier's IAM policy is generated from them)`);
  }
  return { ...rule, checkLive: live.checkLive, checkLiveFleet: live.checkLiveFleet, liveActions: live.liveActions };
}

export const RULES: readonly IsolationRule[] = [
  withLive(ownAccount, ownAccountLive),
  withLive(accountNotShared, accountNotSharedLive),
  withLive(ownDatabase, ownDatabaseLive),
  withLive(ownSearchDomain, ownSearchDomainLive),
  withLive(noExternalClusterMembership, noExternalClusterMembershipLive),
  noExternalDataEndpoints,
  noServerlessSearch,
  withLive(noSharedSnapshots, noSharedSnapshotsLive),
  ownBucketsOnly,
  ownTablesOnly,
  ecsOwnCluster,
  kubernetesOwnCluster,
  withLive(dataEncryptedWithTenantKey, dataEncryptedWithTenantKeyLive),
  withLive(keyPolicyPinned, keyPolicyPinnedLive),
  withLive(noKeySharedAcrossTenants, noKeySharedAcrossTenantsLive),
  withLive(dataStoresInTenantVpc, dataStoresInTenantVpcLive),
  withLive(noForeignNetworkIds, noForeignNetworkIdsLive),
  withLive(noRamShares, noRamSharesLive),
  withLive(noPathOutsideTenant, noPathOutsideTenantLive),
  withLive(ingressOnlyFromTenant, ingressOnlyFromTenantLive),
  withLive(notPubliclyReachable, notPubliclyReachableLive),
  withLive(ownLoadBalancer, ownLoadBalancerLive),
  withLive(noIdentifierSharedAcrossTenants, noIdentifierSharedAcrossTenantsLive),
  noForeignImports,
  noForeignAccountArns,
  roleTrustDeclared,
  withLive(accessPolicyTenantOnly, accessPolicyTenantOnlyLive),
  fullyVerifiable,
  asSynthesized,
  withLive(dedicatedHardware, dedicatedHardwareLive),
  withLive(hsmKeys, hsmKeysLive),
  withLive(databaseHygiene, databaseHygieneLive),
  withLive(searchHygiene, searchHygieneLive),
  withLive(keyHygiene, keyHygieneLive),
  withLive(networkHygiene, networkHygieneLive),
];

export function ruleById(id: string): IsolationRule | undefined {
  return RULES.find((r) => r.id === id);
}
