/**
 * The shared-plane disclosure: what an exclusive tenant still shares with the vendor (the deployment pipeline and its
 * roles, CDK bootstrap resources, code and container images, the verifier) and with AWS (DNS, telemetry, the Lambda
 * and KMS fleets), derived from the templates, the cloud assembly and the manifest. Nothing here is a finding: the
 * point is to say honestly what "exclusive" does not cover. An item that names another account, a public registry or
 * an endpoint outside AWS crosses the boundary and is drawn in red.
 *
 * Pure: no I/O.
 */
import { isHsmKeyResource, targetResource, walk } from '../isolation/facts';
import { describe, litString, type ResourceRef, type TenantModel } from '../isolation/model';
import type { TenantManifest } from '../manifest/schema';
import type { StackAssemblyInfo } from './assembly';

export type SharedArea =
  'pipeline' | 'bootstrap' | 'code' | 'compute' | 'verifier' | 'dns' | 'telemetry' | 'aws-services' | 'keys';

/** Who operates the shared thing. */
export type SharedWith = 'vendor' | 'aws' | 'other-account' | 'public';

export interface SharedEvidence {
  readonly stack?: string;
  readonly resource: string;
  readonly path: string;
  readonly value: string;
}

export interface SharedItem {
  readonly area: SharedArea;
  readonly title: string;
  /** What is shared and what that means, in plain words. */
  readonly detail: string;
  readonly sharedWith: SharedWith;
  /** It names another account, a public registry or an endpoint outside AWS: drawn in red. */
  readonly crossesBoundary: boolean;
  readonly evidence: readonly SharedEvidence[];
}

export const AREA_TITLES: Readonly<Record<SharedArea, string>> = {
  pipeline: 'Deployment pipeline and its roles',
  bootstrap: 'CDK bootstrap resources',
  code: 'Code and container images',
  compute: 'Compute outside the tenant VPCs',
  verifier: 'The verifier itself',
  dns: 'DNS',
  telemetry: 'Telemetry destinations',
  'aws-services': 'AWS services acting in the account',
  keys: 'Key management service',
};

/** Inputs the disclosure needs about one tenant. */
export interface DisclosureInput {
  readonly tenant: TenantModel;
  /** What the cloud assembly records about the tenant's stacks (none for plain template files). */
  readonly assembly: readonly StackAssemblyInfo[];
  readonly manifest?: TenantManifest;
  /** Code asset keys (S3 object keys / image tags) of every other tenant, to name identical code. */
  readonly otherTenantsCode: ReadonlyMap<string, readonly string[]>;
}

const BOOTSTRAP = /cdk-([a-z0-9]+)-(assets|container-assets)-(\d{12})-([a-z0-9-]+)/;
const PUBLIC_REGISTRY =
  /^(docker\.io|public\.ecr\.aws|ghcr\.io|quay\.io|registry\.k8s\.io|gcr\.io|mcr\.microsoft\.com)\//;
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//;

/** The single value at a path (a literal, or how the template builds it); undefined when absent or conditional. */
function str(r: ResourceRef, path: readonly string[]): string | undefined {
  const vals = r.stack.valuesAt(r.props, path);
  if (vals.length !== 1 || vals[0]!.k === 'absent') return undefined;
  return litString(vals[0]!) ?? describe(vals[0]!);
}

/** An image from a public or third-party registry (Docker Hub names have no registry host). */
function isPublicImage(image: string): boolean {
  if (PUBLIC_REGISTRY.test(image)) return true;
  if (ECR_IMAGE.test(image)) return false;
  const first = image.split('/')[0] ?? '';
  // `nginx`, `library/nginx:1.27`: Docker Hub; `registry.example.com/x`: a third-party registry.
  return /^[a-z0-9][a-z0-9._-]*(:[\w.-]+)?$/.test(image) || /^[a-z0-9_-]+\//.test(image) || first.includes('.');
}

function accountOfArn(s: string): string | undefined {
  return /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(s)?.[1];
}

function cdkPath(r: ResourceRef): string {
  const p = r.raw.Metadata?.['aws:cdk:path'];
  return typeof p === 'string' ? p : '';
}

/** The code assets (S3 keys, image URIs) a tenant's templates deploy, for the cross-tenant comparison. */
export function codeAssetsOf(tenant: TenantModel): string[] {
  const out = new Set<string>();
  for (const f of tenant.ofType('AWS::Lambda::Function')) {
    const key = str(f, ['Code', 'S3Key']);
    const image = str(f, ['Code', 'ImageUri']);
    if (key) out.add(key);
    if (image) out.add(image);
  }
  return [...out];
}

/** Everything the tenant shares with the vendor or AWS, as far as the inputs show it. */
export function discloseSharedPlane(input: DisclosureInput): SharedItem[] {
  const { tenant, assembly, manifest } = input;
  const items: SharedItem[] = [];
  const account = tenant.account;
  const foreign = (a: string | undefined): boolean => !!a && !!account && a !== account;

  // Pipeline: the deployment roles the assembly names, and the fleet pipeline the manifest places the tenant in.
  const roles = assembly.flatMap((s) => s.roles.map((r) => ({ stack: s.stackName, ...r })));
  if (roles.length > 0) {
    const other = roles.filter((r) => foreign(accountOfArn(r.arn)));
    items.push({
      area: 'pipeline',
      title: 'CDK deployment roles',
      detail:
        'The stack is deployed by assuming these roles. They are created by `cdk bootstrap` in the tenant account, outside ' +
        'the templates, and whoever the bootstrap trusts (`cdk bootstrap --trust`, normally the vendor pipeline account) can ' +
        'assume them and deploy any change. The trust policy is not in the templates, so this report cannot show who that is: ' +
        'check it with `aws iam get-role --role-name <role>` in the tenant account.' +
        (other.length ? ' Some roles are in another account: deployment runs from outside the tenant account.' : ''),
      sharedWith: 'vendor',
      crossesBoundary: other.length > 0,
      evidence: roles.map((r) => ({
        stack: r.stack,
        resource: `${r.purpose} role`,
        path: 'cloud assembly manifest.json',
        value: r.arn,
      })),
    });
  }
  if (manifest?.delivery) {
    const d = manifest.delivery;
    items.push({
      area: 'pipeline',
      title: 'Fleet release pipeline',
      detail:
        `The vendor's fleet pipeline releases this tenant${d.wave !== undefined ? ` in wave ${d.wave}` : ''}` +
        `${d.holdBack ? '; the tenant is held back at its current release' : ''}. The pipeline, its source and its build run on vendor infrastructure shared by every tenant.`,
      sharedWith: 'vendor',
      crossesBoundary: false,
      evidence: [{ resource: manifest.id, path: `${manifest.file}: delivery`, value: JSON.stringify(d) }],
    });
  }

  // Bootstrap: the bootstrap version parameter, the asset bucket and repositories the templates and assembly use.
  const bootstrapEvidence: SharedEvidence[] = [];
  let bootstrapForeign = false;
  for (const s of tenant.stacks) {
    for (const [name, p] of Object.entries(s.parameters)) {
      const def = (p as { Default?: unknown }).Default;
      if (typeof def === 'string' && def.startsWith('/cdk-bootstrap/')) {
        bootstrapEvidence.push({
          stack: s.name,
          resource: `parameter ${name}`,
          path: `Parameters.${name}.Default`,
          value: def,
        });
      }
    }
  }
  for (const r of tenant.resources()) {
    walk(r.props, (node, pathOf) => {
      const path = pathOf();
      if (typeof node !== 'string') return true;
      const m = BOOTSTRAP.exec(node);
      if (m) {
        bootstrapEvidence.push({ stack: r.stack.name, resource: r.id, path, value: node });
        if (foreign(m[3])) bootstrapForeign = true;
      }
      return true;
    });
  }
  for (const s of assembly) {
    if (s.templateAssetUrl)
      bootstrapEvidence.push({
        stack: s.stackName,
        resource: 'stack template',
        path: 'cloud assembly manifest.json',
        value: s.templateAssetUrl,
      });
    for (const a of s.assets) {
      bootstrapEvidence.push({
        stack: s.stackName,
        resource: a.name,
        path: `${a.kind} asset destination`,
        value: a.location,
      });
      const m = BOOTSTRAP.exec(a.location);
      if (m && foreign(m[3])) bootstrapForeign = true;
    }
  }
  if (bootstrapEvidence.length > 0) {
    items.push({
      area: 'bootstrap',
      title: 'CDK bootstrap bucket, repositories and version parameter',
      detail:
        'The templates, Lambda code and images are staged in the CDK bootstrap asset bucket and ECR repository ' +
        '(`cdk-<qualifier>-assets-*`, `cdk-<qualifier>-container-assets-*`), created by `cdk bootstrap`, not by these templates, ' +
        'and written by the vendor pipeline through the publishing roles. Their encryption, access policy and lifecycle are set by ' +
        'the bootstrap template, which this report does not see.' +
        (bootstrapForeign
          ? ' At least one bootstrap resource is in another account.'
          : ' They are in the tenant account.'),
      sharedWith: 'vendor',
      crossesBoundary: bootstrapForeign,
      evidence: dedupe(bootstrapEvidence),
    });
  }

  // Code and container images: one item for every Lambda function's code.
  const fns = tenant.ofType('AWS::Lambda::Function');
  if (fns.length > 0) {
    const evidence: SharedEvidence[] = [];
    const sharedWith = new Set<string>();
    let publicCode = false;
    let foreignCode = false;
    let inlineCount = 0;
    for (const f of fns) {
      const bucket = str(f, ['Code', 'S3Bucket']);
      const key = str(f, ['Code', 'S3Key']);
      const image = str(f, ['Code', 'ImageUri']);
      const imageLiteral = f.stack.valuesAt(f.props, ['Code', 'ImageUri']).map(litString)[0];
      if (f.props.Code && typeof f.props.Code === 'object' && 'ZipFile' in f.props.Code) {
        inlineCount++;
        evidence.push({ stack: f.stack.name, resource: f.id, path: 'Properties.Code.ZipFile', value: '(inline code)' });
      }
      for (const k of [key, image])
        for (const other of (k && input.otherTenantsCode.get(k)) || []) sharedWith.add(other);
      if (imageLiteral && isPublicImage(imageLiteral)) publicCode = true;
      if (
        foreign(image ? ECR_IMAGE.exec(image)?.[1] : undefined) ||
        foreign(bucket ? BOOTSTRAP.exec(bucket)?.[3] : undefined)
      )
        foreignCode = true;
      if (bucket || key)
        evidence.push({
          stack: f.stack.name,
          resource: f.id,
          path: 'Properties.Code',
          value: `s3://${bucket ?? '?'}/${key ?? '?'}`,
        });
      if (image) evidence.push({ stack: f.stack.name, resource: f.id, path: 'Properties.Code.ImageUri', value: image });
    }
    items.push({
      area: 'code',
      title: `Code of ${fns.length} Lambda function${fns.length === 1 ? '' : 's'}`,
      detail:
        `${fns.length - inlineCount} function${fns.length - inlineCount === 1 ? ' runs' : 's run'} code built by the vendor (or the CDK) and published as an asset${inlineCount ? `; ${inlineCount} inline in the template` : ''}. ` +
        'This report does not review what the code does.' +
        (sharedWith.size
          ? ` Identical code (the same content hash) is deployed to tenant${sharedWith.size === 1 ? '' : 's'} ${[...sharedWith].sort().join(', ')}: a copy, not a shared runtime, but one vendor build for all.`
          : '') +
        (publicCode ? ' An image comes from a public registry.' : '') +
        (foreignCode ? ' Code is fetched from another account.' : ''),
      sharedWith: publicCode ? 'public' : foreignCode ? 'other-account' : 'vendor',
      crossesBoundary: publicCode || foreignCode,
      evidence,
    });
  }
  for (const t of tenant.ofType('AWS::ECS::TaskDefinition')) {
    for (const c of t.stack.elements(t.props.ContainerDefinitions)) {
      const vals = t.stack.valuesAt(c, ['Image']);
      const image = vals.length === 1 ? (litString(vals[0]!) ?? describe(vals[0]!)) : undefined;
      if (!image) continue;
      const acct = ECR_IMAGE.exec(image)?.[1];
      const pub = vals.length === 1 && litString(vals[0]!) !== undefined && isPublicImage(image);
      items.push({
        area: 'code',
        title: `Container image of ${t.id}`,
        detail: pub
          ? 'The image is pulled from a registry outside the tenant account (a public or third-party registry).'
          : foreign(acct)
            ? `The image is pulled from an ECR repository in account ${acct}.`
            : 'The image is built by the vendor and pulled from ECR in the tenant account.',
        sharedWith: pub ? 'public' : foreign(acct) ? 'other-account' : 'vendor',
        crossesBoundary: pub || foreign(acct),
        evidence: [
          { stack: t.stack.name, resource: t.id, path: 'Properties.ContainerDefinitions[].Image', value: image },
        ],
      });
    }
  }

  // Compute on shared AWS fleets; the verifier.
  const verifierFns = fns.filter((f) => /verif/i.test(`${f.id} ${cdkPath(f)}`));
  if (fns.length > 0) {
    const attached = fns.filter((f) => f.stack.nodesAt(f.props, ['VpcConfig', 'SubnetIds']).length > 0);
    items.push({
      area: 'compute',
      title: `${fns.length} Lambda function${fns.length === 1 ? '' : 's'} on the shared Lambda fleet`,
      detail:
        `${fns.length - attached.length} run${fns.length - attached.length === 1 ? 's' : ''} outside the tenant VPCs, on the shared Lambda fleet and network, and reach AWS APIs over their public endpoints` +
        (attached.length
          ? `; ${attached.length} ${attached.length === 1 ? 'is' : 'are'} attached to tenant VPCs through network interfaces but still run on the shared, multi-tenant Lambda fleet`
          : '') +
        '. Lambda has no dedicated tenancy.',
      sharedWith: 'aws',
      crossesBoundary: false,
      evidence: fns.map((f) => ({
        stack: f.stack.name,
        resource: f.id,
        path: 'Properties.VpcConfig',
        value: attached.includes(f) ? 'tenant VPC' : '(not set: outside the VPCs)',
      })),
    });
  }
  const machines = tenant.ofType('AWS::StepFunctions::StateMachine');
  if (machines.length > 0) {
    items.push({
      area: 'compute',
      title: `${machines.length} Step Functions state machine${machines.length === 1 ? '' : 's'}`,
      detail: 'Step Functions runs on the shared AWS service, outside the tenant VPCs.',
      sharedWith: 'aws',
      crossesBoundary: false,
      evidence: machines.map((m) => ({ stack: m.stack.name, resource: m.id, path: '-', value: m.type })),
    });
  }
  items.push({
    area: 'verifier',
    title: verifierFns.length ? 'Live isolation verifier' : 'Isolation verifier',
    detail: verifierFns.length
      ? 'The live verifier runs as a Lambda function outside the VPC on shared Lambda infrastructure and reads the account through the AWS APIs; it is vendor code. ' +
        'The synth-time checks ran in the build environment that synthesized these templates (the vendor CI), and this report was generated wherever `exclusive-desk report` ran. Re-run `verify` yourself to depend on none of them.'
      : 'No live verifier is deployed by these templates. The synth-time checks ran in the build environment that synthesized them (the vendor CI), and this report was generated wherever `exclusive-desk report` ran: ' +
        'both are vendor-operated unless you re-run `exclusive-desk verify` yourself (see Integrity).',
    sharedWith: 'vendor',
    crossesBoundary: false,
    evidence: verifierFns.map((f) => ({
      stack: f.stack.name,
      resource: f.id,
      path: 'Metadata.aws:cdk:path',
      value: cdkPath(f) || f.id,
    })),
  });

  // DNS.
  const dnsEvidence: SharedEvidence[] = [];
  for (const v of tenant.ofType('AWS::EC2::VPC')) {
    const support =
      v.props.EnableDnsSupport === undefined ? 'true (default)' : (str(v, ['EnableDnsSupport']) ?? 'unresolved');
    dnsEvidence.push({ stack: v.stack.name, resource: v.id, path: 'Properties.EnableDnsSupport', value: support });
  }
  if (dnsEvidence.length > 0) {
    items.push({
      area: 'dns',
      title: 'Amazon-provided DNS',
      detail:
        'Name resolution inside the VPCs uses the Amazon-provided resolver (Route 53 Resolver), a shared AWS service. The database and ' +
        'search endpoints are names in AWS-owned zones (`*.rds.amazonaws.com`, `*.es.amazonaws.com`) that resolve to private addresses.',
      sharedWith: 'aws',
      crossesBoundary: false,
      evidence: dnsEvidence,
    });
  }
  const zones = new Set(tenant.ofType('AWS::Route53::HostedZone').map((z) => z.id));
  for (const r of tenant.ofType('AWS::Route53::RecordSet', 'AWS::Route53::RecordSetGroup')) {
    const zoneVals = [...r.stack.resolve(r.props.HostedZoneId), ...r.stack.resolve(r.props.HostedZoneName)].filter(
      (v) => v.k !== 'absent',
    );
    const own = zoneVals.length > 0 && zoneVals.every((v) => zones.has(targetResource(v)?.id ?? ''));
    items.push({
      area: 'dns',
      title: `DNS record ${r.id}`,
      detail: own
        ? 'A record in a hosted zone the tenant defines.'
        : "A record in a hosted zone the templates do not define (the vendor's zone, shared by tenants).",
      sharedWith: own ? 'aws' : 'vendor',
      crossesBoundary: !own,
      evidence: zoneVals.map((v) => ({
        stack: r.stack.name,
        resource: r.id,
        path: 'Properties.HostedZoneId|HostedZoneName',
        value: litString(v) ?? describe(v),
      })),
    });
  }

  // Telemetry.
  const logGroups = tenant.ofType('AWS::Logs::LogGroup');
  if (logGroups.length > 0) {
    items.push({
      area: 'telemetry',
      title: `${logGroups.length} CloudWatch Logs log group${logGroups.length === 1 ? '' : 's'}`,
      detail:
        'Logs stay in log groups of the tenant account, encrypted with tenant keys where ISO-KMS-1 says so; CloudWatch Logs itself is a shared AWS service.',
      sharedWith: 'aws',
      crossesBoundary: false,
      evidence: logGroups.map((g) => ({
        stack: g.stack.name,
        resource: g.id,
        path: 'Properties.LogGroupName',
        value: str(g, ['LogGroupName']) ?? '(generated name)',
      })),
    });
  }
  const destinations: SharedEvidence[] = [];
  let destForeign = false;
  const destination = (r: ResourceRef, path: string, value: string): void => {
    destinations.push({ stack: r.stack.name, resource: r.id, path, value });
    if (foreign(accountOfArn(value)) || /^https?:\/\//.test(value) || /@/.test(value)) destForeign = true;
  };
  for (const f of tenant.ofType('AWS::EC2::FlowLog')) {
    const dest = str(f, ['LogDestination']);
    if (dest && !dest.startsWith('Ref ') && !dest.startsWith('Fn::GetAtt'))
      destination(f, 'Properties.LogDestination', dest);
  }
  for (const s of tenant.ofType('AWS::Logs::SubscriptionFilter'))
    destination(s, 'Properties.DestinationArn', str(s, ['DestinationArn']) ?? '(unresolved)');
  for (const s of tenant.ofType('AWS::CloudWatch::MetricStream'))
    destination(s, 'Properties.FirehoseArn', str(s, ['FirehoseArn']) ?? '(unresolved)');
  for (const s of tenant.ofType('AWS::SNS::Subscription'))
    destination(s, 'Properties.Endpoint', str(s, ['Endpoint']) ?? '(unresolved)');
  for (const e of tenant.ofType('AWS::Events::Rule')) {
    for (const t of e.stack.elements(e.props.Targets)) {
      const arn = e.stack.valuesAt(t, ['Arn']).map((v) => litString(v) ?? describe(v))[0];
      if (arn && accountOfArn(arn)) destination(e, 'Properties.Targets[].Arn', arn);
    }
  }
  for (const f of tenant.ofType('AWS::Lambda::Function')) {
    for (const n of f.stack.nodesAt(f.props, ['Environment', 'Variables'])) {
      if (!n || typeof n !== 'object') continue;
      for (const [k, v] of Object.entries(n as Record<string, unknown>)) {
        if (typeof v === 'string' && /^https?:\/\//.test(v)) destination(f, `Properties.Environment.Variables.${k}`, v);
      }
    }
  }
  if (destinations.length > 0) {
    items.push({
      area: 'telemetry',
      title: 'Telemetry sent elsewhere',
      detail: destForeign
        ? 'Logs, metrics, events or notifications leave the tenant account (another account, an e-mail address or an HTTP endpoint).'
        : 'Logs, metrics or events are forwarded to the destinations below, all in the tenant account.',
      sharedWith: destForeign ? 'other-account' : 'aws',
      crossesBoundary: destForeign,
      evidence: destinations,
    });
  }

  // AWS services that act inside the account, and interface endpoints to shared AWS services.
  const services: SharedEvidence[] = [];
  for (const r of tenant.resources()) {
    walk(r.props, (node, pathOf) => {
      const path = pathOf();
      // Service principals of trust and key policies, and the services a key policy lets use the key for the tenant.
      if (!/\.Principal\.Service$|\.kms:ViaService$/.test(path)) return true;
      for (const el of Array.isArray(node) ? node : [node]) {
        for (const v of r.stack.resolve(el))
          services.push({ stack: r.stack.name, resource: r.id, path, value: litString(v) ?? describe(v) });
      }
      return false;
    });
  }
  for (const e of tenant.ofType('AWS::EC2::VPCEndpoint')) {
    const name = str(e, ['ServiceName']);
    if (name && !/vpce-svc-/.test(name))
      services.push({ stack: e.stack.name, resource: e.id, path: 'Properties.ServiceName', value: name });
  }
  if (services.length > 0) {
    const names = [...new Set(services.map((s) => s.value))];
    items.push({
      area: 'aws-services',
      title: "AWS services trusted by the tenant's roles and keys, and reached through endpoints",
      detail:
        `AWS-operated services act inside the account or are reached privately from the VPCs: ${names.join(', ')}. ` +
        'They are multi-tenant AWS services, outside any vendor control and outside the isolation this report verifies.',
      sharedWith: 'aws',
      crossesBoundary: false,
      evidence: dedupe(services.map((e) => ({ ...e, path: e.path.replace(/\.Statement\[\d+\]/, '.Statement[]') }))),
    });
  }

  // Keys: where key material lives.
  const kms = tenant.ofType('AWS::KMS::Key', 'AWS::KMS::ReplicaKey');
  const hsmKeys = [...tenant.resources()].filter(isHsmKeyResource);
  if (kms.length > 0 || hsmKeys.length > 0) {
    items.push({
      area: 'keys',
      title: hsmKeys.length ? 'AWS KMS front end for CloudHSM-backed keys' : 'AWS KMS',
      detail:
        (kms.length
          ? `${kms.length} key${kms.length === 1 ? ' is a' : 's are'} AWS KMS customer managed key${kms.length === 1 ? '' : 's'}: the keys are the tenant's, but their material lives in the AWS KMS hardware security modules shared by all AWS customers (FIPS 140-3 validated). `
          : '') +
        (hsmKeys.length
          ? `${hsmKeys.length} key${hsmKeys.length === 1 ? ' lives' : 's live'} in the tenant's own CloudHSM cluster (a custom key store); requests still pass through the shared AWS KMS service.`
          : ''),
      sharedWith: 'aws',
      crossesBoundary: false,
      evidence: [...kms, ...hsmKeys].map((k) => ({ stack: k.stack.name, resource: k.id, path: 'Type', value: k.type })),
    });
  }
  return items;
}

function dedupe(list: SharedEvidence[]): SharedEvidence[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = `${e.stack}|${e.resource}|${e.path}|${e.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
