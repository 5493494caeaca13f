/**
 * Which data stores a tenant's IAM policies grant and its workloads are pointed at, and whether the tenant's own
 * templates define each of them. Shared by the shared-bucket (ISO-DATA-7) and pooled-store (ISO-DATA-8) rules.
 *
 * ARN shapes (Service Authorization Reference, "Actions, resources, and condition keys for ..."):
 * - Amazon S3: `arn:${Partition}:s3:::${BucketName}` and `arn:${Partition}:s3:::${BucketName}/${ObjectName}`
 *   (no region, no account: a bucket name is global).
 * - Amazon DynamoDB: `arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}` and
 *   `.../table/${TableName}/index/${IndexName}`, `/stream/...`, `/backup/...`, `/export/...`.
 * - DynamoDB Accelerator: `arn:${Partition}:dax:${Region}:${Account}:cache/${ClusterName}`.
 * - Amazon RDS: `...:rds:${Region}:${Account}:cluster:${DbClusterInstanceName}` and `...:db:${DbInstanceName}`
 *   (the RDS Data API, `rds-data:*`, is granted on the cluster ARN);
 *   RDS IAM authentication: `arn:${Partition}:rds-db:${Region}:${Account}:dbuser:${DbiResourceId}/${DbUserName}`.
 * - Amazon OpenSearch Service: `arn:${Partition}:es:${Region}:${Account}:domain/${DomainName}`.
 * - Amazon ElastiCache: `...:elasticache:${Region}:${Account}:replicationgroup:${ReplicationGroupId}`,
 *   `...:cluster:${CacheClusterId}`, `...:serverlesscache:${ServerlessCacheName}`.
 * - `dynamodb:LeadingKeys` ("Using IAM policy conditions for fine-grained access control", Amazon DynamoDB
 *   Developer Guide) limits a grant to the items whose partition key matches: row-level pooling of one table.
 *
 * This module does no I/O and imports no construct classes.
 */
import { describe, litString, piecesOf, type Piece, type ResourceRef, type StackModel, type TenantModel, type Val } from './model';
import { accountOwnership } from './facts';
import type { Reporter } from './rule';

/** The kinds of data store the rules follow, by the service prefix of their ARNs. */
export type StoreService = 's3' | 'dynamodb' | 'dax' | 'rds' | 'rds-db' | 'es' | 'elasticache';

interface StoreSpec {
  readonly kind: string;
  /** Resource types that define such a store, with the property that names it. */
  readonly types: readonly (readonly [type: string, nameProp: string])[];
  /** Extracts the store name from the resource part of an ARN (after `account:`). */
  readonly name: (resourcePart: string) => string | undefined;
  /** IAM action prefixes that act on the store. */
  readonly actions: readonly string[];
}

const afterPrefix = (re: RegExp) => (s: string): string | undefined => re.exec(s)?.[1];

export const STORES: Readonly<Record<StoreService, StoreSpec>> = {
  s3: { kind: 'bucket', types: [['AWS::S3::Bucket', 'BucketName']], name: (s) => s.split('/')[0], actions: ['s3'] },
  dynamodb: {
    kind: 'table',
    types: [['AWS::DynamoDB::Table', 'TableName'], ['AWS::DynamoDB::GlobalTable', 'TableName']],
    name: afterPrefix(/^table\/([^/]+)/),
    actions: ['dynamodb'],
  },
  dax: { kind: 'DAX cluster', types: [['AWS::DAX::Cluster', 'ClusterName']], name: afterPrefix(/^cache\/([^/]+)/), actions: ['dax'] },
  rds: {
    kind: 'database',
    types: [['AWS::RDS::DBCluster', 'DBClusterIdentifier'], ['AWS::RDS::DBInstance', 'DBInstanceIdentifier']],
    name: afterPrefix(/^(?:cluster|db):([^:/]+)/),
    actions: ['rds-data', 'rds'],
  },
  'rds-db': {
    kind: 'database',
    // A DbiResourceId is generated: only a GetAtt of the tenant's own database can name it.
    types: [['AWS::RDS::DBCluster', '-'], ['AWS::RDS::DBInstance', '-']],
    name: afterPrefix(/^dbuser:([^/]+)/),
    actions: ['rds-db'],
  },
  es: {
    kind: 'search domain',
    types: [['AWS::OpenSearchService::Domain', 'DomainName'], ['AWS::Elasticsearch::Domain', 'DomainName']],
    name: afterPrefix(/^domain\/([^/]+)/),
    actions: ['es'],
  },
  elasticache: {
    kind: 'cache',
    types: [
      ['AWS::ElastiCache::ReplicationGroup', 'ReplicationGroupId'],
      ['AWS::ElastiCache::CacheCluster', 'ClusterName'],
      ['AWS::ElastiCache::ServerlessCache', 'ServerlessCacheName'],
    ],
    name: afterPrefix(/^(?:replicationgroup|cluster|serverlesscache):([^:/]+)/),
    actions: ['elasticache'],
  },
};

const SERVICES = Object.keys(STORES) as StoreService[];

/** One data store that a policy grants or a workload is pointed at, and whether the tenant defines it. */
export interface StoreAccess {
  readonly service: StoreService;
  /** `own`: a store the tenant's templates define; `foreign`: one they do not; `unknown`: the value cannot be followed. */
  readonly verdict: 'own' | 'foreign' | 'unknown';
  readonly resource: ResourceRef;
  readonly path: string;
  /** The value as the template states it. */
  readonly value: string;
  /** Why, for messages: `the tenant's table OrdersTable`, `parameter SharedBucket (String)`. */
  readonly reason: string;
  /** Where it was found. */
  readonly via: 'policy' | 'environment';
  /** The grant is limited by `dynamodb:LeadingKeys` to some partition keys (row-level pooling when the table is shared). */
  readonly leadingKeys?: boolean;
}

const PLACEHOLDER = '\u0001';

/** A store value's text with each symbolic piece replaced by a placeholder, and the pieces in order. */
function textOf(v: Val): { text: string; syms: Exclude<Piece, string>[] } | undefined {
  const pieces = piecesOf(v);
  if (!pieces) return undefined;
  const syms: Exclude<Piece, string>[] = [];
  let text = '';
  for (const p of pieces) {
    if (typeof p === 'string') text += p;
    else {
      text += PLACEHOLDER;
      syms.push(p);
    }
  }
  return { text, syms };
}

/**
 * Names the tenant gives its stores of one service, rendered as the template writes them (`${AWS::Region}`,
 * `${parameter AppName (String)}`). A name built from a parameter is only the same name within the same stack, so it
 * is kept as `<stack>|<name>`.
 */
function ownNames(tenant: TenantModel, service: StoreService): Set<string> {
  return tenant.cached(`ownStoreNames:${service}`, () => {
    const names = new Set<string>();
    for (const [type, prop] of STORES[service].types) {
      for (const r of tenant.ofType(type)) {
        if (prop === '-') continue;
        for (const v of r.stack.resolve(r.props[prop])) {
          const t = textOf(v);
          if (!t || t.text === '') continue;
          if (t.syms.every((s) => s.k === 'pseudo')) names.add(render(v));
          else if (t.syms.every((s) => s.k === 'pseudo' || (s.k === 'ext' && s.kind === 'param'))) names.add(`${r.stack.name}|${render(v)}`);
        }
      }
    }
    return names;
  });
}

/**
 * Buckets AWS owns and SSM Agent reads its documents, packages and patch baselines from ("SSM Agent communications
 * with AWS managed S3 buckets", AWS Systems Manager User Guide): public, holding no tenant data, shared by design.
 */
const AWS_MANAGED_BUCKET = /^(aws-ssm|aws-windows-downloads|amazon-ssm|amazon-ssm-packages|patch-baseline-snapshot|aws-ssm-distributor-file|aws-ssm-document-attachments|aws-patchmanager-macos)-(\$\{AWS::Region\}|[a-z]{2}(-gov)?-[a-z]+-\d)$|^(\$\{AWS::Region\}|[a-z]{2}(-gov)?-[a-z]+-\d)-birdwatcher-prod$/;

/** A value rendered for comparison of names: literal text, `${AWS::Region}` for pseudo parameters. */
function render(v: Val): string {
  const pieces = piecesOf(v) ?? [];
  return pieces.map((p) => (typeof p === 'string' ? p : `\${${describe(p)}}`)).join('');
}

function storeTypes(service: StoreService): string[] {
  return STORES[service].types.map(([t]) => t);
}

/** Judges a store name made of literal text and symbolic pieces (each placeholder in `name` is the next of `syms`). */
function judgeName(
  stack: StackModel,
  service: StoreService,
  name: string,
  syms: readonly Exclude<Piece, string>[],
): { verdict: StoreAccess['verdict']; reason: string } | 'skip' {
  const kind = STORES[service].kind;
  if (name === '*') return 'skip';
  const own = syms.find((s) => s.k === 'res' && storeTypes(service).includes(s.r.type));
  if (own && own.k === 'res') return { verdict: 'own', reason: `the tenant's ${kind} ${own.r.id}` };
  let i = 0;
  const rendered = name.replace(/\u0001/g, () => {
    const s = syms[i++];
    return s ? `\${${describe(s)}}` : '';
  });
  if (service === 's3' && AWS_MANAGED_BUCKET.test(rendered)) return 'skip';
  const names = ownNames(stack.tenant, service);
  if (names.has(rendered) || names.has(`${stack.name}|${rendered}`)) return { verdict: 'own', reason: `the tenant's ${kind} named ${rendered}` };
  const ext = syms.find((s) => s.k === 'ext');
  if (ext && ext.k === 'ext') {
    return ext.kind === 'import'
      ? { verdict: 'foreign', reason: `${ext.what}: a ${kind} no stack of the tenant defines` }
      : { verdict: 'unknown', reason: `a ${kind} named by ${ext.what}` };
  }
  const other = syms.find((s) => s.k === 'res');
  if (other && other.k === 'res') {
    return { verdict: 'unknown', reason: `a ${kind} named after ${other.r.id} (a ${other.r.type}, not a ${kind} the tenant defines)` };
  }
  if (/[*?]/.test(name)) return { verdict: 'unknown', reason: `every ${kind} matching the pattern ${rendered}, which may include stores outside the tenant` };
  return { verdict: 'foreign', reason: `${kind} ${rendered}, which the tenant's templates do not define` };
}

/** The symbolic pieces that fall inside `text.slice(from, to)`, in order. */
function symsIn(text: string, syms: readonly Exclude<Piece, string>[], from: number, to: number): Exclude<Piece, string>[] {
  const out: Exclude<Piece, string>[] = [];
  let n = 0;
  for (let i = 0; i < text.length && i < to; i++) {
    if (text[i] !== PLACEHOLDER) continue;
    if (i >= from) out.push(syms[n]!);
    n++;
  }
  return out;
}

const ARN_HEAD = /^arn:(?:[a-z-]+|\u0001):([a-z0-9-]+):([^:]*):([^:]*):/;

/**
 * Classifies one value that names a store: an ARN (or an S3 URI / bare bucket name when `bareService` says what a
 * bare name is), a Ref/GetAtt of a resource, or a value the verifier cannot follow. Undefined when the value names no
 * store this module follows.
 */
export function classifyStoreValue(
  stack: StackModel,
  v: Val,
  services: readonly StoreService[],
  bareService?: StoreService,
): { service: StoreService; verdict: StoreAccess['verdict']; reason: string } | undefined {
  const tenant = stack.tenant;
  if (v.k === 'absent' || v.k === 'pseudo') return undefined;
  if (v.k === 'res') {
    const service = services.find((s) => storeTypes(s).includes(v.r.type));
    if (service) return { service, verdict: 'own', reason: `the tenant's ${STORES[service].kind} ${v.r.id}` };
    if (bareService) return { service: bareService, verdict: 'unknown', reason: `${describe(v)} (a ${v.r.type}, not a ${STORES[bareService].kind} the tenant defines)` };
    return undefined;
  }
  if (v.k === 'ext') {
    if (!bareService) return undefined;
    return v.kind === 'import'
      ? { service: bareService, verdict: 'foreign', reason: `${v.what}: a ${STORES[bareService].kind} no stack of the tenant defines` }
      : { service: bareService, verdict: 'unknown', reason: `a ${STORES[bareService].kind} named by ${v.what}` };
  }
  const t = textOf(v);
  if (!t || t.text.trim() === '') return undefined;
  const { text, syms } = t;
  // `${SharedBucketArn}/tenant-a/*`, `${Table.Arn}/index/*`: the leading piece decides which store it is.
  if (text.startsWith(PLACEHOLDER)) return classifyStoreValue(stack, syms[0]!, services, bareService);
  const head = ARN_HEAD.exec(text);
  if (head) {
    const service = head[1] as StoreService;
    if (!services.includes(service)) return undefined;
    const accountField = head[3]!;
    const rest = text.slice(head[0].length);
    const name = STORES[service].name(rest);
    if (name === undefined) return undefined;
    const from = head[0].length + rest.indexOf(name);
    const judged = judgeName(stack, service, name, symsIn(text, syms, from, from + name.length));
    if (judged === 'skip') return undefined;
    if (judged.verdict === 'own' && /^\d{12}$/.test(accountField) && accountOwnership(tenant, accountField) !== 'self') {
      return { service, verdict: accountOwnership(tenant, accountField) === 'other' ? 'foreign' : 'unknown', reason: `${judged.reason.replace(/^the tenant's /, 'a ')} in account ${accountField}` };
    }
    return { service, ...judged };
  }
  if (!bareService) return undefined;
  // S3 URIs and bare names.
  const uri = /^s3a?:\/\/([^/]*)/.exec(text);
  const name = uri ? uri[1]! : bareService === 's3' ? text.split('/')[0]! : text;
  if (name === '') return undefined;
  const judged = judgeName(stack, bareService, name, symsIn(text, syms, uri ? uri[0].length - name.length : 0, (uri ? uri[0].length - name.length : 0) + name.length));
  return judged === 'skip' ? undefined : { service: bareService, ...judged };
}

/** The symbolic piece a value starts with (the whole value when it is one), if any. */
function leadingSym(v: Val): Exclude<Piece, string> | undefined {
  if (v.k === 'res' || v.k === 'ext' || v.k === 'pseudo') return v;
  if (v.k === 'str' && typeof v.parts[0] !== 'string') return v.parts[0];
  return undefined;
}

/** One statement of an identity policy, with where it sits. */
interface PolicyStatement {
  readonly resource: ResourceRef;
  readonly path: string;
  readonly node: Record<string, unknown>;
}

/** Identity-based policy documents of the tenant: IAM policies, managed policies and inline policies of roles, users and groups. */
function policyStatements(tenant: TenantModel): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  const add = (r: ResourceRef, doc: unknown, prefix: string): void => {
    for (const d of r.stack.alternatives(doc)) {
      if (!d || typeof d !== 'object' || Array.isArray(d)) continue;
      const statements = (d as Record<string, unknown>).Statement;
      const list = r.stack.alternatives(statements);
      list.forEach((alt) => {
        if (Array.isArray(alt)) {
          alt.forEach((s, i) => {
            for (const st of r.stack.alternatives(s)) {
              if (st && typeof st === 'object' && !Array.isArray(st)) out.push({ resource: r, path: `${prefix}.Statement[${i}]`, node: st as Record<string, unknown> });
            }
          });
        } else if (alt && typeof alt === 'object') out.push({ resource: r, path: `${prefix}.Statement`, node: alt as Record<string, unknown> });
      });
    }
  };
  for (const r of tenant.ofType('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy', 'AWS::IAM::UserPolicy', 'AWS::IAM::GroupPolicy')) {
    add(r, r.props.PolicyDocument, 'Properties.PolicyDocument');
  }
  for (const r of tenant.ofType('AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group')) {
    r.stack.elements(r.props.Policies).forEach((p, i) => {
      if (p && typeof p === 'object' && !Array.isArray(p)) add(r, (p as Record<string, unknown>).PolicyDocument, `Properties.Policies[${i}].PolicyDocument`);
    });
  }
  return out;
}

/** The store services a statement's actions reach (`*`, `NotAction` and unresolved actions reach every one). */
function actionServices(stack: StackModel, st: Record<string, unknown>): StoreService[] {
  if (st.NotAction !== undefined) return SERVICES;
  const out = new Set<StoreService>();
  for (const v of stack.flatValues(st.Action)) {
    const a = litString(v);
    if (a === undefined) {
      if (v.k !== 'absent') return SERVICES;
      continue;
    }
    const prefix = a.split(':')[0]!.toLowerCase();
    if (prefix === '*') return SERVICES;
    for (const s of SERVICES) if (STORES[s].actions.includes(prefix)) out.add(s);
  }
  // A grant on the RDS Data API or rds-db names the cluster or database, both judged as the `rds`/`rds-db` store.
  return [...out];
}

/** Does the statement limit its grant with `dynamodb:LeadingKeys` (any operator)? */
function hasLeadingKeys(st: Record<string, unknown>): boolean {
  const cond = st.Condition;
  if (!cond || typeof cond !== 'object') return false;
  for (const op in cond as Record<string, unknown>) {
    const block = (cond as Record<string, unknown>)[op];
    if (block && typeof block === 'object' && Object.keys(block).some((k) => k.toLowerCase() === 'dynamodb:leadingkeys')) return true;
  }
  return false;
}

/** Every store an identity policy of the tenant grants (Allow statements; `Resource: "*"` names no store). */
function policyAccesses(tenant: TenantModel): StoreAccess[] {
  const out: StoreAccess[] = [];
  for (const { resource: r, path, node: st } of policyStatements(tenant)) {
    const s = r.stack;
    const effects = s.resolve(st.Effect).map(litString);
    if (effects.every((e) => e === 'Deny')) continue;
    const services = actionServices(s, st);
    if (services.length === 0) continue;
    const leadingKeys = hasLeadingKeys(st) || undefined;
    const raw = st.Resource;
    const entries: [unknown, string][] = Array.isArray(raw) ? raw.map((n, i) => [n, `${path}.Resource[${i}]`]) : [[raw, `${path}.Resource`]];
    for (const [node, where] of entries) {
      for (const v of s.flatValues(node)) {
        const lead = leadingSym(v);
        const bare = lead && services.length === 1 ? services[0] : undefined;
        const c = classifyStoreValue(s, v, services, bare);
        if (c) {
          out.push({ ...c, resource: r, path: where, value: describe(v), via: 'policy', leadingKeys: c.service === 'dynamodb' ? leadingKeys : undefined });
          continue;
        }
        // A whole resource from a parameter or import in a statement reaching several store services.
        if (lead?.k === 'ext') {
          for (const service of services) {
            const verdict = lead.kind === 'import' ? 'foreign' : 'unknown';
            out.push({ service, verdict, resource: r, path: where, value: describe(v), via: 'policy', reason: `${lead.what}, granted ${service} actions` });
          }
        }
      }
    }
  }
  return out;
}

/** Environment variable names that carry a bucket or a table. */
const BUCKET_VAR = /bucket(_?(name|arn|uri|url|id))?$/i;
const TABLE_VAR = /table(_?(name|arn))?$/i;
const STORE_VALUE = /^(arn:|s3a?:\/\/)/;

function environmentAccess(r: ResourceRef, name: string, node: unknown, path: string, out: StoreAccess[]): void {
  const bare: StoreService | undefined = BUCKET_VAR.test(name) ? 's3' : TABLE_VAR.test(name) ? 'dynamodb' : undefined;
  for (const v of r.stack.resolve(node)) {
    if (v.k === 'lit' && typeof v.v !== 'string') continue; // flags and sizes, not names
    const t = textOf(v);
    if (!bare && !(t && STORE_VALUE.test(t.text))) continue;
    const service: StoreService | undefined = bare ?? (t && /^s3a?:\/\//.test(t.text) ? 's3' : undefined);
    const c = classifyStoreValue(r.stack, v, SERVICES, service);
    if (c) out.push({ ...c, resource: r, path, value: describe(v), via: 'environment' });
  }
}

/** Every bucket or table an ECS task definition or a Lambda function is pointed at by its environment. */
function environmentAccesses(tenant: TenantModel): StoreAccess[] {
  const out: StoreAccess[] = [];
  for (const r of tenant.ofType('AWS::Lambda::Function', 'AWS::Serverless::Function')) {
    for (const vars of r.stack.nodesAt(r.props, ['Environment', 'Variables'])) {
      if (!vars || typeof vars !== 'object' || Array.isArray(vars)) continue;
      for (const name in vars as Record<string, unknown>) {
        environmentAccess(r, name, (vars as Record<string, unknown>)[name], `Properties.Environment.Variables.${name}`, out);
      }
    }
  }
  for (const r of tenant.ofType('AWS::ECS::TaskDefinition')) {
    const s = r.stack;
    s.elements(r.props.ContainerDefinitions).forEach((cd, i) => {
      const c = (cd ?? {}) as Record<string, unknown>;
      for (const env of s.elements(c.Environment)) {
        const e = (env ?? {}) as Record<string, unknown>;
        const name = s.resolve(e.Name).map(litString)[0];
        if (name) environmentAccess(r, name, e.Value, `Properties.ContainerDefinitions[${i}].Environment.${name}`, out);
      }
      // Secrets come from SSM Parameter Store or Secrets Manager at run time: a bucket or table named there cannot be followed.
      for (const secret of s.elements(c.Secrets)) {
        const e = (secret ?? {}) as Record<string, unknown>;
        const name = s.resolve(e.Name).map(litString)[0];
        if (!name) continue;
        const service: StoreService | undefined = BUCKET_VAR.test(name) ? 's3' : TABLE_VAR.test(name) ? 'dynamodb' : undefined;
        if (!service) continue;
        const from = s.resolve(e.ValueFrom).map(describe).join(' | ');
        out.push({
          service, verdict: 'unknown', resource: r, path: `Properties.ContainerDefinitions[${i}].Secrets.${name}`, value: from, via: 'environment',
          reason: `a ${STORES[service].kind} named at run time by the secret or SSM parameter ${from}`,
        });
      }
    });
  }
  return out;
}

/** Every store the tenant's policies grant and its workloads are pointed at (computed once per tenant). */
export function storeAccesses(tenant: TenantModel): readonly StoreAccess[] {
  return tenant.cached('storeAccesses', () => [...policyAccesses(tenant), ...environmentAccesses(tenant)]);
}

/** Reports each access of one store service: own passes, foreign fails, unknown cannot be verified. */
export function reportAccesses(accesses: readonly StoreAccess[], report: Reporter, describeAccess: (a: StoreAccess) => string): void {
  for (const a of accesses) {
    const base = { stack: a.resource.stack.name, resource: a.resource.id, path: a.path, value: a.value };
    const message = describeAccess(a);
    if (a.verdict === 'own') report.pass({ ...base, message });
    else if (a.verdict === 'foreign') report.fail({ ...base, message });
    else report.unverifiable({ ...base, message });
  }
}

