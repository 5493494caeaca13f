/**
 * Facts derived from a tenant model that several rules share: account ownership of values, ARNs, which key
 * protects a data store, which VPC a resource lives in. Each fact is computed here once, never in a rule.
 */
import { describe, extOf, litString, onlyKey, piecesOf, type ResourceRef, type StackModel, type TenantExport, type TenantModel, type Val } from './model';

export type Ownership = 'self' | 'other' | 'unknown' | 'aws';

/** Whether an account value (a 12-digit literal, `${AWS::AccountId}`, `aws`) is the tenant's own. */
export function accountOwnership(tenant: TenantModel, v: Val | string): Ownership {
  if (typeof v !== 'string') {
    if (v.k === 'pseudo' && v.name === 'AWS::AccountId') return 'self';
    const s = litString(v);
    if (s === undefined) return 'unknown';
    v = s;
  }
  if (v === 'aws' || v === '') return 'aws';
  if (!/^\d{12}$/.test(v)) return 'unknown';
  if (!tenant.account) return 'unknown';
  return v === tenant.account ? 'self' : 'other';
}

export interface ArnParts {
  readonly service: string;
  readonly region: string;
  /** The account field: a literal, or `self` when it is `${AWS::AccountId}`, or undefined when unresolved. */
  readonly account: string | undefined;
  readonly resource: string;
}

/** Parses an ARN-shaped value whose pieces may be symbolic; undefined when it is not an ARN. */
export function parseArn(v: Val): ArnParts | undefined {
  const pieces = piecesOf(v);
  if (!pieces || typeof pieces[0] !== 'string' || !pieces[0].startsWith('arn:')) return undefined;
  // Split on ':' keeping symbolic pieces as single fields.
  const fields: (string | undefined)[] = [''];
  let symbolicField = false;
  for (const p of pieces) {
    if (typeof p === 'string') {
      const parts = p.split(':');
      parts.forEach((part, i) => {
        if (i > 0) {
          fields.push('');
          symbolicField = false;
        }
        const last = fields.length - 1;
        if (!symbolicField) fields[last] = `${fields[last] ?? ''}${part}`;
      });
    } else {
      const last = fields.length - 1;
      const isSelf = p.k === 'pseudo' && p.name === 'AWS::AccountId';
      fields[last] = fields[last] === '' && isSelf ? 'self' : undefined;
      symbolicField = true;
    }
  }
  if (fields.length < 6) return undefined;
  return {
    service: fields[2] ?? '',
    region: fields[3] ?? '',
    account: fields[4],
    resource: fields.slice(5).map((f) => f ?? '*').join(':'),
  };
}

/** The tenant resource a value points at: a Ref/GetAtt, or a string built around exactly one resource. */
export function targetResource(v: Val): ResourceRef | undefined {
  if (v.k === 'res') return v.r;
  if (v.k === 'str') {
    const refs = v.parts.filter((p) => typeof p !== 'string' && p.k === 'res');
    if (refs.length === 1) {
      const only = refs[0]!;
      if (typeof only !== 'string' && only.k === 'res') return only.r;
    }
  }
  return undefined;
}

export const KMS_KEY_TYPES = ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey'];

/** How a data store's key reference was classified. */
export type KeyClass =
  | { readonly kind: 'tenant-cmk'; readonly key: ResourceRef }
  | { readonly kind: 'tenant-hsm'; readonly key: ResourceRef }
  | { readonly kind: 'aws-managed'; readonly value: string }
  | { readonly kind: 'literal'; readonly value: string; readonly account?: string }
  | { readonly kind: 'unresolved'; readonly value: string }
  | { readonly kind: 'missing' };

/** Is this resource a custom resource that creates a KMS key in a CloudHSM-backed custom key store? */
export function isHsmKeyResource(r: ResourceRef): boolean {
  if (!isCustomResource(r)) return false;
  const origin = r.stack.resolve(r.props.Origin);
  return origin.length === 1 && litString(origin[0]!) === 'AWS_CLOUDHSM' && r.props.CustomKeyStoreId !== undefined;
}

export function isCustomResource(r: ResourceRef): boolean {
  return r.type.startsWith('Custom::') || r.type === 'AWS::CloudFormation::CustomResource';
}

/** Classifies one possible value of a KMS key property. */
export function classifyKey(stack: StackModel, v: Val, depth = 0): KeyClass {
  if (v.k === 'absent') return { kind: 'missing' };
  const target = targetResource(v);
  if (target) {
    if (KMS_KEY_TYPES.includes(target.type)) {
      if (target.type === 'AWS::KMS::ReplicaKey') {
        const primary = target.stack.resolve(target.props.PrimaryKeyArn);
        const p = primary.length === 1 ? targetResource(primary[0]!) : undefined;
        if (!p || p.type !== 'AWS::KMS::Key') return { kind: 'literal', value: describe(primary[0] ?? v) };
      }
      return { kind: 'tenant-cmk', key: target };
    }
    if (target.type === 'AWS::KMS::Alias' && depth < 5) {
      const targets = target.stack.resolve(target.props.TargetKeyId);
      if (targets.length === 1) return classifyKey(target.stack, targets[0]!, depth + 1);
      return { kind: 'unresolved', value: `alias ${target.id} with a conditional target` };
    }
    if (isHsmKeyResource(target)) return { kind: 'tenant-hsm', key: target };
    return { kind: 'unresolved', value: `${describe(v)} (a ${target.type}, not a KMS key the verifier recognises)` };
  }
  const ext = extOf(v);
  if (ext) return { kind: 'unresolved', value: ext.what };
  const s = litString(v);
  if (s !== undefined) {
    const aliasName = /^(arn:[^:]+:kms:[^:]*:[^:]*:)?(alias\/.+)$/.exec(s)?.[2];
    if (aliasName?.startsWith('alias/aws/')) return { kind: 'aws-managed', value: s };
    if (aliasName && depth < 5) {
      const alias = stack.tenant
        .ofType('AWS::KMS::Alias')
        .find((a) => a.stack.resolve(a.props.AliasName).some((n) => litString(n) === aliasName));
      if (alias) {
        const targets = alias.stack.resolve(alias.props.TargetKeyId);
        if (targets.length === 1) return classifyKey(alias.stack, targets[0]!, depth + 1);
      }
    }
    const account = /^arn:[^:]+:kms:[^:]*:(\d{12}):/.exec(s)?.[1];
    return { kind: 'literal', value: s, account };
  }
  const arn = parseArn(v);
  if (arn && arn.resource.startsWith('alias/aws/')) return { kind: 'aws-managed', value: describe(v) };
  if (arn && arn.service === 'kms' && arn.resource.startsWith('alias/') && arn.account === 'self' && depth < 5) {
    const alias = stack.tenant
      .ofType('AWS::KMS::Alias')
      .find((a) => a.stack.resolve(a.props.AliasName).some((n) => litString(n) === arn.resource));
    if (alias) {
      const targets = alias.stack.resolve(alias.props.TargetKeyId);
      if (targets.length === 1) return classifyKey(alias.stack, targets[0]!, depth + 1);
    }
  }
  return { kind: 'literal', value: describe(v), account: typeof arn?.account === 'string' ? arn.account : undefined };
}

/** A place where a data store names (or should name) its KMS key. */
export interface EncryptionSite {
  readonly resource: ResourceRef;
  /** The data class, for the one-key-per-class hygiene rule and the report. */
  readonly dataClass: 'database' | 'performance-insights' | 'secret' | 'search' | 'logs' | 'backup' | 'storage';
  /** The property path of the key, e.g. `Properties.KmsKeyId`. */
  readonly path: string;
  /** The encryption is switched off (e.g. StorageEncrypted false): a violation in itself. */
  readonly disabled?: string;
  /** Every possible key reference. */
  readonly keys: readonly KeyClass[];
  /** An S3 bucket that receives S3 server access logs or load balancer access logs (AWS requires SSE-S3 there). */
  readonly accessLogTarget?: boolean;
}

/** Buckets that other resources deliver access logs to. */
function accessLogBuckets(tenant: TenantModel): Set<ResourceRef> {
  const out = new Set<ResourceRef>();
  const add = (stack: StackModel, node: unknown): void => {
    for (const v of stack.resolve(node)) {
      const t = targetResource(v);
      if (t?.type === 'AWS::S3::Bucket') out.add(t);
    }
  };
  for (const r of tenant.resources()) {
    if (r.type === 'AWS::S3::Bucket') for (const n of r.stack.nodesAt(r.props, ['LoggingConfiguration', 'DestinationBucketName'])) add(r.stack, n);
    if (r.type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
      for (const attr of r.stack.elements(r.props.LoadBalancerAttributes)) {
        const a = (attr ?? {}) as Record<string, unknown>;
        if (r.stack.resolve(a.Key).some((k) => litString(k) === 'access_logs.s3.bucket')) add(r.stack, a.Value);
      }
    }
    if (r.type === 'AWS::ElasticLoadBalancing::LoadBalancer') for (const n of r.stack.nodesAt(r.props, ['AccessLoggingPolicy', 'S3BucketName'])) add(r.stack, n);
    if (r.type === 'AWS::CloudFront::Distribution') for (const n of r.stack.nodesAt(r.props, ['DistributionConfig', 'Logging', 'Bucket'])) add(r.stack, n);
  }
  return out;
}

interface SiteSpec {
  readonly type: string;
  readonly dataClass: EncryptionSite['dataClass'];
  readonly keyPath: readonly string[];
  /** When the site applies at all (e.g. only with Performance Insights on); default: always. */
  readonly applies?: (r: ResourceRef) => boolean;
  /** Why encryption is off, if it is. */
  readonly disabled?: (r: ResourceRef) => string | undefined;
}

function flag(r: ResourceRef, path: readonly string[]): 'true' | 'false' | 'unknown' | 'absent' {
  const vals = r.stack.valuesAt(r.props, path);
  const seen = new Set(
    vals.map((v) => {
      if (v.k === 'absent') return 'absent';
      if (v.k === 'lit') return String(v.v).toLowerCase() === 'true' ? 'true' : 'false';
      return 'unknown';
    }),
  );
  if (seen.size === 1) return [...seen][0] as 'true' | 'false' | 'unknown' | 'absent';
  return seen.has('false') || seen.has('absent') ? (seen.has('true') ? 'unknown' : 'false') : 'unknown';
}

const joinsCluster = (r: ResourceRef): boolean => r.props.DBClusterIdentifier !== undefined;

const SITES: readonly SiteSpec[] = [
  {
    type: 'AWS::RDS::DBInstance',
    dataClass: 'database',
    keyPath: ['KmsKeyId'],
    applies: (r) => !joinsCluster(r),
    disabled: (r) => {
      const f = flag(r, ['StorageEncrypted']);
      if (f === 'true') return undefined;
      if (r.props.KmsKeyId !== undefined && f === 'absent') return undefined; // KmsKeyId implies encryption
      return f === 'unknown' ? 'StorageEncrypted cannot be resolved' : 'StorageEncrypted is not true';
    },
  },
  {
    type: 'AWS::RDS::DBInstance',
    dataClass: 'performance-insights',
    keyPath: ['PerformanceInsightsKMSKeyId'],
    applies: (r) => !joinsCluster(r) && flag(r, ['EnablePerformanceInsights']) !== 'false' && flag(r, ['EnablePerformanceInsights']) !== 'absent',
  },
  {
    type: 'AWS::RDS::DBInstance',
    dataClass: 'secret',
    keyPath: ['MasterUserSecret', 'KmsKeyId'],
    applies: (r) => ['true', 'unknown'].includes(flag(r, ['ManageMasterUserPassword'])),
  },
  {
    type: 'AWS::RDS::DBCluster',
    dataClass: 'database',
    keyPath: ['KmsKeyId'],
    disabled: (r) => {
      const f = flag(r, ['StorageEncrypted']);
      if (f === 'true' || (r.props.KmsKeyId !== undefined && f === 'absent')) return undefined;
      return f === 'unknown' ? 'StorageEncrypted cannot be resolved' : 'StorageEncrypted is not true';
    },
  },
  {
    type: 'AWS::RDS::DBCluster',
    dataClass: 'performance-insights',
    keyPath: ['PerformanceInsightsKmsKeyId'],
    applies: (r) => ['true', 'unknown'].includes(flag(r, ['PerformanceInsightsEnabled'])),
  },
  {
    type: 'AWS::RDS::DBCluster',
    dataClass: 'secret',
    keyPath: ['MasterUserSecret', 'KmsKeyId'],
    applies: (r) => ['true', 'unknown'].includes(flag(r, ['ManageMasterUserPassword'])),
  },
  ...['AWS::OpenSearchService::Domain', 'AWS::Elasticsearch::Domain'].map(
    (type): SiteSpec => ({
      type,
      dataClass: 'search',
      keyPath: ['EncryptionAtRestOptions', 'KmsKeyId'],
      disabled: (r) => {
        const f = flag(r, ['EncryptionAtRestOptions', 'Enabled']);
        return f === 'true' ? undefined : f === 'unknown' ? 'EncryptionAtRestOptions.Enabled cannot be resolved' : 'EncryptionAtRestOptions.Enabled is not true';
      },
    }),
  ),
  { type: 'AWS::Logs::LogGroup', dataClass: 'logs', keyPath: ['KmsKeyId'] },
  { type: 'AWS::Backup::BackupVault', dataClass: 'backup', keyPath: ['EncryptionKeyArn'] },
  { type: 'AWS::SecretsManager::Secret', dataClass: 'secret', keyPath: ['KmsKeyId'] },
  {
    type: 'AWS::DynamoDB::Table',
    dataClass: 'storage',
    keyPath: ['SSESpecification', 'KMSMasterKeyId'],
    disabled: (r) => (flag(r, ['SSESpecification', 'SSEEnabled']) === 'true' ? undefined : 'SSESpecification.SSEEnabled is not true (an AWS-owned key)'),
  },
  {
    type: 'AWS::EFS::FileSystem',
    dataClass: 'storage',
    keyPath: ['KmsKeyId'],
    disabled: (r) => (flag(r, ['Encrypted']) === 'true' ? undefined : 'Encrypted is not true'),
  },
  {
    type: 'AWS::EC2::Volume',
    dataClass: 'storage',
    keyPath: ['KmsKeyId'],
    disabled: (r) => (flag(r, ['Encrypted']) === 'true' ? undefined : 'Encrypted is not true'),
  },
];

/** Every place in the tenant's templates where a store of tenant data names its key. */
export function encryptionSites(tenant: TenantModel): EncryptionSite[] {
  return tenant.cached('encryptionSites', () => {
    const out: EncryptionSite[] = [];
    for (const spec of SITES) {
      for (const r of tenant.ofType(spec.type)) {
        if (spec.applies && !spec.applies(r)) continue;
        const disabled = spec.disabled?.(r);
        const vals = r.stack.valuesAt(r.props, spec.keyPath);
        out.push({
          resource: r,
          dataClass: spec.dataClass,
          path: `Properties.${spec.keyPath.join('.')}`,
          disabled,
          keys: vals.map((v) => classifyKey(r.stack, v)),
        });
      }
    }
    const logTargets = accessLogBuckets(tenant);
    for (const r of tenant.ofType('AWS::S3::Bucket')) {
      const rules = r.stack.nodesAt(r.props, ['BucketEncryption', 'ServerSideEncryptionConfiguration']).flatMap((n) => r.stack.elements(n));
      const keys: KeyClass[] = [];
      let disabled: string | undefined = rules.length === 0 ? 'no BucketEncryption: objects use an S3-owned key (SSE-S3)' : undefined;
      for (const rule of rules) {
        const algs = r.stack.valuesAt(rule, ['ServerSideEncryptionByDefault', 'SSEAlgorithm']).map(litString);
        if (algs.some((a) => a === 'AES256')) disabled = 'SSEAlgorithm AES256 uses an S3-owned key';
        keys.push(...r.stack.valuesAt(rule, ['ServerSideEncryptionByDefault', 'KMSMasterKeyID']).map((v) => classifyKey(r.stack, v)));
      }
      out.push({
        resource: r,
        dataClass: 'storage',
        path: 'Properties.BucketEncryption.ServerSideEncryptionConfiguration[].ServerSideEncryptionByDefault.KMSMasterKeyID',
        disabled,
        keys: keys.length ? keys : [{ kind: 'missing' }],
        accessLogTarget: logTargets.has(r),
      });
    }
    return out;
  }, { retained: true });
}

/** Where a network-placed resource lives. */
export interface Placement {
  readonly vpcs: ResourceRef[];
  /** What could not be followed, or pointed outside the tenant. */
  readonly problems: { readonly path: string; readonly value: string; readonly outside: boolean }[];
  /** No placement at all (e.g. no DBSubnetGroupName: the account's default VPC). */
  readonly none?: string;
}

/** The VPC(s) of a list of subnet values. */
function vpcsOfSubnets(stack: StackModel, node: unknown, path: string, out: Placement): void {
  const lists = stack.listValues(node);
  for (const list of lists) {
    for (const v of list) {
      const subnet = targetResource(v);
      if (subnet && subnet.type === 'AWS::EC2::Subnet') {
        for (const vpcVal of subnet.stack.resolve(subnet.props.VpcId)) {
          const vpc = targetResource(vpcVal);
          if (vpc && vpc.type === 'AWS::EC2::VPC') {
            if (!out.vpcs.includes(vpc)) out.vpcs.push(vpc);
          } else out.problems.push({ path: `${subnet.id}.VpcId`, value: describe(vpcVal), outside: !extOf(vpcVal) });
        }
      } else out.problems.push({ path, value: describe(v), outside: !extOf(v) || extOf(v)?.kind === 'import' });
    }
  }
}

/** The VPC(s) holding a DB instance/cluster or a search domain, followed through subnet groups and subnets. */
export function placementOf(r: ResourceRef): Placement {
  const out: { vpcs: ResourceRef[]; problems: Placement['problems'] } = { vpcs: [], problems: [] };
  const s = r.stack;
  if (r.type === 'AWS::RDS::DBInstance' || r.type === 'AWS::RDS::DBCluster' || r.type.endsWith('::DBInstance') || r.type.endsWith('::DBCluster')) {
    if (r.type === 'AWS::RDS::DBInstance' && r.props.DBClusterIdentifier !== undefined) {
      for (const v of s.resolve(r.props.DBClusterIdentifier)) {
        const cluster = targetResource(v);
        if (cluster && cluster.type === 'AWS::RDS::DBCluster') {
          const p = placementOf(cluster);
          out.vpcs.push(...p.vpcs.filter((x) => !out.vpcs.includes(x)));
          out.problems.push(...p.problems);
          if (p.none) return { ...out, none: p.none };
        } else out.problems.push({ path: 'Properties.DBClusterIdentifier', value: describe(v), outside: true });
      }
      return out;
    }
    if (r.props.DBSubnetGroupName === undefined) {
      return { ...out, none: 'no DBSubnetGroupName: the database goes into the account\'s default VPC, not a VPC the tenant defines' };
    }
    for (const v of s.resolve(r.props.DBSubnetGroupName)) {
      const group = targetResource(v);
      if (group && group.type.endsWith('::DBSubnetGroup')) vpcsOfSubnets(group.stack, group.props.SubnetIds, `${group.id}.SubnetIds`, out);
      else out.problems.push({ path: 'Properties.DBSubnetGroupName', value: describe(v), outside: !extOf(v) || extOf(v)?.kind === 'import' });
    }
    return out;
  }
  if (r.type === 'AWS::OpenSearchService::Domain' || r.type === 'AWS::Elasticsearch::Domain') {
    const key = r.type === 'AWS::OpenSearchService::Domain' ? 'VPCOptions' : 'VPCOptions';
    const subnets = s.nodesAt(r.props, [key, 'SubnetIds']);
    if (subnets.length === 0) return { ...out, none: 'no VPCOptions: the domain has a public endpoint outside any VPC' };
    for (const n of subnets) vpcsOfSubnets(s, n, `Properties.${key}.SubnetIds`, out);
    return out;
  }
  return out;
}

/** The InstanceTenancy of a VPC: `dedicated`, `default`, or undefined when unresolved. */
export function vpcTenancy(vpc: ResourceRef): 'dedicated' | 'default' | 'host' | undefined {
  const vals = vpc.stack.resolve(vpc.props.InstanceTenancy);
  const seen = new Set(vals.map((v) => (v.k === 'absent' ? 'default' : litString(v))));
  if (seen.size !== 1) return undefined;
  const t = [...seen][0];
  return t === 'dedicated' || t === 'default' || t === 'host' ? t : undefined;
}

/** Database and search resources of the tenant. */
export const DATABASE_TYPES = ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'];
export const SEARCH_TYPES = ['AWS::OpenSearchService::Domain', 'AWS::Elasticsearch::Domain'];

/**
 * Walks every value in a resource's properties. The visitor gets the node, a function that renders its property
 * path (built only when a finding needs it: walks are the verifier's hot loop), the property name the node sits
 * under (intrinsic functions pass their parent's through), and whether the node is that property's own value
 * rather than an element inside it. Returning false skips the node's children.
 */
export function walk(
  node: unknown,
  visit: (node: unknown, path: () => string, key: string | undefined, direct: boolean) => boolean | void,
): void {
  const ctx: WalkContext = { parts: [], visit, path: () => '' };
  ctx.path = () => renderPath(ctx.parts);
  walkNode(ctx, node, undefined, false, 0);
}

interface WalkContext {
  readonly parts: (string | number)[];
  readonly visit: (node: unknown, path: () => string, key: string | undefined, direct: boolean) => boolean | void;
  path: () => string;
}

function renderPath(parts: readonly (string | number)[]): string {
  let out = 'Properties';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : `.${p}`;
  return out;
}

function walkNode(ctx: WalkContext, n: unknown, key: string | undefined, direct: boolean, depth: number): void {
  if (depth > 60) return;
  if (ctx.visit(n, ctx.path, key, direct) === false) return;
  if (Array.isArray(n)) {
    for (let i = 0; i < n.length; i++) {
      ctx.parts.push(i);
      walkNode(ctx, n[i], key, false, depth + 1);
      ctx.parts.pop();
    }
  } else if (n !== null && typeof n === 'object') {
    const record = n as Record<string, unknown>;
    for (const k in record) {
      if (k === 'Ref' || k.startsWith('Fn::')) walkNode(ctx, record[k], key, direct, depth + 1);
      else {
        ctx.parts.push(k);
        walkNode(ctx, record[k], k, true, depth + 1);
        ctx.parts.pop();
      }
    }
  }
}

/** Is an IP range private (RFC 1918, CGNAT or link-local)? Undefined when it is not an IPv4 CIDR. */
export function cidrInfo(cidr: string): { start: number; end: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr.trim());
  if (!m) return undefined;
  const ip = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  const size = 2 ** (32 - prefix);
  const start = ip - (ip % size);
  return { start, end: start + size - 1 };
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((c) => cidrInfo(c)!);

export function isPrivateCidr(cidr: string): boolean {
  const c = cidrInfo(cidr);
  return !!c && PRIVATE.some((p) => c.start >= p.start && c.end <= p.end);
}

export function cidrWithin(inner: string, outer: string): boolean {
  const a = cidrInfo(inner);
  const b = cidrInfo(outer);
  return !!a && !!b && a.start >= b.start && a.end <= b.end;
}

/** A physical identifier written into a template as a literal (not built from the tenant's own resources). */
export interface LiteralIdentifier {
  readonly kind: 'kms-key' | 'network' | 'cluster' | 'data-endpoint' | 'file-system' | 'arn';
  /** For `cluster`: the service (ecs, eks, rds, es, ...), the resource type in the ARN and the resource name. */
  readonly service?: string;
  readonly resourceType?: string;
  readonly name?: string;
  /** For `cluster`: the ARN's account and region fields as written (`${AWS::AccountId}`, `${AWS::Region}` or literal). */
  readonly account?: string;
  readonly region?: string;
  /** Normalised identifier: key id, vpc-/subnet-/sg- id, cluster name, hostname, ARN. */
  readonly id: string;
  readonly value: string;
  readonly resource: ResourceRef;
  readonly path: string;
}

const NETWORK_ID = /\b((?:vpc|subnet|sg|tgw|tgw-attach|pcx|vgw|cgw|vpce-svc|vpce|pl|eni|rtb|igw|nat|lgw)-[0-9a-f]{8,17})\b/g;
const KMS_KEY_ARN = /arn:[a-z-]+:kms:[a-z0-9-]*:\d{12}:key\/([0-9a-f-]{36}|mrk-[0-9a-f]{32})/g;
const CLUSTER_ARN = /arn:(?:[a-z-]+|\$\{AWS::Partition\}):(ecs|eks|rds|es|aoss|elasticache|docdb|kafka|memorydb):([a-z0-9-]*|\$\{AWS::Region\}):(\d{12}|\$\{AWS::AccountId\}):(cluster|domain|collection|db|replicationgroup)[:/]([A-Za-z0-9._-]+)/g;
/** Cheap pre-checks: most strings hold no ARN, no hex id and no AWS hostname, and skip every pattern. */
const HEX_ID = /-[0-9a-f]{8}/;
const MAYBE_IDENTIFIER = /arn:|-[0-9a-f]{8}|amazonaws/;
const FILE_SYSTEM_ID = /\b(fsap-[0-9a-f]{8,17}|fs-[0-9a-f]{8,17})\b/g;
const HOST = /([a-z0-9-]+\.){2,}(rds|es|aos|aoss|cache|docdb|neptune|redshift|kafka|memorydb)\.amazonaws\.com(\.cn)?/gi;
/** The literal every HOST match contains (case-insensitive, like HOST). */
const AMAZONAWS = /amazonaws\.com/i;

/** The matches of a global regex, like `text.matchAll(re)` without cloning the regex for every string. */
export function allMatches(re: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m);
    if (m[0] === '') re.lastIndex++;
  }
  re.lastIndex = 0;
  return out;
}

/** Every literal physical identifier in a tenant's resources, for network and fleet-sharing rules. */
export function literalIdentifiers(tenant: TenantModel): LiteralIdentifier[] {
  return tenant.cached('literalIdentifiers', () => {
    const out: LiteralIdentifier[] = [];
    for (const entry of propertyIndex(tenant)) {
      const { node: text, resource } = entry;
      if (typeof text !== 'string' || !MAYBE_IDENTIFIER.test(text)) continue;
      // Each pattern needs a literal the text must contain; testing for it first skips the regex on most strings.
      const arn = text.includes('arn:');
      const hex = HEX_ID.test(text);
      if (arn) for (const m of allMatches(KMS_KEY_ARN, text)) out.push({ kind: 'kms-key', id: m[1]!, value: m[0], resource, path: entry.path });
      if (hex) for (const m of allMatches(NETWORK_ID, text)) out.push({ kind: 'network', id: m[1]!, value: m[1]!, resource, path: entry.path });
      if (arn) {
        for (const m of allMatches(CLUSTER_ARN, text)) {
          out.push({ kind: 'cluster', id: `${m[1]}:${m[5]}`, value: m[0], resource, path: entry.path, service: m[1], resourceType: m[4], name: m[5], region: m[2], account: m[3] });
        }
      }
      if (hex) for (const m of allMatches(FILE_SYSTEM_ID, text)) out.push({ kind: 'file-system', id: m[1]!, value: m[1]!, resource, path: entry.path });
      if (AMAZONAWS.test(text)) for (const m of allMatches(HOST, text)) out.push({ kind: 'data-endpoint', id: m[0].toLowerCase(), value: m[0], resource, path: entry.path });
    }
    return out;
  }, { retained: true });
}

const RESOURCE_NAME_KEYS = new Set(['DBInstanceIdentifier', 'DBClusterIdentifier', 'DomainName', 'ClusterName', 'Name', 'ReplicationGroupId', 'ClusterIdentifier', 'BucketName']);

/** Literal names the tenant gives its own stores and clusters (DBInstanceIdentifier, DomainName, BucketName...). */
export function tenantResourceNames(tenant: TenantModel): Set<string> {
  return tenant.cached('tenantResourceNames', () => {
    const names = new Set<string>();
    for (const r of tenant.resources()) {
      for (const k in r.props) {
        if (!RESOURCE_NAME_KEYS.has(k)) continue;
        for (const v of r.stack.resolve(r.props[k])) {
          const s = litString(v);
          if (s) names.add(s);
        }
      }
    }
    return names;
  });
}

/** Literal ARNs of clusters, domains and databases the tenant's templates do not define, by service. */
export function foreignClusterArns(tenant: TenantModel, services: readonly string[]): LiteralIdentifier[] {
  const own = tenantResourceNames(tenant);
  return literalIdentifiers(tenant).filter(
    (l) => l.kind === 'cluster' && services.includes(l.service ?? '') && !own.has(l.name ?? ''),
  );
}

/** One `Fn::ImportValue` in a tenant resource, with each name it may import and whether the tenant exports it. */
export interface ImportUse {
  readonly resource: ResourceRef;
  readonly path: string;
  readonly value: Val;
  /** The literal export name; undefined when computed. */
  readonly name?: string;
  /** Set when one of the tenant's own stacks exports the name. */
  readonly exported?: TenantExport;
}

/** Every import of the tenant (ISO-REF-1), kept for the fleet rules: an export is scoped by account and Region. */
export function importsOf(tenant: TenantModel): readonly ImportUse[] {
  return tenant.cached('importsOf', () => {
    const out: ImportUse[] = [];
    for (const entry of propertyIndex(tenant)) {
      if (entry.fn !== 'Fn::ImportValue') continue;
      const r = entry.resource;
      for (const value of r.stack.resolve((entry.node as Record<string, unknown>)['Fn::ImportValue'])) {
        const name = litString(value);
        out.push({ resource: r, path: entry.path, value, name, exported: name === undefined ? undefined : tenant.findExport(name) });
      }
    }
    return out;
  }, { retained: true });
}

/**
 * Something a tenant's templates name that another tenant might name too, for ISO-FLEET-1. AWS assigns VPC,
 * subnet, security group and file system ids and data endpoint hostnames, so each denotes one thing whatever the
 * account (a subnet shared with RAM keeps its id in every account it is shared into). A name the template chooses
 * (a cluster, DB identifier, search domain, export name) denotes one thing only within an account and Region: the
 * same name in two accounts is two things.
 */
export interface FleetIdentity {
  /** What is named, scope aside: `vpc-0abc...`, `ecs cluster desk`, `export platform-vpc-id`. */
  readonly key: string;
  /** Set for a name the template chooses: the account and Region it lives in (undefined when not known). */
  readonly scope?: { readonly account?: string; readonly region?: string };
  /** `defines` a resource with that name, `names` one (an ARN, a literal), `imports` or `exports` a value. */
  readonly role: 'defines' | 'names' | 'imports' | 'exports';
  /** What the kind of thing is, for messages: `VPC/subnet/security group id`, `ECS cluster name`. */
  readonly what: string;
  readonly value: string;
  readonly stack: string;
  readonly resource: string;
  readonly path: string;
}

/** Properties that name a resource a tenant defines, as `<service> <type>` in the ARN of that resource. */
const DEFINED_NAMES: readonly { readonly type: string; readonly prop: string; readonly key: string; readonly what: string }[] = [
  { type: 'AWS::ECS::Cluster', prop: 'ClusterName', key: 'ecs cluster', what: 'ECS cluster' },
  { type: 'AWS::EKS::Cluster', prop: 'Name', key: 'eks cluster', what: 'EKS cluster' },
  { type: 'AWS::RDS::DBInstance', prop: 'DBInstanceIdentifier', key: 'rds db', what: 'DB instance' },
  { type: 'AWS::RDS::DBCluster', prop: 'DBClusterIdentifier', key: 'rds cluster', what: 'DB cluster' },
  { type: 'AWS::OpenSearchService::Domain', prop: 'DomainName', key: 'es domain', what: 'search domain' },
  { type: 'AWS::Elasticsearch::Domain', prop: 'DomainName', key: 'es domain', what: 'search domain' },
  { type: 'AWS::ElastiCache::ReplicationGroup', prop: 'ReplicationGroupId', key: 'elasticache replicationgroup', what: 'ElastiCache replication group' },
];
/** Properties that name, by a literal name rather than a reference, a cluster to run on or join. */
const NAMED_CLUSTERS: readonly { readonly types: readonly string[]; readonly prop: string; readonly key: string; readonly what: string }[] = [
  { types: ['AWS::ECS::Service', 'AWS::ECS::TaskSet'], prop: 'Cluster', key: 'ecs cluster', what: 'ECS cluster' },
  { types: ['AWS::EKS::Nodegroup', 'AWS::EKS::FargateProfile', 'AWS::EKS::Addon', 'AWS::EKS::AccessEntry', 'AWS::EKS::PodIdentityAssociation'], prop: 'ClusterName', key: 'eks cluster', what: 'EKS cluster' },
  { types: ['AWS::RDS::DBInstance'], prop: 'DBClusterIdentifier', key: 'rds cluster', what: 'DB cluster' },
];
const CLUSTER_WHAT: Readonly<Record<string, string>> = { ecs: 'ECS cluster', eks: 'EKS cluster', rds: 'RDS', es: 'search domain', aoss: 'OpenSearch Serverless collection', elasticache: 'ElastiCache', docdb: 'DocumentDB cluster', kafka: 'MSK cluster', memorydb: 'MemoryDB cluster' };

/** RDS identifiers are stored in lowercase; the other names are compared as written. */
function nameKey(key: string, name: string): string {
  return `${key} ${key.startsWith('rds ') ? name.toLowerCase() : name}`;
}

/** Everything the tenant names that ISO-FLEET-1 compares across the fleet (keys aside: ISO-KMS-3). */
export function fleetIdentities(tenant: TenantModel): readonly FleetIdentity[] {
  return tenant.cached('fleetIdentities', () => {
    const own = { account: tenant.account, region: tenant.region };
    const out: FleetIdentity[] = [];
    for (const l of literalIdentifiers(tenant)) {
      if (l.kind === 'kms-key') continue;
      const at = { stack: l.resource.stack.name, resource: l.resource.id, path: l.path, value: l.value };
      if (l.kind !== 'cluster') {
        out.push({ key: l.id, role: 'names', what: l.kind === 'network' ? 'network id' : l.kind === 'file-system' ? 'file system id' : 'data endpoint', ...at });
        continue;
      }
      const account = l.account === '${AWS::AccountId}' ? own.account : l.account;
      const region = l.region === '${AWS::Region}' ? own.region : l.region || undefined;
      out.push({ key: nameKey(`${l.service} ${l.resourceType}`, l.name ?? ''), scope: { account, region }, role: 'names', what: CLUSTER_WHAT[l.service ?? ''] ?? 'cluster', ...at });
    }
    for (const spec of DEFINED_NAMES) {
      for (const r of tenant.ofType(spec.type)) {
        for (const v of r.stack.resolve(r.props[spec.prop])) {
          const name = litString(v);
          if (name) out.push({ key: nameKey(spec.key, name), scope: own, role: 'defines', what: spec.what, value: name, stack: r.stack.name, resource: r.id, path: `Properties.${spec.prop}` });
        }
      }
    }
    for (const spec of NAMED_CLUSTERS) {
      for (const r of tenant.ofType(...spec.types)) {
        for (const v of r.stack.resolve(r.props[spec.prop])) {
          const name = litString(v);
          // ARNs are the literal identifiers above; a plain name is a cluster of the tenant's own account and Region.
          if (name && !name.startsWith('arn:')) out.push({ key: nameKey(spec.key, name), scope: own, role: 'names', what: spec.what, value: name, stack: r.stack.name, resource: r.id, path: `Properties.${spec.prop}` });
        }
      }
    }
    for (const i of importsOf(tenant)) {
      if (i.name === undefined || i.exported) continue;
      out.push({ key: `export ${i.name}`, scope: own, role: 'imports', what: 'export', value: i.name, stack: i.resource.stack.name, resource: i.resource.id, path: i.path });
    }
    for (const e of tenant.exported()) {
      out.push({ key: `export ${e.name}`, scope: own, role: 'exports', what: 'export', value: e.name, stack: e.stack.name, resource: e.output, path: `Outputs.${e.output}.Export.Name` });
    }
    return out;
  });
}

/** A node of a resource's properties that some rule asks about, found by the one shared walk. */
export interface IndexedNode {
  readonly resource: ResourceRef;
  readonly node: unknown;
  /** The property name the node sits under (intrinsic functions pass their parent's through). */
  readonly key: string | undefined;
  /** The node is the property's own value, not an element inside it. */
  readonly direct: boolean;
  /** Property path, e.g. `Properties.VPCSecurityGroups[0]`. */
  readonly path: string;
  /** An ancestor is a function that yields a string (Fn::Sub, Fn::Join, Fn::If, Fn::FindInMap, Fn::Select). */
  readonly insideFunction: boolean;
  /** The node is such a function itself (its single key), or an object holding a `Fn::Transform` macro call. */
  readonly fn?: string;
}

const INDEXED_FUNCTIONS = new Set(['Fn::Sub', 'Fn::Join', 'Fn::If', 'Fn::FindInMap', 'Fn::Select', 'Fn::ImportValue']);
/** Property names whose values place a resource in a network or attach security groups. */
export const INDEXED_KEY = /SecurityGroup|Subnet|VpcId|VPCZoneIdentifier|GroupId|PeerVpcId/i;


/** An IndexedNode whose path is rendered only when a rule asks for it (most nodes never end up in a finding). */
class IndexEntry implements IndexedNode {
  private rendered: string | undefined;
  constructor(
    readonly resource: ResourceRef,
    readonly node: unknown,
    readonly key: string | undefined,
    readonly direct: boolean,
    private readonly parts: readonly (string | number)[],
    readonly insideFunction: boolean,
    readonly fn: string | undefined,
  ) {}
  get path(): string {
    return (this.rendered ??= renderPath(this.parts));
  }
}

/** Strings worth a rule's attention: ARNs, hex ids, AWS hostnames, connection strings, account ids. */
const INTERESTING_STRING = /arn:|-[0-9a-f]{8}|amazonaws|:\/\/|jdbc:|URLSuffix|\{\{resolve:|^\d{12}$/;

/**
 * Whether the shared walk keeps a string. One regex: measured on the strings of real templates, V8's regex engine
 * beats both a hand-written character scan and substring pre-checks here.
 */
export function interestingString(s: string): boolean {
  return INTERESTING_STRING.test(s);
}

interface IndexWalk {
  readonly resource: ResourceRef;
  readonly parts: (string | number)[];
  readonly out: IndexedNode[];
}

/** Property names are few and repeat across templates: remember which ones place a resource in a network. */
const indexedKeyMemo = new Map<string, boolean>();
function isIndexedKey(key: string): boolean {
  let hit = indexedKeyMemo.get(key);
  if (hit === undefined) {
    hit = INDEXED_KEY.test(key);
    if (indexedKeyMemo.size < 10_000) indexedKeyMemo.set(key, hit);
  }
  return hit;
}

function indexNode(w: IndexWalk, n: unknown, key: string | undefined, direct: boolean, insideFunction: boolean, depth: number): void {
  if (depth > 60) return;
  if (typeof n === 'string') {
    if (interestingString(n) || (direct && key !== undefined && isIndexedKey(key))) {
      w.out.push(new IndexEntry(w.resource, n, key, direct, w.parts.slice(), insideFunction, undefined));
    }
    return;
  }
  if (n === null || typeof n !== 'object') return;
  if (Array.isArray(n)) {
    if (direct && key !== undefined && isIndexedKey(key)) w.out.push(new IndexEntry(w.resource, n, key, direct, w.parts.slice(), insideFunction, undefined));
    for (let i = 0; i < n.length; i++) {
      const e: unknown = n[i];
      if (e === null || (typeof e !== 'object' && typeof e !== 'string')) continue;
      w.parts.push(i);
      indexNode(w, e, key, false, insideFunction, depth + 1);
      w.parts.pop();
    }
    return;
  }
  const fn = onlyKey(n as Record<string, unknown>);
  const indexedFn = fn !== undefined && INDEXED_FUNCTIONS.has(fn);
  if (indexedFn || (direct && key !== undefined && isIndexedKey(key))) {
    w.out.push(new IndexEntry(w.resource, n, key, direct, w.parts.slice(), insideFunction, indexedFn ? fn : undefined));
  }
  const record = n as Record<string, unknown>;
  const inner = insideFunction || (indexedFn && fn !== 'Fn::ImportValue');
  for (const k in record) {
    const v = record[k];
    if (v === null || (typeof v !== 'object' && typeof v !== 'string')) continue;
    if (k === 'Ref' || k.startsWith('Fn::')) {
      // The arguments of Ref and Fn::GetAtt are logical ids, attribute and pseudo-parameter names: never a literal
      // location, key or network id (the reference itself was indexed above when a rule asks about it).
      if (typeof v === 'string' && k === 'Ref') continue;
      if (k === 'Fn::GetAtt' && (typeof v === 'string' || (Array.isArray(v) && v.every((a) => typeof a === 'string')))) continue;
      // Only ISO-TPL-1 reads these entries (by fn); without a key they stay out of the property-based rules.
      if (k === 'Fn::Transform') w.out.push(new IndexEntry(w.resource, record, undefined, false, w.parts.slice(), insideFunction, k));
      // A function's arguments are not the property's own value (the function node itself was indexed above when a
      // rule asks about its key): the list inside Fn::Join [",", [...]] is not a list of subnets.
      indexNode(w, v, key, false, inner, depth + 1);
    }
    else {
      w.parts.push(k);
      indexNode(w, v, k, true, insideFunction, depth + 1);
      w.parts.pop();
    }
  }
}

/**
 * Walks every resource of the tenant once and keeps the nodes the rules query: interesting strings, string-valued
 * and import functions, and the values of network properties. Rules read this index instead of walking again.
 */
export function propertyIndex(tenant: TenantModel): readonly IndexedNode[] {
  return tenant.cached('propertyIndex', () => {
    const out: IndexedNode[] = [];
    for (const resource of tenant.resources()) indexNode({ resource, parts: [], out }, resource.props, undefined, false, false, 0);
    return out;
  });
}
