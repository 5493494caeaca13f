/**
 * ISO-KMS-2, live: every key the tenant's data uses, and every key its aliases name, has a key policy and grants
 * that admit only the tenant's account and AWS services acting for it. Policies are read with the same grant
 * analysis as templates (`grantsOfPolicy`).
 */
import type { LiveKey, TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need, unquote } from '../evidence.live';
import { grantsOfPolicy, principalOwner } from './policy';

export const liveActions = [...ACTIONS.keySources, ...ACTIONS.keyMetadata, 'kms:GetKeyPolicy', 'kms:ListGrants'];

function checkPolicy(inv: TenantInventory, key: LiveKey, report: Reporter): void {
  const policy = need(key.policy, inv, report, `the key policy of ${key.ref}`);
  if (policy === undefined) return;
  const path = 'GetKeyPolicy.Policy';
  const grants = grantsOfPolicy(policy, inv.account);
  if ('unresolved' in grants) {
    report.unverifiable({ ...at(inv, key.ref, path), value: grants.unresolved, message: `could not verify the key policy of ${key.ref}: ${grants.unresolved}` });
    return;
  }
  let bad = false;
  for (const raw of grants) {
    const g = { ...raw, value: unquote(raw.value) };
    const where = at(inv, key.ref, `${path}.Statement[${g.statement}]${g.sid ? ` (${g.sid})` : ''}`);
    if (g.kind === 'Service') {
      if (!g.pinned) {
        report.fail({ ...where, value: g.value, severity: 'warning', message: `${key.ref} grants the service principal ${g.value} with no condition pinning it to the tenant account (confused deputy)` });
      }
      continue;
    }
    if (g.owner === 'self' || g.pinned) continue;
    bad = true;
    const who = g.kind === 'Wildcard' ? 'every principal ("*")' : g.kind === 'NotPrincipal' ? `everyone except ${g.value} (NotPrincipal)` : g.value;
    if (g.owner === 'unknown' && g.kind === 'AWS') {
      report.unverifiable({ ...where, value: g.value, message: `could not verify ${key.ref}: its policy grants ${who}, which cannot be shown to be the tenant's account` });
    } else {
      report.fail({
        ...where,
        value: g.value,
        message: `${key.ref} grants ${who}${g.orgOnly ? ' pinned only to an organization (aws:PrincipalOrgID spans every account of the vendor)' : ' without a condition pinning it to the tenant account'}`,
      });
    }
  }
  if (!bad) report.pass({ ...at(inv, key.ref, path), message: `${key.ref}'s policy grants only the tenant account and pinned AWS services (${grants.length} grants)` });
}

function checkGrants(inv: TenantInventory, key: LiveKey, report: Reporter): void {
  const grants = need(key.grants, inv, report, `the grants of ${key.ref}`);
  if (!grants) return;
  let bad = false;
  for (const g of grants) {
    const where = at(inv, key.ref, `ListGrants.Grants[${g.grantId}]`);
    const ops = g.operations.join(', ') || 'no operations';
    const grantee = g.granteeService ?? g.grantee;
    const granteeOwner = g.granteeService ? 'aws' : grantee ? principalOwner(inv.account, grantee) : 'unknown';
    if (granteeOwner === 'other' || granteeOwner === 'wildcard') {
      bad = true;
      report.fail({ ...where, value: grantee, message: `grant ${g.grantId} on ${key.ref} lets ${grantee}, outside the tenant account, use the key (${ops})` });
    } else if (granteeOwner === 'unknown') {
      bad = true;
      report.unverifiable({ ...where, value: grantee ?? '(none)', message: `could not verify grant ${g.grantId} on ${key.ref}: its grantee ${grantee ?? '(none)'} cannot be shown to be the tenant's (${ops})` });
    }
    const issuer = g.issuingAccount ? principalOwner(inv.account, g.issuingAccount) : 'unknown';
    if (issuer === 'other') {
      bad = true;
      report.fail({ ...where, value: g.issuingAccount, message: `grant ${g.grantId} on ${key.ref} was issued by ${g.issuingAccount}, not the tenant account` });
    }
  }
  if (!bad) {
    report.pass({ ...at(inv, key.ref, 'ListGrants.Grants'), value: String(grants.length), message: `${key.ref} has ${grants.length} grant${grants.length === 1 ? '' : 's'}, all to the tenant account or AWS services acting for it` });
  }
}

export function checkLive(inv: TenantInventory, report: Reporter): void {
  // The set of keys comes from the stores that use them and the tenant's aliases: incomplete if either is missing.
  need(inv.aliases, inv, report, "that every key named by the tenant's aliases was checked");
  need(inv.databases, inv, report, 'that every key the databases use was checked');
  need(inv.searchDomains, inv, report, 'that every key the search domains use was checked');
  for (const key of inv.keys) {
    checkPolicy(inv, key, report);
    checkGrants(inv, key, report);
  }
}
