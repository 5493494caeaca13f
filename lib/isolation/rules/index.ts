/**
 * The rule catalogue. Ids are stable forever; a retired id is never reused. docs/rules.md lists every rule and
 * a test keeps the two in step.
 */
import type { IsolationRule } from '../rule';
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
import { fullyVerifiable } from './template/fully-verifiable';

export const RULES: readonly IsolationRule[] = [
  ownAccount,
  accountNotShared,
  ownDatabase,
  ownSearchDomain,
  noExternalClusterMembership,
  noExternalDataEndpoints,
  noServerlessSearch,
  ecsOwnCluster,
  kubernetesOwnCluster,
  dataEncryptedWithTenantKey,
  keyPolicyPinned,
  noKeySharedAcrossTenants,
  dataStoresInTenantVpc,
  noForeignNetworkIds,
  noRamShares,
  noPathOutsideTenant,
  ingressOnlyFromTenant,
  notPubliclyReachable,
  noIdentifierSharedAcrossTenants,
  noForeignImports,
  noForeignAccountArns,
  accessPolicyTenantOnly,
  fullyVerifiable,
  dedicatedHardware,
  hsmKeys,
  databaseHygiene,
  searchHygiene,
  keyHygiene,
  networkHygiene,
];

export function ruleById(id: string): IsolationRule | undefined {
  return RULES.find((r) => r.id === id);
}
