/**
 * The tenant manifest: one YAML file per exclusive tenant in `tenants/`.
 *
 * The schema is the single source of truth for what a manifest may say. Validation that needs more than one
 * file (unique ids and accounts) or the clock (expired licences) lives in `load.ts`.
 */
import { z } from 'zod';

export const ISOLATION_LEVELS = ['account', 'hardware', 'hsm'] as const;
export type PromisedLevel = (typeof ISOLATION_LEVELS)[number];

/** The deploys of the `hsm` level, in order (docs/hsm.md). */
export const HSM_PHASES = ['cluster', 'complete'] as const;
export type HsmPhase = (typeof HSM_PHASES)[number];

export const REGIMES = ['hipaa', 'pci-dss', 'sox', 'fedramp-moderate', 'fedramp-high', 'itar'] as const;
export type Regime = (typeof REGIMES)[number];

/** Regimes whose data may only live in the AWS GovCloud (US) partition. */
export const GOVCLOUD_ONLY_REGIMES: readonly Regime[] = ['itar', 'fedramp-high'];
export const GOVCLOUD_REGIONS = ['us-gov-west-1', 'us-gov-east-1'] as const;

/** Every region a tenant may name. The partition follows from the region (see `partitionOf`). */
export const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-south-1',
  'me-central-1',
  'sa-east-1',
  'us-gov-west-1',
  'us-gov-east-1',
] as const;
export type Region = (typeof REGIONS)[number];

export function partitionOf(region: string): 'aws' | 'aws-us-gov' | 'aws-cn' {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

export const TENANT_ID_PATTERN = /^[a-z][a-z0-9-]{2,31}$/;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** IPv4 CIDR between /16 and /24 with no host bits set. */
export function cidrProblem(cidr: string, minPrefix = 16, maxPrefix = 24): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return `must be an IPv4 CIDR such as 10.20.0.0/16, got "${cidr}"`;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255)) return `has an octet above 255: "${cidr}"`;
  if (prefix < minPrefix || prefix > maxPrefix)
    return `must have a prefix between /${minPrefix} and /${maxPrefix} (the VPC limits), got /${prefix}`;
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 32 - prefix;
  if (ip % 2 ** hostBits !== 0) return `has host bits set: "${cidr}" is not a network address`;
  return undefined;
}

const cidr = z.string().superRefine((v, ctx) => {
  const problem = cidrProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The kinds of path into a tenant (docs/access.md). */
export const ACCESS_KINDS = ['delivery', 'customer', 'break-glass'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/**
 * Who a declared access path admits: an account id, a role ARN (its name may end in `*`, e.g. the CDK bootstrap
 * roles `cdk-hnb659fds-*`), or an identity provider ARN (SAML or OIDC).
 */
export const ACCESS_PRINCIPAL_PATTERN =
  /^(\d{12}|arn:aws(-us-gov|-cn)?:iam::\d{12}:(role\/[\w+=,.@\-/]*\*?|saml-provider\/[\w.-]+|oidc-provider\/[\w./-]+))$/;

const accessPath = z
  .object({
    kind: z.enum(ACCESS_KINDS, { message: `must be one of: ${ACCESS_KINDS.join(', ')}` }),
    principal: z
      .string()
      .regex(
        ACCESS_PRINCIPAL_PATTERN,
        'must be a 12-digit account id in quotes, a role ARN (arn:aws:iam::<account>:role/<name>, a trailing * allowed), or an identity provider ARN (saml-provider/... or oidc-provider/...)',
      ),
    justification: z.string().trim().min(1, 'must say why this path into the tenant exists (it is empty)'),
    approvedBy: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "must be the approver's e-mail address"),
    expires: z.string({ message: 'must be a date YYYY-MM-DD' }).refine(isRealDate, 'must be a real calendar date YYYY-MM-DD'),
    constraints: z
      .object({
        /** The caller must have signed in with MFA (aws:MultiFactorAuthPresent). */
        mfa: z.boolean().optional(),
        /** The caller must pass this external id (sts:ExternalId): for third parties assuming a role. */
        externalId: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of letters, digits and +=,.@:/-').optional(),
        /** The call must come through one of these VPC endpoints' VPCs (aws:SourceVpc). */
        sourceVpcs: z.array(z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be VPC ids such as vpc-0abc12345def67890')).min(1).optional(),
        /** The call must come from these address ranges (aws:SourceIp). */
        sourceIps: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be IPv4 CIDR ranges such as 203.0.113.0/24')).min(1).optional(),
        /** Longest session the path's role allows, in hours (IAM allows 1-12). */
        maxSessionHours: z.number().int().min(1, 'must be at least 1 hour').max(12, 'must be at most 12 hours (the IAM maximum)').optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export const manifestSchema = z
  .object({
    id: z
      .string()
      .regex(
        TENANT_ID_PATTERN,
        'must be 3-32 characters of lower-case letters, digits and hyphens, starting with a letter (^[a-z][a-z0-9-]{2,31}$)',
      ),
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id in quotes, e.g. "111111111111"'),
    region: z.enum(REGIONS, { message: `must be an AWS region, one of: ${REGIONS.join(', ')}` }),
    isolation: z.enum(ISOLATION_LEVELS, { message: `must be one of: ${ISOLATION_LEVELS.join(', ')}` }),
    compliance: z
      .array(z.enum(REGIMES, { message: `must be one of: ${REGIMES.join(', ')}` }))
      .refine((a) => new Set(a).size === a.length, 'must not list a regime twice')
      .default([]),
    licence: z
      .object({
        justification: z
          .string()
          .trim()
          .min(1, 'must say why this customer needs an exclusive deployment (it is empty)'),
        approvedBy: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be the approver\'s e-mail address'),
        reviewBy: z
          .string({ message: 'must be a date YYYY-MM-DD' })
          .refine(isRealDate, 'must be a real calendar date YYYY-MM-DD'),
        ticket: z.string().min(1).optional(),
      })
      .strict(),
    network: z
      .object({
        cidr,
        /** CIDR of the second, default-tenancy VPC that hosts OpenSearch for `hardware` and `hsm` tenants. */
        searchCidr: cidr.optional(),
        /**
         * Availability zones (required, at least 3). Zone names differ per account and some regions have no `c`
         * zone (ca-central-1: a, b, d; ap-northeast-1: a, c, d), so there is no default; never looked up (ADR 0002).
         */
        availabilityZones: z
          .array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'must be zone names such as eu-west-1a'))
          .min(3, 'must name at least 3 zones (Multi-AZ database and zone-aware search)')
          .refine((a) => new Set(a).size === a.length, 'must not name a zone twice')
          .optional(),
      })
      .strict(),
    workload: z
      .object({
        ticketsPerDay: z
          .number({ message: 'must be a number' })
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(5_000_000, 'must be at most 5000000'),
        /** Peak agents working at once; default: one per 40 tickets a day, at least 5 (docs/sizing.md). */
        concurrentAgents: z
          .number({ message: 'must be a number' })
          .refine(Number.isInteger, 'must be a whole number')
          .min(1, 'must be at least 1')
          .max(100_000, 'must be at most 100000')
          .optional(),
        /** Years tickets are kept; default 7. Sizes the storage ceiling and the search index. */
        retentionYears: z
          .number({ message: 'must be a number' })
          .refine(Number.isInteger, 'must be a whole number of years')
          .min(1, 'must be at least 1 year')
          .max(30, 'must be at most 30 years')
          .optional(),
        /** Attachment volume (GiB) held at the end of the retention period; default 0. */
        attachmentsGb: z
          .number({ message: 'must be a number' })
          .refine(Number.isInteger, 'must be a whole number of GiB')
          .min(0, 'must be 0 or more')
          .max(65_536, 'must be at most 65536 (the RDS storage maximum, GiB)')
          .optional(),
      })
      .strict(),
    database: z
      .object({
        /** Overrides the class derived from the workload. */
        instanceClass: z
          .string()
          .regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, 'must be an RDS instance class such as db.r6i.xlarge')
          .optional(),
        backupRetentionDays: z.number().int().min(7, 'must be at least 7 days').max(35, 'must be at most 35 days').optional(),
        postgresMajorVersion: z
          .number()
          .int()
          .min(16, 'must be 16 or later')
          .max(17, 'must be a version this tool knows: 16 or 17')
          .optional(),
      })
      .strict()
      .optional(),
    search: z
      .object({
        dataNodes: z.number().int().min(3, 'must be at least 3 (zone awareness)').max(80).optional(),
        instanceType: z
          .string()
          .regex(/^[a-z0-9]+\.[a-z0-9]+\.search$/, 'must be an OpenSearch instance type such as r6g.large.search')
          .optional(),
      })
      .strict()
      .optional(),
    hsm: z
      .object({
        /** CloudHSM instance type; default hsm2m.medium. */
        hsmType: z.enum(['hsm1.medium', 'hsm2m.medium']).optional(),
        /**
         * Which deploy of the `hsm` level this is (docs/hsm.md, ADR 0014): `cluster` (network, cluster and first
         * HSM; then the operator's ceremony) or `complete` (key store, HSM keys and the data stores). Required at
         * isolation hsm (checked in load.ts).
         */
        phase: z.enum(HSM_PHASES, { message: `must be one of: ${HSM_PHASES.join(', ')}` }).optional(),
      })
      .strict()
      .optional(),
    verification: z
      .object({
        /** EventBridge schedule expression of the live drift check. */
        schedule: z
          .string()
          .regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/, 'must be rate(...) or cron(...)')
          .optional(),
      })
      .strict()
      .optional(),
    delivery: z
      .object({
        /** Pin the tenant to its current release: the fleet pipeline skips it. */
        holdBack: z.boolean().optional(),
        /** Wave number (0 first); default: assigned by the pipeline. */
        wave: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    /** Every path into the tenant, justified and approved (docs/access.md). */
    access: z.array(accessPath).default([]),
    tags: z.record(z.string().regex(/^[\w.:/=+\-@ ]{1,128}$/), z.string().max(256)).optional(),
  })
  .strict();

export type TenantManifestInput = z.input<typeof manifestSchema>;
export type TenantManifestData = z.output<typeof manifestSchema>;

/** A validated manifest with the facts derived from it. */
export interface TenantManifest extends TenantManifestData {
  /** The file the manifest was read from, relative to the working directory. */
  readonly file: string;
  readonly partition: 'aws' | 'aws-us-gov' | 'aws-cn';
  readonly availabilityZones: readonly string[];
}

/** Keys a manifest may have at each level, for did-you-mean hints on unknown keys. */
export function knownKeys(path: readonly (string | number)[]): string[] {
  let schema: z.ZodType = manifestSchema;
  for (const key of path) {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) {
      const next = (inner.shape as Record<string, z.ZodType>)[String(key)];
      if (!next) return [];
      schema = next;
    } else if (inner instanceof z.ZodArray && typeof key === 'number') {
      schema = inner.element as z.ZodType;
    } else return [];
  }
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (let i = 0; i < 5; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) {
      s = (s as unknown as { unwrap(): z.ZodType }).unwrap();
    } else break;
  }
  return s;
}
