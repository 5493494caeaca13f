/**
 * Reading IAM-style policy documents (key policies, domain access policies) resolved through intrinsics:
 * who a statement grants, and whether its conditions pin the grant to the tenant's account.
 */
import { describe, litString, piecesOf, type StackModel, type Val } from '../../model';
import { accountOwnership, parseArn, type Ownership } from '../../facts';
import type { TenantModel } from '../../model';

export interface Grant {
  readonly statement: number;
  readonly sid?: string;
  readonly kind: 'AWS' | 'Service' | 'Federated' | 'CanonicalUser' | 'NotPrincipal' | 'Wildcard';
  readonly value: string;
  /** Whose principal this is. `aws` for service principals. */
  readonly owner: Ownership;
  /** Conditions pin the statement to the tenant's account. */
  readonly pinned: boolean;
  /** Conditions name only the vendor organisation (aws:PrincipalOrgID), which spans tenants. */
  readonly orgOnly: boolean;
}

/** Condition keys whose value, when it is the tenant's account (or an ARN in it), pins a grant to the tenant. */
const PINNING_KEYS = [
  'kms:calleraccount',
  'aws:principalaccount',
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:resourceaccount',
  'aws:principalarn',
  'aws:sourcearn',
  'kms:encryptioncontext:aws:logs:arn',
  'kms:encryptioncontext:aws:pi:service',
];

function ownershipOfValue(tenant: TenantModel, v: Val): Ownership {
  // A principal the tenant's own templates define (a role, a user) is the tenant's.
  if (v.k === 'res' && v.r.type.startsWith('AWS::IAM::')) return 'self';
  const arn = parseArn(v);
  if (arn) {
    if (arn.account === 'self') return 'self';
    if (arn.account === undefined) return 'unknown';
    return accountOwnership(tenant, arn.account);
  }
  const pieces = piecesOf(v);
  const only = pieces?.length === 1 ? pieces[0] : undefined;
  if (only !== undefined && typeof only !== 'string') return accountOwnership(tenant, only);
  const s = litString(v);
  if (s !== undefined) return accountOwnership(tenant, s);
  return 'unknown';
}

function conditionPins(stack: StackModel, condition: unknown): { pinned: boolean; orgOnly: boolean } {
  let pinned = false;
  let org = false;
  for (const cond of stack.alternatives(condition)) {
    if (!cond || typeof cond !== 'object') continue;
    for (const [op, block] of Object.entries(cond as Record<string, unknown>)) {
      if (/IfExists$/.test(op) || /^Not|^StringNot|^ArnNot/.test(op)) continue; // absent keys or negations do not pin
      for (const b of stack.alternatives(block)) {
        if (!b || typeof b !== 'object') continue;
        for (const [key, node] of Object.entries(b as Record<string, unknown>)) {
          const k = key.toLowerCase();
          if (k === 'aws:principalorgid' || k === 'aws:principalorgpaths' || k === 'aws:sourceorgid') org = true;
          if (!PINNING_KEYS.includes(k)) continue;
          const values = Array.isArray(node) || (node && typeof node === 'object' && 'Fn::If' in (node as object))
            ? stack.listValues(node).flat()
            : stack.resolve(node);
          if (values.length > 0 && values.every((v) => ownershipOfValue(stack.tenant, v) === 'self' || (k === 'kms:encryptioncontext:aws:pi:service' && litString(v) === 'rds'))) {
            if (k !== 'kms:encryptioncontext:aws:pi:service') pinned = true;
          }
        }
      }
    }
  }
  return { pinned, orgOnly: org && !pinned };
}

/** Every Allow grant of a policy document. */
export function grantsOf(stack: StackModel, document: unknown): Grant[] | { unresolved: string } {
  const docs = stack.alternatives(document);
  const grants: Grant[] = [];
  for (let doc of docs) {
    if (typeof doc === 'string') {
      try {
        doc = JSON.parse(doc);
      } catch {
        return { unresolved: 'a policy document that is not JSON' };
      }
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
      const vals = stack.resolve(doc);
      return { unresolved: vals.map(describe).join(' | ') || 'an empty policy' };
    }
    const statements = stack.elements((doc as Record<string, unknown>).Statement);
    statements.forEach((st, index) => {
      for (const alt of stack.alternatives(st)) {
        if (!alt || typeof alt !== 'object') continue;
        const s = alt as Record<string, unknown>;
        const effects = stack.resolve(s.Effect).map(litString);
        if (effects.every((e) => e === 'Deny')) continue;
        const sid = litString(stack.resolve(s.Sid)[0] ?? { k: 'absent' });
        const { pinned, orgOnly } = conditionPins(stack, s.Condition);
        const push = (kind: Grant['kind'], value: string, owner: Ownership): void => {
          grants.push({ statement: index, sid, kind, value, owner, pinned, orgOnly });
        };
        if (s.NotPrincipal !== undefined) push('NotPrincipal', JSON.stringify(s.NotPrincipal), 'other');
        for (const principal of stack.alternatives(s.Principal)) {
          if (principal === '*') {
            push('Wildcard', '*', 'other');
            continue;
          }
          if (!principal || typeof principal !== 'object' || Array.isArray(principal)) {
            const vals = stack.resolve(principal);
            for (const v of vals) if (v.k !== 'absent') push('Wildcard', describe(v), litString(v) === '*' ? 'other' : 'unknown');
            continue;
          }
          for (const [kind, node] of Object.entries(principal as Record<string, unknown>)) {
            const values = stack.listValues(Array.isArray(node) ? node : [node]).flat();
            for (const v of values) {
              if (v.k === 'absent') continue;
              const text = describe(v);
              if (kind === 'Service') push('Service', litString(v) ?? text, 'aws');
              else if (litString(v) === '*') push('Wildcard', '*', 'other');
              else if (kind === 'AWS') push('AWS', text, ownershipOfValue(stack.tenant, v));
              else push(kind === 'Federated' ? 'Federated' : 'CanonicalUser', text, 'other');
            }
          }
        }
      }
    });
  }
  return grants;
}
