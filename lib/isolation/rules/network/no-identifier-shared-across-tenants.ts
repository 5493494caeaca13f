import { fleetIdentities, type FleetIdentity } from '../../facts';
import type { TenantModel } from '../../model';
import type { IsolationRule } from '../../rule';

/**
 * Whether two tenants naming the same thing name one resource. Ids AWS assigns (no scope) are one resource
 * whatever the account; a name the template chooses is one resource only in one account and Region (CloudFormation
 * User Guide, Fn::ImportValue: "For each AWS account, Export names must be unique within a Region"; the same holds
 * for cluster, DB instance and domain names, which appear in ARNs with the account and Region).
 */
function sameResource(a: FleetIdentity['scope'], b: FleetIdentity['scope']): 'yes' | 'no' | 'unknown' {
  if (!a || !b) return 'yes';
  if (a.account && b.account && a.account !== b.account) return 'no';
  if (a.region && b.region && a.region !== b.region) return 'no';
  return a.account && b.account && a.region && b.region ? 'yes' : 'unknown';
}

function tenantsText(ids: readonly string[]): string {
  return `tenant${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`;
}

/** ISO-FLEET-1: no physical identifier (VPC, subnet, cluster, endpoint, export) is named by two tenants. */
export const noIdentifierSharedAcrossTenants: IsolationRule = {
  id: 'ISO-FLEET-1',
  title: 'No VPC, subnet, security group, cluster or data endpoint is referenced by two tenants',
  severity: 'error',
  concern: 'network',
  proves: 'network',
  rationale:
    'When two "exclusive" tenants name the same vpc- id, cluster ARN or database hostname, or two tenants in one ' +
    'account name the same cluster or import the same export, they share it. Each template alone may look ' +
    'plausible; only the fleet view shows the same physical thing behind both. The same names in different ' +
    'accounts (every tenant deployed from one template) are different resources.',
  remediation: 'Give each tenant its own resources, defined in its own stack and account.',
  controls: ['NIST SC-4', 'NIST SC-32', 'PCI DSS A1.1.1'],
  checkFleet(tenants, report) {
    const byKey = new Map<string, { tenant: TenantModel; id: FleetIdentity }[]>();
    const byTenant = new Map<TenantModel, readonly FleetIdentity[]>();
    for (const t of tenants) {
      const ids = fleetIdentities(t);
      byTenant.set(t, ids);
      for (const id of ids) {
        const list = byKey.get(id.key);
        if (list) list.push({ tenant: t, id });
        else byKey.set(id.key, [{ tenant: t, id }]);
      }
    }
    for (const t of tenants) {
      let shared = 0;
      for (const mine of byTenant.get(t) ?? []) {
        const sharing = new Set<string>();
        const maybe = new Set<string>();
        for (const other of byKey.get(mine.key) ?? []) {
          // Two stacks exporting one name cannot both deploy in one account and Region; sharing needs an import.
          if (other.tenant === t || (mine.role === 'exports' && other.id.role === 'exports')) continue;
          const same = sameResource(mine.scope, other.id.scope);
          if (same === 'yes') sharing.add(other.tenant.id);
          else if (same === 'unknown') maybe.add(other.tenant.id);
        }
        if (sharing.size === 0 && maybe.size === 0) continue;
        shared++;
        const at = { stack: mine.stack, resource: mine.resource, path: mine.path, value: mine.value };
        const verb = mine.role === 'exports' ? 'imported' : 'named';
        if (sharing.size > 0) {
          const where = mine.scope ? ` in account ${mine.scope.account} and Region ${mine.scope.region}` : '';
          const message = mine.scope
            ? `${mine.what} ${mine.value}${where} is also ${verb} by ${tenantsText([...sharing])} in that account and Region: they share it`
            : `${mine.value} (${mine.what}) is also referenced by ${tenantsText([...sharing])}`;
          report.forTenant(t.id).fail({ ...at, message });
        } else {
          report.forTenant(t.id).unverifiable({
            ...at,
            message: `${mine.what} ${mine.value} is also ${verb} by ${tenantsText([...maybe])}, and the account or Region of one of them is not known: the verifier cannot tell whether it is one ${mine.what}`,
          });
        }
      }
      if (shared === 0 && tenants.length > 1) {
        const stack = t.stacks[0]?.name ?? t.id;
        report.forTenant(t.id).pass({ resource: stack, stack, path: '-', message: `no physical identifier is shared with the other ${tenants.length - 1} tenant(s)` });
      }
    }
  },
};
