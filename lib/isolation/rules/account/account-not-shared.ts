import type { IsolationRule } from '../../rule';

/** ISO-ACCT-2: no two tenants of the fleet share an AWS account. */
export const accountNotShared: IsolationRule = {
  id: 'ISO-ACCT-2',
  title: 'No two tenants of the fleet share an AWS account',
  severity: 'error',
  concern: 'account',
  proves: 'account',
  rationale:
    'Two "exclusive" tenants deployed into the same account share its IAM boundary, quotas and every account-level ' +
    'resource: the classic shared-account fake. Only a fleet-wide view can see it.',
  remediation: 'Give each tenant its own account (`account` in tenants/<id>.yaml); the manifest loader also rejects duplicates.',
  controls: ['NIST AC-4', 'NIST SC-32', 'PCI DSS A1.1.1', 'HIPAA 164.308(a)(4)'],
  checkFleet(tenants, report) {
    const byAccount = new Map<string, string[]>();
    for (const t of tenants) {
      if (!t.account) continue;
      byAccount.set(t.account, [...(byAccount.get(t.account) ?? []), t.id]);
    }
    for (const t of tenants) {
      if (!t.account) continue;
      const stack = t.stacks[0]?.name ?? t.id;
      const sharing = (byAccount.get(t.account) ?? []).filter((id) => id !== t.id);
      if (sharing.length > 0) {
        report.forTenant(t.id).fail({
          resource: stack,
          stack,
          path: '-',
          value: t.account,
          message: `account ${t.account} is shared with tenant${sharing.length > 1 ? 's' : ''} ${sharing.join(', ')}`,
        });
      } else {
        report.forTenant(t.id).pass({
          resource: stack,
          stack,
          path: '-',
          value: t.account,
          message: `no other tenant of the fleet (${tenants.length} tenants) uses account ${t.account}`,
        });
      }
    }
  },
};
