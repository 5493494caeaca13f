import { admits, unenforced, type DeclaredAccess } from '../../declared-access';
import type { Val } from '../../model';
import type { IsolationRule } from '../../rule';
import { grantsOf, type Grant } from '../keys/policy';

const SECONDS_PER_HOUR = 3600;
/** IAM's default MaxSessionDuration when a role sets none (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html). */
const DEFAULT_MAX_SESSION_SECONDS = 3600;

function who(g: Grant): string {
  if (g.kind === 'Wildcard') return 'every principal ("*")';
  if (g.kind === 'NotPrincipal') return `everyone except ${g.value} (NotPrincipal)`;
  if (g.kind === 'Federated') return `the identity provider ${g.literal ?? g.value}`;
  return g.literal ?? g.value;
}

/**
 * ISO-IAM-1: who can assume a role inside the tenant. Only the tenant's own account, AWS services acting for it, or
 * a path the manifest declares (with the constraints it declares enforced by the trust policy) may.
 */
export const roleTrustDeclared: IsolationRule = {
  id: 'ISO-IAM-1',
  title: "IAM roles can be assumed only by the tenant's account, AWS services, or declared access paths with their constraints",
  severity: 'error',
  concern: 'access',
  proves: 'account',
  rationale:
    'Dedicated data stores mean little if a role inside the tenant trusts the vendor\'s account, a support account, ' +
    'an identity provider elsewhere or "*": a breach there becomes a breach of every tenant that trusts it. A ' +
    'principal taken from a parameter, an import or SSM, a whole organization (aws:PrincipalOrgID), or "*" with an ' +
    'external id alone (external ids are not secrets) is the same door with the name hidden.',
  remediation:
    'Trust only the tenant account and AWS service principals, or declare the path in the manifest (access: kind, ' +
    'principal, justification, approvedBy, expires, constraints) and enforce its constraints in the trust policy ' +
    '(Bool aws:MultiFactorAuthPresent, StringEquals sts:ExternalId / aws:SourceVpc, IpAddress aws:SourceIp, ' +
    'MaxSessionDuration); docs/access.md.',
  controls: ['HIPAA 164.312(a)(1)', 'HIPAA 164.308(a)(4)', 'PCI DSS 7.2.1', 'NIST AC-2', 'NIST AC-3', 'NIST AC-6', 'NIST AC-17'],
  checkTemplate(tenant, report) {
    for (const role of tenant.ofType('AWS::IAM::Role')) {
      const path = 'Properties.AssumeRolePolicyDocument';
      const at = { stack: role.stack.name, resource: role.id };
      const grants = grantsOf(role.stack, role.props.AssumeRolePolicyDocument);
      if ('unresolved' in grants) {
        report.unverifiable({ ...at, path, value: grants.unresolved, message: `${role.id}'s trust policy cannot be read: ${grants.unresolved}` });
        continue;
      }
      let outside = 0;
      for (const g of grants) {
        const where = `${path}.Statement[${g.statement}]${g.sid ? ` (${g.sid})` : ''}`;
        if (g.kind === 'Service') continue;
        if (g.owner === 'self' || (g.pinned && g.kind !== 'Federated')) continue;
        outside++;
        if (g.kind === 'AWS' && g.owner === 'unknown') {
          report.unverifiable({
            ...at,
            path: where,
            value: g.literal ?? g.value,
            message: `${role.id} trusts ${g.value}, which cannot be shown to be the tenant's account or a declared access path`,
          });
          continue;
        }
        const declared = tenant.access.filter((d) => admits(d, g));
        if (declared.length === 0) {
          const detail =
            g.kind === 'Wildcard' && g.conditions.some((c) => c.key === 'sts:externalid')
              ? ' with only an external id (an external id is not a secret)'
              : g.orgOnly
                ? ' pinned only to an organization (aws:PrincipalOrgID spans every account of the vendor)'
                : '';
          report.fail({ ...at, path: where, value: g.literal ?? g.value, message: `${role.id} trusts ${who(g)}${detail}, and no access path in the manifest declares it` });
          continue;
        }
        const checked = declared.map((d) => ({ d, gaps: gapsOf(d, g, role.props.MaxSessionDuration, (n) => role.stack.resolve(n).map(literalNumber)) }));
        const ok = checked.find((c) => c.gaps.length === 0);
        if (ok) {
          report.pass({
            ...at,
            path: where,
            value: g.literal ?? g.value,
            message: `${role.id} trusts ${who(g)} through the declared ${ok.d.kind} path (approved by ${ok.d.approvedBy}, expires ${ok.d.expires}) with its constraints enforced`,
          });
        } else {
          const first = checked[0] as { d: DeclaredAccess; gaps: string[] };
          report.fail({
            ...at,
            path: where,
            value: g.literal ?? g.value,
            message: `${role.id} trusts ${who(g)} as the declared ${first.d.kind} path, but does not enforce ${first.gaps.join(', ')}`,
          });
        }
      }
      if (outside === 0) report.pass({ ...at, path, message: `${role.id} can be assumed only by the tenant's account and AWS services` });
    }
  },
};

/** A literal number (or numeric string) value, else undefined. */
function literalNumber(v: Val): number | undefined {
  if (v.k !== 'lit') return undefined;
  const n = Number(v.v);
  return typeof v.v !== 'boolean' && v.v !== null && v.v !== '' && Number.isFinite(n) ? n : undefined;
}

/** The declared path's constraints the statement and role do not enforce. */
function gapsOf(d: DeclaredAccess, g: Grant, maxSession: unknown, resolve: (n: unknown) => (number | undefined)[]): string[] {
  const gaps = unenforced(d, g.conditions);
  const hours = d.constraints.maxSessionHours;
  if (hours !== undefined) {
    const values = maxSession === undefined ? [DEFAULT_MAX_SESSION_SECONDS] : resolve(maxSession);
    // A value that cannot be read may be any length: it does not enforce the limit (fail closed).
    const longest = Math.max(...values.map((v) => v ?? Infinity));
    if (!(longest <= hours * SECONDS_PER_HOUR)) gaps.push(`the session limit (MaxSessionDuration at most ${hours * SECONDS_PER_HOUR} s)`);
  }
  return gaps;
}
