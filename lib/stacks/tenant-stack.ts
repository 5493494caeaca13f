import { Aspects, CfnResource, Duration, Stack, TagManager, Tags, type IAspect, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct, IConstruct } from 'constructs';
import { LiveVerificationGate } from '../../constructs/live-verification-gate';
import { TenantAccess } from '../../constructs/tenant-access';
import { TenantDatabase } from '../../constructs/tenant-database';
import { TenantHsm } from '../../constructs/tenant-hsm';
import { DATA_CLASSES, TenantKeys, type DataClass } from '../../constructs/tenant-keys';
import { DEFAULT_INTERFACE_ENDPOINTS, TenantNetwork, stepFunctionsEndpointService } from '../../constructs/tenant-network';
import { TenantMonitoring } from '../../constructs/tenant-monitoring';
import { TenantSearch } from '../../constructs/tenant-search';
import { acknowledgeFindings } from '../compliance/acknowledgements';
import { isRegulated, logRetentionDays, minimumBackupRetentionDays } from '../compliance/retention';
import type { TenantManifest } from '../manifest/schema';
import { tenantStackName } from '../naming';
import { databaseSizing, postgresParameters, searchSizing } from '../sizing';
import { RetainExceptOnCreate, WithoutLambdaLoggingConfig, lambdaLoggingConfigAvailable } from './deploy-aspects';

/**
 * CDK's own singleton providers (e.g. the one behind `restrictDefaultSecurityGroup`) render their Lambda function
 * and role as plain `CfnResource`s without a tag manager, so `Tags.of` misses them; tag them explicitly.
 */
class TagUntaggableCdkResources implements IAspect {
  private static readonly TYPES = new Set(['AWS::Lambda::Function', 'AWS::IAM::Role']);
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || TagManager.isTaggable(node)) return;
    if (!TagUntaggableCdkResources.TYPES.has(node.cfnResourceType)) return;
    node.addPropertyOverride(
      'Tags',
      Object.entries(this.tags)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([Key, Value]) => ({ Key, Value })),
    );
  }
}

/** Tag keys every taggable resource of a tenant carries. */
export const TENANT_TAG = 'exclusive-desk:tenant';
export const ISOLATION_TAG = 'exclusive-desk:isolation';
export const COMPLIANCE_TAG = 'exclusive-desk:compliance';

/** The template metadata an auditor reads to know whose template it is (`Metadata.exclusive-desk`). */
export interface TenantTemplateMetadata {
  readonly tenant: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly isolation: TenantManifest['isolation'];
  readonly compliance: readonly string[];
  readonly licence: { readonly approvedBy: string; readonly reviewBy: string };
  /** The declared paths into the tenant, for the verifier to judge trust policies against (docs/access.md). */
  readonly access: TenantManifest['access'];
}

export interface TenantStackProps extends Omit<StackProps, 'env' | 'stackName' | 'terminationProtection'> {
  /** The validated manifest of the tenant; the stack's name, account, region and zones come from it. */
  readonly manifest: TenantManifest;
}

/**
 * Everything one exclusive tenant gets, in one stack in the tenant's own account and region, with termination
 * protection: keys, network, database, search and, at `hsm`, the CloudHSM-backed key store.
 *
 * Extension point: later constructs (the isolation verifier, the live-verification gate) are added to this stack
 * by the app and reach the tenant's resources through the public properties below.
 */
export class TenantStack extends Stack {
  public readonly manifest: TenantManifest;
  /** AWS KMS keys of the tenant (at `hsm`, only the control-plane classes logs and secrets). */
  public readonly keys: TenantKeys;
  /** The HSM-backed keys, at `hsm` only. */
  public readonly hsm?: TenantHsm;
  public readonly network: TenantNetwork;
  /** The database; absent in the `cluster` phase of the `hsm` level (no HSM keys yet, docs/hsm.md). */
  public readonly database?: TenantDatabase;
  /** The search domain; absent in the `cluster` phase of the `hsm` level. */
  public readonly search?: TenantSearch;
  /** Alarms, the alarm topic and the dashboard of the tenant's database and search domain; absent in the `cluster` phase. */
  public readonly monitoring?: TenantMonitoring;
  /** The key protecting each data class (HSM-backed at `hsm`); absent in the `cluster` phase. */
  public readonly dataKeys?: Readonly<Record<DataClass, kms.IKey>>;

  constructor(scope: Construct, props: TenantStackProps) {
    const m = props.manifest;
    const name = tenantStackName(m.id);
    super(scope, name, {
      ...props,
      stackName: name,
      env: { account: m.account, region: m.region },
      terminationProtection: true,
      description:
        props.description ?? `exclusive-desk tenant ${m.id}: isolation ${m.isolation}, ${m.compliance.join(', ') || 'no regime'}`,
    });
    this.manifest = m;
    const metadata: TenantTemplateMetadata = {
      tenant: m.id,
      account: m.account,
      region: m.region,
      partition: m.partition,
      isolation: m.isolation,
      compliance: [...m.compliance],
      licence: { approvedBy: m.licence.approvedBy, reviewBy: m.licence.reviewBy },
      access: m.access,
    };
    this.templateOptions.metadata = { 'exclusive-desk': metadata };

    const tags: Record<string, string> = { ...m.tags, [TENANT_TAG]: m.id, [ISOLATION_TAG]: m.isolation };
    if (m.compliance.length > 0) tags[COMPLIANCE_TAG] = m.compliance.join(' ');
    for (const [key, value] of Object.entries(tags)) Tags.of(this).add(key, value);
    Aspects.of(this).add(new TagUntaggableCdkResources(tags));
    // A failed first deploy leaves nothing retained behind (docs/deploy.md); GovCloud Lambda has no LoggingConfig.
    Aspects.of(this).add(new RetainExceptOnCreate());
    if (!lambdaLoggingConfigAvailable(m.region)) Aspects.of(this).add(new WithoutLambdaLoggingConfig());

    const dedicated = m.isolation !== 'account';
    const atHsm = m.isolation === 'hsm';
    const hsmPhase = m.hsm?.phase ?? 'complete';
    const logRetention = logRetentionDays(m.compliance);

    this.keys = new TenantKeys(this, 'Keys', {
      tenantId: m.id,
      dataClasses: atHsm ? ['logs', 'secrets'] : DATA_CLASSES,
    });

    this.network = new TenantNetwork(this, 'Network', {
      cidr: m.network.cidr,
      availabilityZones: m.availabilityZones,
      dedicatedTenancy: dedicated,
      searchCidr: m.network.searchCidr,
      logsKey: this.keys.key('logs'),
      flowLogRetention: logRetention,
      interfaceEndpoints: DEFAULT_INTERFACE_ENDPOINTS,
      ...(atHsm
        ? {
            searchInterfaceEndpoints: [
              ec2.InterfaceVpcEndpointAwsService.CLOUDHSM,
              ec2.InterfaceVpcEndpointAwsService.KMS,
              ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
              ec2.InterfaceVpcEndpointAwsService.LAMBDA,
              stepFunctionsEndpointService(m.region),
            ],
            searchS3GatewayEndpoint: true,
            ceremonyAccess: true,
          }
        : {}),
    });

    if (atHsm) {
      this.hsm = new TenantHsm(this, 'Hsm', {
        tenantId: m.id,
        clusterVpc: this.network.dataVpc,
        handlerVpc: this.network.searchVpc,
        hsmType: m.hsm?.hsmType,
        phase: hsmPhase,
        handlerVpcEndpoints: this.network.endpoints(this.network.searchVpc),
        adminSecurityGroup: this.network.adminSecurityGroup,
        controlPlaneLogsKey: this.keys.key('logs'),
        kmsUserSecretKey: this.keys.key('secrets'),
        logRetention,
        tags: { ...m.tags, [TENANT_TAG]: m.id, [ISOLATION_TAG]: m.isolation },
      });
    }
    const hsm = this.hsm;
    // The first deploy of the hsm level stops at the cluster: nothing can be encrypted before the ceremony.
    if (hsm && hsm.phase === 'cluster') {
      acknowledgeFindings(
        this,
        ['exclusive-desk-isolation::ISO-DATA-1', 'exclusive-desk-isolation::ISO-DATA-2'],
        'hsm.phase cluster (docs/hsm.md, ADR 0014): the first deploy of the hsm level holds no tenant data yet; the ' +
          'database and the search domain come with hsm.phase complete, on the HSM-backed keys',
      );
      return;
    }
    // At hsm the network's logs move to the HSM logs key too; only the HSM control plane stays on AWS KMS keys.
    if (hsm) this.network.useLogsKey(hsm.key('logs'));
    const dataKeys = {} as Record<DataClass, kms.IKey>;
    for (const c of DATA_CLASSES) dataKeys[c] = hsm ? hsm.key(c) : this.keys.key(c);
    this.dataKeys = dataKeys;

    const db = databaseSizing(m.workload, m.database?.instanceClass);
    this.database = new TenantDatabase(this, 'Database', {
      tenantId: m.id,
      vpc: this.network.dataVpc,
      dedicatedTenancy: dedicated,
      instanceType: new ec2.InstanceType(db.instanceClass.replace(/^db\./, '')),
      engineVersion: m.database?.postgresMajorVersion === 17 ? rds.PostgresEngineVersion.VER_17 : rds.PostgresEngineVersion.VER_16,
      allocatedStorageGiB: db.allocatedStorageGiB,
      maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
      parameters: postgresParameters({ maxConnections: db.connections.maxConnections, audit: isRegulated(m.compliance) }),
      storageKey: dataKeys.database,
      secretKey: dataKeys.secrets,
      logsKey: dataKeys.logs,
      backupKey: dataKeys.backup,
      allowedClients: [this.network.appSecurityGroup],
      backupRetention: Duration.days(m.database?.backupRetentionDays ?? minimumBackupRetentionDays(m.compliance)),
      logRetention,
    });

    const search = searchSizing(m.workload, {
      dataNodes: m.search?.dataNodes,
      instanceType: m.search?.instanceType,
    });
    this.search = new TenantSearch(this, 'Search', {
      tenantId: m.id,
      vpc: this.network.searchVpc,
      encryptionKey: dataKeys.search,
      logsKey: dataKeys.logs,
      allowedClients: [this.network.appSecurityGroup],
      dataNodes: search.dataNodes,
      dataNodeInstanceType: search.dataNodeInstanceType,
      masterNodes: search.masterNodes,
      masterNodeInstanceType: search.masterNodeInstanceType,
      volumeSizeGiB: search.volumeSizeGiB,
      logRetention,
    });

    this.monitoring = new TenantMonitoring(this, 'Monitoring', {
      tenantId: m.id,
      topicKey: dataKeys.logs,
      database: this.database.instance,
      databaseIdentifier: this.database.instanceIdentifier,
      maxConnections: db.connections.maxConnections,
      allocatedStorageGiB: db.allocatedStorageGiB,
      databaseMemoryGiB: db.memoryGiB,
      domain: this.search.domain,
      searchVolumeGiB: search.volumeSizeGiB,
      searchNodes: search.dataNodes + search.masterNodes,
      dedicatedMasters: search.masterNodes > 0,
    });

    // The declared customer and break-glass paths into the tenant, each a role enforcing its constraints (docs/access.md).
    new TenantAccess(this, 'Access', {
      tenant: m.id,
      paths: m.access.map((a) => ({ kind: a.kind, principal: a.principal, ...a.constraints })),
    });

    // --- Live verification gate (docs/live-verification.md; owned by the live-verification work) ---------------
    // After the stateful resources exist, verifies the deployed state with the live rules and fails the deployment
    // below the promised level; the same function runs as the scheduled drift check (manifest verification.schedule).
    new LiveVerificationGate(this, 'LiveVerification', {
      tenantId: m.id,
      level: m.isolation,
      logsKey: dataKeys.logs,
      verifies: [this.keys, this.network, this.database, this.search, ...(hsm ? [hsm] : [])],
      schedule: m.verification?.schedule ? events.Schedule.expression(m.verification.schedule) : undefined,
      logRetention,
    });
    // --- end of the live verification gate -----------------------------------------------------------------
  }

  /** Zones come from the manifest: no context lookup, no cdk.context.json (ADR 0002). */
  public override get availabilityZones(): string[] {
    return [...this.manifest.availabilityZones];
  }
}
