/**
 * Declared access paths: the paths into a tenant its manifest declares (`access:`), as the app writes them into
 * the template metadata, and how a trust-policy grant is matched against them and their constraints checked.
 * Pure; the rules (ISO-IAM-*) decide with these facts. docs/access.md explains the model.
 */
import type { Grant, PolicyCondition } from './rules/keys/policy';

export type AccessKind = 'delivery' | 'customer' | 'break-glass';

export interface AccessConstraints {
  readonly mfa?: boolean;
  readonly externalId?: string;
  readonly sourceVpcs?: readonly string[];
  readonly sourceIps?: readonly string[];
  readonly maxSessionHours?: number;
}

export interface DeclaredAccess {
  readonly kind: AccessKind;
  /** An account id, a role ARN (optionally ending in `*`) or an identity provider ARN. */
  readonly principal: string;
  readonly justification: string;
  readonly approvedBy: string;
  readonly expires: string;
  readonly constraints: AccessConstraints;
}

const KINDS: readonly string[] = ['delivery', 'customer', 'break-glass'];

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v) : undefined;

/**
 * The declared paths of a template metadata block. Templates are untrusted input: an entry that is not well formed
 * declares nothing (so it can only make the verifier stricter, never admit a principal).
 */
export function declaredAccessOf(raw: unknown): DeclaredAccess[] {
  if (!Array.isArray(raw)) return [];
  const out: DeclaredAccess[] = [];
  for (const e of raw as unknown[]) {
    if (!e || typeof e !== 'object') continue;
    const r = e as Record<string, unknown>;
    const c = (r.constraints && typeof r.constraints === 'object' ? r.constraints : {}) as Record<string, unknown>;
    if (typeof r.kind !== 'string' || !KINDS.includes(r.kind) || typeof r.principal !== 'string' || typeof r.expires !== 'string') continue;
    out.push({
      kind: r.kind as AccessKind,
      principal: r.principal,
      justification: typeof r.justification === 'string' ? r.justification : '',
      approvedBy: typeof r.approvedBy === 'string' ? r.approvedBy : '',
      expires: r.expires,
      constraints: {
        mfa: c.mfa === true ? true : undefined,
        externalId: typeof c.externalId === 'string' ? c.externalId : undefined,
        sourceVpcs: strings(c.sourceVpcs),
        sourceIps: strings(c.sourceIps),
        maxSessionHours: typeof c.maxSessionHours === 'number' ? c.maxSessionHours : undefined,
      },
    });
  }
  return out;
}

/** The account of an account id or an IAM ARN (`arn:<partition>:iam::<account>:...`). */
function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  const m = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(principal);
  return m?.[1];
}

/**
 * Whether a granted principal value (as the trust policy states it) is what a declared path admits:
 * - a declared account admits that account (`123456789012` or `arn:...:iam::123456789012:root`);
 * - a declared role ARN admits that role; with a trailing `*`, every role whose ARN starts with the rest;
 * - a declared identity provider admits exactly that provider (a `Federated` grant).
 * A grant wider than the declaration (a whole account where one role was declared) does not match.
 */
export function admits(declared: DeclaredAccess, grant: Pick<Grant, 'kind' | 'literal'>): boolean {
  const d = declared.principal;
  const v = grant.literal;
  if (v === undefined) return false;
  if (grant.kind === 'Federated') return v === d;
  if (grant.kind !== 'AWS') return false;
  if (/^\d{12}$/.test(d)) return v === d || new RegExp(`^arn:aws[\\w-]*:iam::${d}:root$`).test(v);
  if (d.endsWith('*')) return v.startsWith(d.slice(0, -1)) && accountOf(v) === accountOf(d);
  return v === d;
}

const lower = (s: string | undefined) => s?.toLowerCase();

/** True when the conditions require `key` (an `...Equals`/`Bool`/address operator, not IfExists) to be one of `allowed`. */
function requires(conditions: readonly PolicyCondition[], key: string, allowed: readonly string[], operator: RegExp): boolean {
  const wanted = allowed.map((a) => a.toLowerCase());
  return conditions.some(
    (c) =>
      c.key === key &&
      operator.test(c.operator) &&
      !/IfExists$/.test(c.operator) &&
      c.values.length > 0 &&
      c.values.every((v) => v !== undefined && wanted.includes(lower(v) as string)),
  );
}

/**
 * The declared constraints that the grant's statement does not enforce (empty when it enforces them all).
 * `maxSessionHours` is checked against the role's MaxSessionDuration by the caller (it is not a condition).
 */
export function unenforced(declared: DeclaredAccess, conditions: readonly PolicyCondition[]): string[] {
  const c = declared.constraints;
  const gaps: string[] = [];
  if (c.mfa && !requires(conditions, 'aws:multifactorauthpresent', ['true'], /^Bool$/)) gaps.push('MFA (Bool aws:MultiFactorAuthPresent true)');
  if (c.externalId && !requires(conditions, 'sts:externalid', [c.externalId], /^StringEquals$/)) gaps.push(`the external id (StringEquals sts:ExternalId "${c.externalId}")`);
  if (c.sourceVpcs && !requires(conditions, 'aws:sourcevpc', c.sourceVpcs, /^StringEquals$/)) gaps.push(`the source VPCs (StringEquals aws:SourceVpc ${c.sourceVpcs.join(', ')})`);
  if (c.sourceIps && !requires(conditions, 'aws:sourceip', c.sourceIps, /^IpAddress$/)) gaps.push(`the source addresses (IpAddress aws:SourceIp ${c.sourceIps.join(', ')})`);
  return gaps;
}
