/**
 * One evidence pack per customer: the fleet pack narrowed to one tenant, naming no other tenant.
 *
 * The vendor's list of regulated customers is itself confidential, so a customer's pack keeps the fleet-wide proofs
 * (no account, key, VPC, subnet, cluster or endpoint shared with another tenant: ISO-ACCT-2, ISO-KMS-3, ISO-FLEET-1)
 * without the others' names: each other tenant appears only as a keyed digest, HMAC-SHA-256 under a fleet secret the
 * vendor holds. Two customers' auditors (or the vendor's own, with the fleet pack) can match digests without learning
 * names. Every string of the tenant's evidence that names another tenant (its id, account, stacks, template and
 * manifest files) is replaced by that tenant's digest.
 *
 * Pure: the CLI passes the fleet pack, the identifiers of every tenant and the secret.
 */
import { createHmac } from 'node:crypto';
import { shellQuote, type EvidencePack, type TemplateIntegrity, type TenantEvidence } from './evidence';

/** The fleet rules whose results prove a tenant shares nothing with the others. */
export const FLEET_RULES = ['ISO-ACCT-2', 'ISO-KMS-3', 'ISO-FLEET-1'] as const;

/** What identifies one tenant in the inputs (what must not appear in another tenant's pack). */
export interface TenantIdentifiers {
  readonly id: string;
  readonly account?: string;
  /** Stack names, template files (as the pack names them and their base names), manifest files. */
  readonly names: readonly string[];
}

export interface FleetComparison {
  /** How many other tenants of the fleet the tenant was compared with (those with templates in the inputs). */
  readonly others: number;
  /** Other tenants the manifests name but the inputs hold no template for: not compared. */
  readonly notCompared: number;
  readonly algorithm: 'HMAC-SHA-256';
  /** What the digest is computed over. */
  readonly over: string;
  /** This tenant's own keyed digest (its auditor can give it to another's to match). */
  readonly self: string;
  /** The other tenants' keyed digests, sorted. */
  readonly digests: readonly string[];
  /** The fleet rules and their results for this tenant. */
  readonly rules: readonly { readonly id: string; readonly title: string; readonly status: string }[];
  /** Every fleet rule passed. */
  readonly holds: boolean;
  readonly statement: string;
}

export const DIGEST_OVER = 'the UTF-8 text "exclusive-desk/tenant/v1", LF, tenant id, LF, account (empty if unknown)';

/** The keyed digest of a tenant: HMAC-SHA-256 under the fleet secret, hex. */
export function tenantDigest(secret: Buffer, id: string, account: string | undefined): string {
  return createHmac('sha256', secret)
    .update(`exclusive-desk/tenant/v1\n${id}\n${account ?? ''}`, 'utf8')
    .digest('hex');
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces every occurrence of the given strings (longest first) in every string of a JSON-like value. */
function redact<T>(value: T, replacements: ReadonlyMap<string, string>): T {
  if (replacements.size === 0) return value;
  const keys = [...replacements.keys()].filter((k) => k.length > 0).sort((a, b) => b.length - a.length);
  const re = new RegExp(keys.map(escapeRegExp).join('|'), 'g');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(re, (m) => replacements.get(m) ?? m);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

export interface TenantPackOptions {
  readonly tenant: string;
  /** Identifiers of every tenant of the fleet (this one included). */
  readonly identifiers: readonly TenantIdentifiers[];
  readonly secret: Buffer;
  /** The command-line inputs that belong in this tenant's pack (directories, its own template files). */
  readonly inputs: readonly string[];
}

function comparisonOf(
  t: TenantEvidence,
  compared: number,
  notCompared: number,
  self: string,
  digests: string[],
): FleetComparison {
  const rules = t.concerns
    .flatMap((c) => c.rules)
    .filter((r) => (FLEET_RULES as readonly string[]).includes(r.id))
    .map((r) => ({ id: r.id, title: r.title, status: r.status }));
  const holds =
    t.presence === 'verified' && rules.length === FLEET_RULES.length && rules.every((r) => r.status === 'pass');
  const n = compared;
  const missing = notCompared
    ? `; ${notCompared} other tenant(s) of the manifests have no template in the inputs and were not compared`
    : '';
  const statement =
    t.presence !== 'verified'
      ? `not compared: the inputs hold no template for this tenant (${n} other tenant(s) in the fleet)`
      : holds
        ? `compared with ${n} other tenant(s) of the fleet: no shared account, key, VPC, subnet, cluster or endpoint${missing}`
        : `compared with ${n} other tenant(s) of the fleet: NOT proven that nothing is shared (${
            rules
              .filter((r) => r.status !== 'pass')
              .map((r) => `${r.id} ${r.status}`)
              .join(', ') || 'the fleet rules did not run'
          }); see the findings`;
  return {
    others: n,
    notCompared,
    algorithm: 'HMAC-SHA-256',
    over: DIGEST_OVER,
    self,
    digests,
    rules,
    holds,
    statement,
  };
}

/** The pack of one tenant, naming no other. */
export function tenantPack(fleet: EvidencePack, options: TenantPackOptions): EvidencePack {
  const t = fleet.tenants.find((x) => x.id === options.tenant);
  if (!t) throw new Error(`no tenant ${options.tenant} in the pack`);
  const me = options.identifiers.find((i) => i.id === t.id);
  const others = options.identifiers.filter((i) => i.id !== t.id);
  const digestOf = new Map(others.map((o) => [o.id, tenantDigest(options.secret, o.id, o.account)]));
  const replacements = new Map<string, string>();
  const mine = new Set([t.id, t.account, ...(me?.names ?? [])].filter((x): x is string => !!x));
  for (const o of others) {
    const label = `[another tenant ${digestOf.get(o.id)!.slice(0, 12)}]`;
    for (const name of [o.id, o.account, ...o.names]) {
      // A value this tenant also has (a shared account, a name containing another's) is its own evidence.
      if (name && !mine.has(name) && ![...mine].some((m) => m.includes(name))) replacements.set(name, label);
    }
  }
  const tenant = redact(t, replacements);
  const templates: TemplateIntegrity[] = fleet.templates.filter((x) => x.tenant === t.id);
  const inputs = options.inputs.map(shellQuote);
  const tenantsDirArg = fleet.tenantsDir ? ` --tenants-dir ${shellQuote(fleet.tenantsDir)}` : '';
  const self = tenantDigest(options.secret, t.id, t.account);
  const pack: EvidencePack = {
    ...fleet,
    inputs: options.inputs,
    fleet: {
      tenants: 1,
      passed: t.verdict === 'pass' ? 1 : 0,
      failed: t.verdict === 'fail' ? 1 : 0,
      missing: t.presence === 'missing' ? 1 : 0,
      verdict: t.verdict === 'pass' ? 'pass' : 'fail',
    },
    tenants: [tenant],
    templates,
    inputErrors: [],
    rerun: {
      verify: `npx exclusive-desk verify ${inputs.join(' ')} --format json`,
      report: `npx exclusive-desk report ${inputs.join(' ')} --output <dir>${tenantsDirArg} --today ${fleet.today} --tenant ${shellQuote(t.id)}`,
      checksums: `sha256sum ${templates.map((x) => shellQuote(x.file)).join(' ')}`,
      licences: `npx exclusive-desk licences${tenantsDirArg} --today ${fleet.today}`,
    },
    limits: [
      ...fleet.limits,
      `This pack covers tenant ${t.id} only. The other ${others.length} tenant(s) of the fleet appear only as keyed digests (HMAC-SHA-256 under the vendor's fleet secret); the fleet rules (${FLEET_RULES.join(', ')}) compared ${t.id} with all of them. Re-running \`verify\` on this tenant's templates alone cannot repeat that comparison: it needs the fleet's inputs.`,
    ],
    assemblyProblems: redact(fleet.assemblyProblems, replacements),
    scope: {
      tenant: t.id,
      comparison: comparisonOf(
        tenant,
        fleet.tenants.filter((x) => x.id !== t.id && x.presence === 'verified').length,
        fleet.tenants.filter((x) => x.id !== t.id && x.presence !== 'verified').length,
        self,
        [...digestOf.values()].sort(),
      ),
    },
  };
  return pack;
}
