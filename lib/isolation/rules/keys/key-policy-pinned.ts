import { isHsmKeyResource } from '../../facts';
import type { IsolationRule } from '../../rule';
import { grantsOf } from './policy';

/** ISO-KMS-2: key policies grant only the tenant's account and AWS services acting for it. */
export const keyPolicyPinned: IsolationRule = {
  id: 'ISO-KMS-2',
  title: "Key policies grant only the tenant's account and AWS services acting for it",
  severity: 'error',
  concern: 'keys',
  proves: 'network',
  rationale:
    'A tenant key whose policy also grants the vendor\'s account, another customer\'s account, the vendor\'s whole ' +
    'organization (aws:PrincipalOrgID) or "*" is a shared key in all but name: anyone granted can decrypt the ' +
    'tenant\'s data. Conditions such as kms:CallerAccount or aws:SourceAccount equal to the tenant account keep a ' +
    'broad principal pinned to the tenant.',
  remediation:
    'Grant only arn:${Partition}:iam::${AccountId}:root and service principals with kms:CallerAccount / aws:SourceAccount / the logs encryption-context ARN of the tenant (the TenantKeys construct does this).',
  controls: ['HIPAA 164.312(a)(1)', 'PCI DSS 3.6.1.2', 'PCI DSS 7.2.1', 'NIST AC-3', 'NIST AC-6', 'NIST SC-12'],
  checkTemplate(tenant, report) {
    const keys = [
      ...tenant.ofType('AWS::KMS::Key', 'AWS::KMS::ReplicaKey').map((k) => ({ r: k, prop: 'KeyPolicy' })),
      ...[...tenant.resources()].filter(isHsmKeyResource).map((k) => ({ r: k, prop: 'Policy' })),
    ];
    for (const { r, prop } of keys) {
      const path = `Properties.${prop}`;
      if (r.props[prop] === undefined) {
        report.pass({ stack: r.stack.name, resource: r.id, path, message: `${r.id} has the default key policy (the tenant account only)` });
        continue;
      }
      const grants = grantsOf(r.stack, r.props[prop]);
      if ('unresolved' in grants) {
        report.unverifiable({ stack: r.stack.name, resource: r.id, path, value: grants.unresolved, message: `${r.id}'s key policy cannot be read: ${grants.unresolved}` });
        continue;
      }
      let bad = false;
      for (const g of grants) {
        const at = `${path}.Statement[${g.statement}]${g.sid ? ` (${g.sid})` : ''}`;
        if (g.kind === 'Service') {
          if (!g.pinned) {
            report.fail({
              stack: r.stack.name, resource: r.id,
              path: at,
              value: g.value,
              severity: 'warning',
              message: `${r.id} grants the service principal ${g.value} with no condition pinning it to the tenant account (confused deputy)`,
            });
          }
          continue;
        }
        if (g.owner === 'self' || g.pinned) continue;
        bad = true;
        const who = g.kind === 'Wildcard' ? 'every principal ("*")' : g.kind === 'NotPrincipal' ? `everyone except ${g.value} (NotPrincipal)` : `${g.value}`;
        if (g.owner === 'unknown' && g.kind === 'AWS') {
          report.unverifiable({ stack: r.stack.name, resource: r.id, path: at, value: g.value, message: `${r.id} grants ${who}, which cannot be shown to be the tenant's account` });
        } else {
          report.fail({
            stack: r.stack.name, resource: r.id,
            path: at,
            value: g.value,
            message: `${r.id} grants ${who}${g.orgOnly ? ' pinned only to an organization (aws:PrincipalOrgID spans every account of the vendor)' : ' without a condition pinning it to the tenant account'}`,
          });
        }
      }
      if (!bad) report.pass({ stack: r.stack.name, resource: r.id, path, message: `${r.id} grants only the tenant account and pinned AWS services` });
    }
  },
};
