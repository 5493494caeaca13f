import { encryptionSites, literalIdentifiers } from '../../facts';
import type { TenantModel } from '../../model';
import type { IsolationRule } from '../../rule';

function keyUses(t: TenantModel): { key: string; resource: string; stack: string; path: string }[] {
  const uses = literalIdentifiers(t)
    .filter((l) => l.kind === 'kms-key')
    .map((l) => ({ key: l.id, stack: l.resource.stack.name, resource: l.resource.id, path: l.path }));
  for (const site of encryptionSites(t)) {
    for (const k of site.keys) {
      if (k.kind === 'literal' || k.kind === 'aws-managed') {
        const id = /key\/([0-9a-f-]{36}|mrk-[0-9a-f]{32})/.exec(k.value)?.[1] ?? k.value;
        // aws/* aliases are per account: shared only if the account is shared (ISO-ACCT-2).
        if (k.kind === 'aws-managed' && !/^arn:/.test(k.value)) continue;
        uses.push({ key: id, stack: site.resource.stack.name, resource: site.resource.id, path: site.path });
      }
    }
  }
  return uses;
}

/** ISO-KMS-3: no key is used by two tenants of the fleet. */
export const noKeySharedAcrossTenants: IsolationRule = {
  id: 'ISO-KMS-3',
  title: 'No KMS key is used by two tenants of the fleet',
  severity: 'error',
  concern: 'keys',
  proves: 'network',
  rationale:
    'The shared-key fake encrypts every customer\'s database with one vendor key, referenced by the same ARN in each ' +
    'tenant template: revoking or compromising it reaches all of them. Only a view of the whole fleet sees the reuse.',
  remediation: 'Give each tenant its own keys (TenantKeys) and never reference a key by literal ARN.',
  controls: ['PCI DSS 3.6.1', 'NIST SC-12', 'HIPAA 164.312(a)(2)(iv)'],
  checkFleet(tenants, report) {
    const users = new Map<string, Set<string>>();
    const uses = new Map(tenants.map((t) => [t.id, keyUses(t)]));
    for (const [tenant, list] of uses) for (const u of list) users.set(u.key, (users.get(u.key) ?? new Set()).add(tenant));
    for (const t of tenants) {
      const mine = uses.get(t.id) ?? [];
      for (const u of mine) {
        const others = [...(users.get(u.key) ?? [])].filter((x) => x !== t.id);
        if (others.length > 0) {
          report.forTenant(t.id).fail({
            resource: u.resource,
            stack: u.stack,
            path: u.path,
            value: u.key,
            message: `key ${u.key} is also used by tenant${others.length > 1 ? 's' : ''} ${others.join(', ')}`,
          });
        }
      }
      const own = t.ofType('AWS::KMS::Key').length;
      if (mine.length === 0 && own > 0) {
        const stack = t.stacks[0]?.name ?? t.id;
        report.forTenant(t.id).pass({ resource: stack, stack, path: '-', message: `the tenant uses only its own ${own} key(s); no key is referenced by another tenant` });
      }
    }
  },
};
