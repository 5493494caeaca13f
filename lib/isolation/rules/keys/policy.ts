/**
 * Reading IAM-style policy documents (key policies, domain access policies): who a statement grants, and whether
 * its conditions pin the grant to the tenant's account.
 *
 * One analysis serves both front ends through a `PolicyReader`: templates resolve values through intrinsics
 * (`grantsOf`), live documents from the APIs are plain JSON (`grantsOfPolicy`). Pure: no I/O.
 */
import { describe, litString, piecesOf, type RawNode, type StackModel, type Val } from '../../model';
import { accountOwnership, parseArn, type Ownership } from '../../facts';
import type { TenantModel } from '../../model';

export interface Grant {
  readonly statement: number;
  readonly sid?: string;
  readonly kind: 'AWS' | 'Service' | 'Federated' | 'CanonicalUser' | 'NotPrincipal' | 'Wildcard';
  readonly value: string;
  /** The principal as a literal string, when it resolves to one (`value` describes it for messages). */
  readonly literal?: string;
  /** Whose principal this is. `aws` for service principals. */
  readonly owner: Ownership;
  /** Conditions pin the statement to the tenant's account. */
  readonly pinned: boolean;
  /** Conditions name only the vendor organisation (aws:PrincipalOrgID), which spans tenants. */
  readonly orgOnly: boolean;
  /** The statement's conditions, keys lower-cased, values as literals (undefined where a value is not a literal). */
  readonly conditions: readonly PolicyCondition[];
}

export interface PolicyCondition {
  /** The condition operator as written, e.g. `StringEquals`, `Bool`, `IpAddress`. */
  readonly operator: string;
  /** The condition key, lower-cased (keys are case-insensitive), e.g. `sts:externalid`. */
  readonly key: string;
  readonly values: readonly (string | undefined)[];
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

/** How the analysis reads a document: expanding alternatives, resolving values, and judging account ownership. */
export interface PolicyReader {
  alternatives(node: RawNode): RawNode[];
  elements(node: RawNode): RawNode[];
  resolve(node: RawNode): Val[];
  listValues(node: RawNode): Val[][];
  /** Whose account an account id, ARN account field or `aws` value is. */
  ownerOf(v: Val | string): Ownership;
}

function ownershipOfValue(reader: PolicyReader, v: Val): Ownership {
  // A principal the tenant's own templates define (a role, a user) is the tenant's.
  if (v.k === 'res' && v.r.type.startsWith('AWS::IAM::')) return 'self';
  const arn = parseArn(v);
  if (arn) {
    if (arn.account === 'self') return 'self';
    if (arn.account === undefined) return 'unknown';
    return reader.ownerOf(arn.account);
  }
  const pieces = piecesOf(v);
  const only = pieces?.length === 1 ? pieces[0] : undefined;
  if (only !== undefined && typeof only !== 'string') return reader.ownerOf(only);
  const s = litString(v);
  if (s !== undefined) return reader.ownerOf(s);
  return 'unknown';
}

/** Reads a template's policy through its intrinsics; ownership against the tenant's (possibly unknown) account. */
function templateReader(stack: StackModel): PolicyReader {
  const tenant: TenantModel = stack.tenant;
  return {
    alternatives: (n) => stack.alternatives(n),
    elements: (n) => stack.elements(n),
    resolve: (n) => stack.resolve(n),
    listValues: (n) => stack.listValues(n),
    ownerOf: (v) => accountOwnership(tenant, v),
  };
}

/** Whose account a literal account value is, for a tenant whose account is `account` (as `accountOwnership`). */
export function accountOwner(account: string | undefined, value: string): Ownership {
  if (value === 'aws' || value === '') return 'aws';
  if (!/^\d{12}$/.test(value)) return 'unknown';
  if (!account) return 'unknown';
  return value === account ? 'self' : 'other';
}

function plainVal(node: RawNode): Val {
  if (node === undefined) return { k: 'absent' };
  if (node === null || typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return { k: 'lit', v: node };
  return {
    k: 'ext',
    kind: 'unsupported',
    what: Array.isArray(node) ? 'a list where a single value was expected' : 'an object where a single value was expected',
  };
}

/** Reads a plain JSON policy document (as the AWS APIs return it): no intrinsics, every value literal. */
export function plainPolicyReader(account: string | undefined): PolicyReader {
  return {
    alternatives: (n) => [n],
    elements: (n) => (Array.isArray(n) ? (n as unknown[]).filter((e) => e !== undefined) : n === undefined ? [] : [n]),
    resolve: (n) => [plainVal(n)],
    listValues: (n) => [(Array.isArray(n) ? n : [n]).map(plainVal).filter((v) => v.k !== 'absent')],
    ownerOf: (v) => {
      if (typeof v === 'string') return accountOwner(account, v);
      const s = litString(v);
      return s === undefined ? 'unknown' : accountOwner(account, s);
    },
  };
}

/**
 * Whose principal a plain principal string is: an ARN or account id (by its account), a service principal
 * (`rds.eu-west-1.amazonaws.com`: `aws`), or `*`.
 */
export function principalOwner(account: string | undefined, principal: string): Ownership | 'wildcard' {
  if (principal === '*') return 'wildcard';
  if (!principal.startsWith('arn:') && /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(principal)) return 'aws';
  return ownershipOfValue(plainPolicyReader(account), { k: 'lit', v: principal });
}

function conditionPins(reader: PolicyReader, condition: unknown): { pinned: boolean; orgOnly: boolean } {
  let pinned = false;
  let org = false;
  for (const cond of reader.alternatives(condition)) {
    if (!cond || typeof cond !== 'object') continue;
    for (const op in cond as Record<string, unknown>) {
      const block = (cond as Record<string, unknown>)[op];
      if (/IfExists$/.test(op) || /^Not|^StringNot|^ArnNot/.test(op)) continue; // absent keys or negations do not pin
      for (const b of reader.alternatives(block)) {
        if (!b || typeof b !== 'object') continue;
        for (const key in b as Record<string, unknown>) {
          const node = (b as Record<string, unknown>)[key];
          const k = key.toLowerCase();
          if (k === 'aws:principalorgid' || k === 'aws:principalorgpaths' || k === 'aws:sourceorgid') org = true;
          if (!PINNING_KEYS.includes(k)) continue;
          const values = Array.isArray(node) || (node && typeof node === 'object' && 'Fn::If' in (node))
            ? reader.listValues(node).flat()
            : reader.resolve(node);
          if (values.length > 0 && values.every((v) => ownershipOfValue(reader, v) === 'self' || (k === 'kms:encryptioncontext:aws:pi:service' && litString(v) === 'rds'))) {
            if (k !== 'kms:encryptioncontext:aws:pi:service') pinned = true;
          }
        }
      }
    }
  }
  return { pinned, orgOnly: org && !pinned };
}

/** Every condition of a statement's Condition block, with its literal values (each alternative of an `Fn::If`). */
function conditionsOf(reader: PolicyReader, condition: unknown): PolicyCondition[] {
  const out: PolicyCondition[] = [];
  for (const cond of reader.alternatives(condition)) {
    if (!cond || typeof cond !== 'object') continue;
    for (const operator in cond as Record<string, unknown>) {
      for (const b of reader.alternatives((cond as Record<string, unknown>)[operator])) {
        if (!b || typeof b !== 'object') continue;
        for (const key in b as Record<string, unknown>) {
          const node = (b as Record<string, unknown>)[key];
          const values = reader.listValues(Array.isArray(node) ? node : [node]).flat();
          out.push({
            operator,
            key: key.toLowerCase(),
            values: values.map((v) => (v.k === 'lit' && (typeof v.v === 'string' || typeof v.v === 'boolean' || typeof v.v === 'number') ? String(v.v) : undefined)),
          });
        }
      }
    }
  }
  return out;
}

/** Every Allow grant of a policy document in a template, resolved through intrinsics. */
export function grantsOf(stack: StackModel, document: unknown): Grant[] | { unresolved: string } {
  return analyse(templateReader(stack), document);
}

/**
 * Every Allow grant of a plain policy document as the AWS APIs return it (`kms:GetKeyPolicy`, a domain's
 * `AccessPolicies`): a JSON string or an object, judged against the tenant's account.
 */
export function grantsOfPolicy(document: unknown, tenantAccount: string | undefined): Grant[] | { unresolved: string } {
  return analyse(plainPolicyReader(tenantAccount), document);
}

function analyse(reader: PolicyReader, document: unknown): Grant[] | { unresolved: string } {
  const docs = reader.alternatives(document);
  const grants: Grant[] = [];
  let unresolved: string | undefined;
  for (let doc of docs) {
    if (typeof doc === 'string') {
      try {
        doc = JSON.parse(doc);
      } catch {
        return { unresolved: 'a policy document that is not JSON' };
      }
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc) || isIntrinsic(doc)) {
      const vals = reader.resolve(doc);
      return { unresolved: vals.map(describe).join(' | ') || 'an empty policy' };
    }
    const statements = reader.elements((doc as Record<string, unknown>).Statement);
    statements.forEach((st, index) => {
      for (const alt of reader.alternatives(st)) {
        if (!alt || typeof alt !== 'object') continue;
        if (isIntrinsic(alt)) {
          // A statement built by an intrinsic the reader does not expand: whatever it grants is unknown.
          unresolved = `Statement[${index}] is ${reader.resolve(alt).map(describe).join(' | ') || 'an intrinsic'}`;
          continue;
        }
        const s = alt as Record<string, unknown>;
        const effects = reader.resolve(s.Effect).map(litString);
        if (effects.every((e) => e === 'Deny')) continue;
        const sid = litString(reader.resolve(s.Sid)[0] ?? { k: 'absent' });
        const { pinned, orgOnly } = conditionPins(reader, s.Condition);
        const conditions = s.Condition === undefined ? [] : conditionsOf(reader, s.Condition);
        const push = (kind: Grant['kind'], value: string, owner: Ownership, literal?: string): void => {
          grants.push({ statement: index, sid, kind, value, literal, owner, pinned, orgOnly, conditions });
        };
        if (s.NotPrincipal !== undefined) push('NotPrincipal', JSON.stringify(s.NotPrincipal), 'other');
        for (const principal of reader.alternatives(s.Principal)) {
          if (principal === '*') {
            push('Wildcard', '*', 'other');
            continue;
          }
          if (!principal || typeof principal !== 'object' || Array.isArray(principal)) {
            const vals = reader.resolve(principal);
            for (const v of vals) if (v.k !== 'absent') push('Wildcard', describe(v), litString(v) === '*' ? 'other' : 'unknown');
            continue;
          }
          for (const kind in principal as Record<string, unknown>) {
            const node = (principal as Record<string, unknown>)[kind];
            const values = reader.listValues(Array.isArray(node) ? node : [node]).flat();
            for (const v of values) {
              if (v.k === 'absent') continue;
              const text = describe(v);
              if (kind === 'Service') push('Service', litString(v) ?? text, 'aws');
              else if (litString(v) === '*') push('Wildcard', '*', 'other');
              else if (kind === 'AWS') push('AWS', text, ownershipOfValue(reader, v), litString(v));
              else push(kind === 'Federated' ? 'Federated' : 'CanonicalUser', text, 'other', litString(v));
            }
          }
        }
      }
    });
  }
  return unresolved ? { unresolved } : grants;
}

/** An object that is an intrinsic function (`Ref`, `Fn::...`) rather than a policy document or statement. */
function isIntrinsic(node: object): boolean {
  const keys = Object.keys(node);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0] ?? '').startsWith('Fn::'));
}
