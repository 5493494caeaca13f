import type { IsolationRule } from '../../rule';

/** ISO-ACCT-1: the tenant runs in a known AWS account of its own. */
export const ownAccount: IsolationRule = {
  id: 'ISO-ACCT-1',
  title: 'The tenant runs in a known AWS account of its own',
  severity: 'error',
  concern: 'account',
  proves: 'account',
  rationale:
    'An "exclusive" deployment in an unknown or vendor-wide account may share the account with other customers: ' +
    'IAM, service quotas, CloudTrail and every account-scoped default are then shared. Account-level isolation is only ' +
    'proven when the tenant account is known and is the tenant\'s alone.',
  remediation:
    'Set `account` in the tenant manifest (tenants/<id>.yaml) so the stack env pins it, or pass `--account <tenant>=<12 digits>` to the verifier.',
  controls: ['NIST AC-4', 'NIST SC-7(21)', 'PCI DSS 2.2.1', 'HIPAA 164.308(a)(4)'],
  checkTemplate(tenant, report) {
    const stack = tenant.stacks[0]?.name ?? tenant.id;
    if (!tenant.account) {
      report.unverifiable({
        resource: stack,
        stack,
        path: '-',
        message: 'the tenant account is not known (no stack environment, template metadata or --account): account isolation is not proven',
      });
      return;
    }
    const metadataAccounts = new Set(
      tenant.stacks
        .map((s) => (s.template.Metadata?.['exclusive-desk'] as { account?: unknown } | undefined)?.account)
        .filter((a): a is string => typeof a === 'string'),
    );
    for (const a of metadataAccounts) {
      if (a !== tenant.account) {
        report.fail({
          resource: stack,
          stack,
          path: 'Metadata.exclusive-desk.account',
          value: a,
          message: `the template metadata names account ${a} but the tenant is deployed to ${tenant.account}`,
        });
      }
    }
    report.pass({
      resource: stack,
      stack,
      path: '-',
      value: tenant.account,
      message: `tenant account ${tenant.account} (from ${tenant.accountSource ?? 'the input'})`,
    });
  },
};
