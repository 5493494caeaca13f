/**
 * The boundary of one tenant as the templates draw it: the account, the VPCs and their tenancy, the data stores and
 * where they sit, the keys and what each protects, and everything that is shared or crosses the boundary (peering to
 * a VPC the tenant does not define, imports, literal foreign identifiers, principals of other accounts).
 *
 * Derived from the same facts the rules use (placementOf, vpcTenancy, encryptionSites, literalIdentifiers), never from
 * a second reading of the template. Pure: no I/O.
 */
import {
  DATABASE_TYPES,
  encryptionSites,
  isHsmKeyResource,
  KMS_KEY_TYPES,
  literalIdentifiers,
  placementOf,
  targetResource,
  vpcTenancy,
} from '../isolation/facts';
import { describe, extOf, litString, type ResourceRef, type TenantModel, type Val } from '../isolation/model';
import { evaluateTemplates, type TenantVerdict } from '../isolation/engine';
import { ruleById } from '../isolation/rules';

const REFERENCE_RULES = [ruleById('ISO-REF-1')!, ruleById('ISO-REF-2')!, ruleById('ISO-IAM-1')!];

export interface BoundaryVpc {
  readonly id: string;
  readonly stack: string;
  readonly cidr?: string;
  /** `dedicated`, `default`, `host`, or `unresolved` when the template's value cannot be followed. */
  readonly tenancy: 'dedicated' | 'default' | 'host' | 'unresolved';
  readonly flagged: boolean;
}

export interface BoundaryStore {
  readonly id: string;
  readonly stack: string;
  readonly kind: 'database' | 'search';
  readonly type: string;
  /** Engine and class, e.g. `postgres db.r6i.xlarge`. */
  readonly detail?: string;
  /** Logical ids of the tenant VPCs the store sits in. */
  readonly vpcs: readonly string[];
  /** Why the store is not (only) in a tenant VPC, when it is not. */
  readonly placementProblem?: string;
  /** A counting rule fails on this resource. */
  readonly flagged: boolean;
}

export interface BoundaryKey {
  readonly id: string;
  readonly stack: string;
  readonly kind: 'kms' | 'kms-replica' | 'cloudhsm';
  readonly alias?: string;
  /** Every store the key protects, with its data class and the property that names the key. */
  readonly protects: readonly { readonly resource: string; readonly dataClass: string; readonly path: string }[];
  readonly flagged: boolean;
}

export interface BoundaryLink {
  readonly kind: 'peering';
  readonly resource: string;
  readonly from: string;
  readonly to: string;
}

/** Something shared or crossing the boundary: always drawn in red. */
export interface BoundaryCrossing {
  readonly kind:
    | 'peering'
    | 'transit'
    | 'endpoint-service'
    | 'ram-share'
    | 'import'
    | 'literal-id'
    | 'foreign-account'
    | 'key'
    | 'network'
    | 'unverifiable';
  /** What is on the other side, e.g. `vpc-0f00ba4c0ffee1234 (account 999999999999)`. */
  readonly label: string;
  /** The tenant resource that crosses, its stack and the property path. */
  readonly resource: string;
  readonly stack: string;
  readonly path: string;
  readonly value: string;
  /** The drawn element (VPC, store or key id) the crossing starts from, when it is one. */
  readonly anchor?: string;
}

export interface BoundaryGraph {
  readonly account?: string;
  readonly region?: string;
  readonly vpcs: readonly BoundaryVpc[];
  readonly stores: readonly BoundaryStore[];
  readonly keys: readonly BoundaryKey[];
  readonly links: readonly BoundaryLink[];
  readonly crossings: readonly BoundaryCrossing[];
  /** Resources with a failing (counting, error) finding that the picture does not draw. */
  readonly otherFailing: readonly { readonly resource: string; readonly rules: readonly string[] }[];
}

const PRINCIPAL_PATH =
  /\.Principal(\.AWS)?(\[\d+\])?$|\.Principals(\[\d+\])?$|\.(PeerOwnerId|SourceSecurityGroupOwnerId|DestinationSecurityGroupOwnerId)$/;

/** `"subnet-1"` (a described literal) -> `subnet-1`. */
function unquote(s: string): string {
  return /^"[^"]*"$/.test(s) ? s.slice(1, -1) : s;
}

function lit(r: ResourceRef, key: string): string | undefined {
  const vals = r.stack.resolve(r.props[key]);
  return vals.length === 1 ? litString(vals[0]!) : undefined;
}

function shown(v: Val): string {
  const s = litString(v);
  return s ?? describe(v);
}

/** Resource ids with a counting error finding, and the rules that fail on each. */
export function failingResources(verdict: TenantVerdict | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of verdict?.results ?? []) {
    if (!r.counts) continue;
    for (const f of r.findings) {
      if (f.severity !== 'error') continue;
      const rules = out.get(f.resource) ?? [];
      if (!rules.includes(f.rule)) rules.push(f.rule);
      out.set(f.resource, rules);
    }
  }
  return out;
}

/** Builds the boundary picture of one tenant. */
export function buildBoundary(tenant: TenantModel, verdict?: TenantVerdict): BoundaryGraph {
  const failing = failingResources(verdict);
  const flagged = (id: string): boolean => failing.has(id);
  const crossings: BoundaryCrossing[] = [];
  const seen = new Set<string>();
  const cross = (c: BoundaryCrossing): void => {
    const value = unquote(c.value);
    // One box per thing on the other side: the same subnet or key reached through two properties is drawn once.
    const key = `${c.kind === 'unverifiable' ? `${c.resource}|${c.path}|` : ''}${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    crossings.push({ ...c, value, label: c.label.replace(c.value, value) });
  };

  const vpcs: BoundaryVpc[] = tenant.ofType('AWS::EC2::VPC').map((v) => ({
    id: v.id,
    stack: v.stack.name,
    cidr: lit(v, 'CidrBlock'),
    tenancy: vpcTenancy(v) ?? 'unresolved',
    flagged: flagged(v.id),
  }));
  const vpcIds = new Set(vpcs.map((v) => v.id));

  const stores: BoundaryStore[] = [];
  for (const r of tenant.ofType(...DATABASE_TYPES, 'AWS::OpenSearchService::Domain', 'AWS::Elasticsearch::Domain')) {
    // An instance that joins a cluster is drawn through its cluster.
    if (r.type === 'AWS::RDS::DBInstance' && r.props.DBClusterIdentifier !== undefined) {
      const cluster = r.stack.resolve(r.props.DBClusterIdentifier).map(targetResource).find(Boolean);
      if (cluster) continue;
    }
    const placement = placementOf(r);
    const isDb = DATABASE_TYPES.includes(r.type);
    const detail = isDb
      ? [
          lit(r, 'Engine'),
          lit(r, 'DBInstanceClass') ?? (r.props.DBInstanceClass !== undefined ? '(conditional class)' : undefined),
        ]
          .filter(Boolean)
          .join(' ')
      : (() => {
          const types = r.stack.valuesAt(r.props, ['ClusterConfig', 'InstanceType']).map(litString).filter(Boolean);
          const counts = r.stack
            .valuesAt(r.props, ['ClusterConfig', 'InstanceCount'])
            .map((v) => (v.k === 'lit' ? String(v.v) : undefined));
          return [lit(r, 'EngineVersion'), types[0] ? `${counts[0] ?? '?'} x ${types[0]}` : undefined]
            .filter(Boolean)
            .join(' ');
        })();
    let problem = placement.none;
    for (const p of placement.problems) {
      problem = problem ?? `${p.path} = ${p.value}`;
      cross({
        kind: p.outside ? 'network' : 'unverifiable',
        label: p.outside ? `network outside the tenant: ${p.value}` : `could not verify the network: ${p.value}`,
        resource: r.id,
        stack: r.stack.name,
        path: p.path.startsWith('Properties') ? p.path : p.path,
        value: p.value,
        anchor: r.id,
      });
    }
    stores.push({
      id: r.id,
      stack: r.stack.name,
      kind: isDb ? 'database' : 'search',
      type: r.type,
      detail: detail || undefined,
      vpcs: placement.vpcs.map((v) => v.id).filter((id) => vpcIds.has(id)),
      placementProblem: problem,
      flagged: flagged(r.id) || problem !== undefined,
    });
  }
  const storeIds = new Set(stores.map((s) => s.id));

  // Keys and what they protect.
  const aliases = new Map<string, string>();
  for (const a of tenant.ofType('AWS::KMS::Alias')) {
    const target = a.stack.resolve(a.props.TargetKeyId).map(targetResource).find(Boolean);
    const name = lit(a, 'AliasName');
    if (target && name && !aliases.has(target.id)) aliases.set(target.id, name);
  }
  const keyRefs = [...tenant.resources()].filter((r) => KMS_KEY_TYPES.includes(r.type) || isHsmKeyResource(r));
  const protects = new Map<string, { resource: string; dataClass: string; path: string }[]>();
  for (const site of encryptionSites(tenant)) {
    for (const k of site.keys) {
      if (k.kind === 'tenant-cmk' || k.kind === 'tenant-hsm') {
        const list = protects.get(k.key.id) ?? [];
        if (!list.some((p) => p.resource === site.resource.id && p.dataClass === site.dataClass)) {
          list.push({ resource: site.resource.id, dataClass: site.dataClass, path: site.path });
        }
        protects.set(k.key.id, list);
      } else if (k.kind === 'literal' || k.kind === 'aws-managed' || k.kind === 'unresolved') {
        const anchor = storeIds.has(site.resource.id) ? site.resource.id : undefined;
        cross({
          kind: k.kind === 'unresolved' ? 'unverifiable' : 'key',
          label:
            k.kind === 'aws-managed'
              ? `AWS managed key ${k.value} (not a tenant key)`
              : k.kind === 'literal'
                ? `KMS key not defined by the tenant: ${k.value}${k.account && k.account !== tenant.account ? ` (account ${k.account})` : ''}`
                : `could not verify the key: ${k.value}`,
          resource: site.resource.id,
          stack: site.resource.stack.name,
          path: site.path,
          value: k.value,
          anchor,
        });
      }
    }
  }
  const keys: BoundaryKey[] = keyRefs.map((k) => ({
    id: k.id,
    stack: k.stack.name,
    kind: isHsmKeyResource(k) ? 'cloudhsm' : k.type === 'AWS::KMS::ReplicaKey' ? 'kms-replica' : 'kms',
    alias: aliases.get(k.id),
    protects: protects.get(k.id) ?? [],
    flagged: flagged(k.id),
  }));

  // Peering, transit, endpoint services, RAM shares.
  const links: BoundaryLink[] = [];
  for (const p of tenant.ofType('AWS::EC2::VPCPeeringConnection')) {
    const from = p.stack
      .resolve(p.props.VpcId)
      .map(targetResource)
      .find((t) => t?.type === 'AWS::EC2::VPC');
    const peers = p.stack.resolve(p.props.PeerVpcId);
    const owner = lit(p, 'PeerOwnerId');
    for (const peer of peers) {
      const target = targetResource(peer);
      if (target && target.type === 'AWS::EC2::VPC' && (!owner || owner === tenant.account)) {
        if (from) links.push({ kind: 'peering', resource: p.id, from: from.id, to: target.id });
        continue;
      }
      const ext = extOf(peer);
      cross({
        kind: ext && ext.kind !== 'import' ? 'unverifiable' : 'peering',
        label: `peering to ${ext ? 'a VPC the verifier cannot follow' : 'a VPC'}${owner && owner !== tenant.account ? ` of account ${owner}` : ' the tenant does not define'}: ${ext ? ext.what : shown(peer)}`,
        resource: p.id,
        stack: p.stack.name,
        path: 'Properties.PeerVpcId',
        value: shown(peer),
        anchor: from?.id,
      });
    }
  }
  for (const t of tenant.ofType('AWS::EC2::TransitGatewayAttachment', 'AWS::EC2::TransitGatewayVpcAttachment')) {
    const vpc = t.stack.resolve(t.props.VpcId).map(targetResource).find(Boolean);
    const tgw = t.stack.resolve(t.props.TransitGatewayId);
    const own = tgw.every((v) => targetResource(v)?.type === 'AWS::EC2::TransitGateway');
    if (own) continue;
    cross({
      kind: 'transit',
      label: `transit gateway ${tgw.map(shown).join(' | ')}`,
      resource: t.id,
      stack: t.stack.name,
      path: 'Properties.TransitGatewayId',
      value: tgw.map(shown).join(' | '),
      anchor: vpc?.id,
    });
  }
  for (const t of tenant.ofType(
    'AWS::EC2::VPNConnection',
    'AWS::EC2::VPNGateway',
    'AWS::EC2::CustomerGateway',
    'AWS::EC2::ClientVpnEndpoint',
  )) {
    cross({
      kind: 'transit',
      label: `${t.type.replace('AWS::EC2::', '')} (a path out of the tenant network)`,
      resource: t.id,
      stack: t.stack.name,
      path: '-',
      value: t.type,
    });
  }
  for (const e of tenant.ofType('AWS::EC2::VPCEndpoint')) {
    const names = e.stack.resolve(e.props.ServiceName).map(shown);
    const vpc = e.stack.resolve(e.props.VpcId).map(targetResource).find(Boolean);
    for (const name of names) {
      if (!/vpce-svc-/.test(name)) continue;
      cross({
        kind: 'endpoint-service',
        label: `endpoint service ${name} (someone else's service, reached from inside the VPC)`,
        resource: e.id,
        stack: e.stack.name,
        path: 'Properties.ServiceName',
        value: name,
        anchor: vpc?.id,
      });
    }
  }
  for (const s of tenant.ofType('AWS::RAM::ResourceShare')) {
    const principals = s.stack.listValues(s.props.Principals).flat().map(shown);
    cross({
      kind: 'ram-share',
      label: `AWS RAM share to ${principals.join(', ') || '(no principal named)'}`,
      resource: s.id,
      stack: s.stack.name,
      path: 'Properties.Principals',
      value: principals.join(', '),
    });
  }

  // Imports from outside the tenant and names of other accounts: the findings of ISO-REF-1 and ISO-REF-2 (the rules
  // decide; the picture only draws what they found).
  const refResults = (verdict ?? evaluateTemplates([tenant], { rules: REFERENCE_RULES })[0]!).results;
  for (const f of refResults.filter((r) => r.rule.id === 'ISO-REF-1').flatMap((r) => r.findings)) {
    if (f.kind !== 'violation' || !f.value) continue;
    cross({ kind: 'import', label: `Fn::ImportValue ${f.value}`, resource: f.resource, stack: f.stack ?? '', path: f.path, value: f.value, anchor: anchorOf(f.resource) });
  }
  // Trust policies are judged by ISO-IAM-1 (declared access paths): its violations are undeclared ways in.
  for (const f of refResults.filter((r) => r.rule.id === 'ISO-REF-2' || r.rule.id === 'ISO-IAM-1').flatMap((r) => r.findings)) {
    const account = /(\d{12})/.exec(f.value ?? '')?.[1];
    if (f.kind !== 'violation' || !account || !f.value) continue;
    // Already drawn as the other side of a peering, share or key of this resource.
    if (crossings.some((c) => c.resource === f.resource && (c.label.includes(account) || c.value.includes(account)))) continue;
    cross({
      kind: 'foreign-account',
      label: `${f.rule === 'ISO-IAM-1' ? 'undeclared principal' : PRINCIPAL_PATH.test(f.path) ? 'principal' : 'resource'} of account ${account}: ${f.value}`,
      resource: f.resource,
      stack: f.stack ?? '',
      path: f.path,
      value: f.value,
      anchor: anchorOf(f.resource),
    });
  }
  for (const l of literalIdentifiers(tenant)) {
    if (/\.Principal\.Service/.test(l.path)) continue; // an AWS service name, not a data store
    // A literal ARN in the tenant's own account (e.g. its domain in an access policy) stays inside; one of another
    // account is drawn above as a foreign-account crossing.
    if (l.kind === 'cluster' || l.kind === 'arn') continue;
    if (crossings.some((c) => c.resource === l.resource.id && c.path === l.path)) continue;
    cross({
      kind: 'literal-id',
      label: `${l.kind} not defined by the tenant: ${l.value}`,
      resource: l.resource.id,
      stack: l.resource.stack.name,
      path: l.path,
      value: l.value,
      anchor: anchorOf(l.resource.id),
    });
  }

  function anchorOf(id: string): string | undefined {
    return vpcIds.has(id) || storeIds.has(id) || keyRefs.some((k) => k.id === id) ? id : undefined;
  }

  const drawn = new Set([...vpcIds, ...storeIds, ...keyRefs.map((k) => k.id), ...crossings.map((c) => c.resource)]);
  const otherFailing = [...failing.entries()]
    .filter(([resource]) => !drawn.has(resource))
    .map(([resource, rules]) => ({ resource, rules }));

  return { account: tenant.account, region: tenant.region, vpcs, stores, keys, links, crossings, otherFailing };
}
