import { literalIdentifiers } from '../../facts';
import type { IsolationRule } from '../../rule';

/** ISO-FLEET-1: no physical identifier (VPC, subnet, cluster, endpoint) appears in two tenants' templates. */
export const noIdentifierSharedAcrossTenants: IsolationRule = {
  id: 'ISO-FLEET-1',
  title: 'No VPC, subnet, security group, cluster or data endpoint is referenced by two tenants',
  severity: 'error',
  concern: 'network',
  proves: 'network',
  rationale:
    'When two "exclusive" tenants name the same vpc- id, cluster ARN or database hostname, they share it. Each ' +
    'template alone may look plausible; only the fleet view shows the same physical thing behind both.',
  remediation: 'Give each tenant its own resources, defined in its own stack.',
  controls: ['NIST SC-4', 'NIST SC-32', 'PCI DSS A1.1.1'],
  checkFleet(tenants, report) {
    const owners = new Map<string, Set<string>>();
    const byTenant = new Map(tenants.map((t) => [t.id, literalIdentifiers(t).filter((l) => l.kind !== 'kms-key')]));
    for (const [tenant, ids] of byTenant) for (const l of ids) owners.set(l.id, (owners.get(l.id) ?? new Set()).add(tenant));
    for (const t of tenants) {
      let shared = 0;
      for (const l of byTenant.get(t.id) ?? []) {
        const others = [...(owners.get(l.id) ?? [])].filter((x) => x !== t.id);
        if (others.length === 0) continue;
        shared++;
        report.forTenant(t.id).fail({
          stack: l.resource.stack.name, resource: l.resource.id,
          path: l.path,
          value: l.value,
          message: `${l.value} (${l.kind}) is also referenced by tenant${others.length > 1 ? 's' : ''} ${others.join(', ')}`,
        });
      }
      if (shared === 0 && tenants.length > 1) {
        const stack = t.stacks[0]?.name ?? t.id;
        report.forTenant(t.id).pass({ resource: stack, stack, path: '-', message: `no physical identifier is shared with the other ${tenants.length - 1} tenant(s)` });
      }
    }
  },
};
