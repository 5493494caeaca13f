import * as path from 'node:path';
import { CfnOutput, CustomResource, Duration, RemovalPolicy, Stack, type CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';
import {
  acknowledgeFindings,
  acknowledgeRule,
  managedPolicyFinding,
  wildcardFinding,
} from '../lib/compliance/acknowledgements';
import { HSM_RESOURCE_TYPES } from '../lib/hsm/types';
import { lambdaLoggingConfigAvailable } from '../lib/stacks/deploy-aspects';
import { customKeyStoreName, keyAliasName } from '../lib/naming';
import { DATA_CLASSES, keyConstructId, tenantKeyPolicy, type DataClass } from './tenant-keys';

/** Template metadata key marking the HSM control plane: resources that must exist before the HSM-backed keys. */
export const HSM_CONTROL_PLANE_METADATA = 'exclusive-desk:hsm-control-plane';

/**
 * Marks a resource as part of the HSM control plane (encrypted with an AWS KMS key of the tenant, because it must
 * exist before the HSM-backed keys). The isolation verifier treats these, and only these, as exempt from HSM keys.
 */
export function markHsmControlPlane(construct: Construct, reason: string): void {
  (construct.node.defaultChild as CfnResource).addMetadata(HSM_CONTROL_PLANE_METADATA, { reason });
}

/** CloudHSM instance types a cluster may use. */
export const HSM_TYPES = ['hsm1.medium', 'hsm2m.medium'] as const;
export type HsmType = (typeof HSM_TYPES)[number];

/**
 * The deploys of the `hsm` level (ADR 0014, docs/hsm.md). CloudFormation gives a custom resource at most one hour
 * (`ServiceTimeout` 1-3600 s, AWS::CloudFormation::CustomResource, CloudFormation Template Reference) and the
 * initialisation of a cluster is done by a person, so no deploy waits for it:
 * - `cluster`: the cluster and its first HSM (and the kmsuser secret); then the operator's ceremony, out of band;
 * - `complete`: the key store (which fails at once, naming what is missing, if the ceremony is not finished), the
 *   HSM-backed keys, and everything they encrypt.
 */
export const HSM_PHASES = ['cluster', 'complete'] as const;
export type HsmPhase = (typeof HSM_PHASES)[number];

/** CloudFormation's limit for one custom resource operation, in seconds (ServiceTimeout maximum). */
export const CUSTOM_RESOURCE_MAX_SECONDS = 3600;

export interface TenantHsmProps {
  /** The tenant id; names the key store, the key aliases and the tags. */
  readonly tenantId: string;
  /**
   * The VPC of the cluster's HSM interfaces (the tenant's data VPC).
   *
   * IMPORTANT: changing it (or `clusterSubnets`) is refused by the handler: the cluster is never replaced.
   */
  readonly clusterVpc: ec2.IVpc;
  /**
   * Subnets of the cluster (at least 2 zones).
   * @default - the isolated subnets of `clusterVpc`
   */
  readonly clusterSubnets?: ec2.SubnetSelection;
  /**
   * A default-tenancy VPC for the handler functions (Lambda cannot attach to a dedicated-tenancy VPC). It needs
   * interface endpoints for CloudHSM, KMS, Secrets Manager, Lambda and Step Functions and an S3 gateway endpoint.
   */
  readonly handlerVpc: ec2.IVpc;
  /**
   * Subnets of the handler functions.
   * @default - the isolated subnets of `handlerVpc`
   */
  readonly handlerSubnets?: ec2.SubnetSelection;
  /**
   * Which deploy of the `hsm` level this is: `cluster` creates only the cluster (and its first HSM) and the kmsuser
   * secret; `complete` adds the key store and the HSM-backed keys, which need the initialised cluster.
   * @default 'complete'
   */
  readonly phase?: HsmPhase;
  /**
   * The VPC endpoints the handlers reach AWS through (`TenantNetwork.endpoints(handlerVpc)`): every custom resource
   * waits for them, so no handler starts in a subnet without its way to the APIs.
   * @default - no dependency (the endpoints must then exist before this construct's resources)
   */
  readonly handlerVpcEndpoints?: IDependable;
  /**
   * The security group of the operator's temporary admin instance in `clusterVpc` (`TenantNetwork.adminSecurityGroup`):
   * the cluster's security group admits it on 2223-2225 (the CloudHSM client ports) and it may reach the cluster
   * there. With it, an instance role and profile for that instance are created (Session Manager, the kmsuser secret).
   * @default - no admin access (the cluster security group is left as CloudHSM creates it)
   */
  readonly adminSecurityGroup?: ec2.SecurityGroup;
  /**
   * CloudHSM instance type.
   *
   * IMPORTANT: it cannot change on an existing cluster.
   * @default hsm2m.medium
   */
  readonly hsmType?: HsmType;
  /** An AWS KMS key of the tenant for the handler, framework and waiter log groups (they exist before the HSM). */
  readonly controlPlaneLogsKey: kms.IKey;
  /** An AWS KMS key of the tenant for the kmsuser password secret. */
  readonly kmsUserSecretKey: kms.IKey;
  /**
   * The data classes to create an HSM-backed key for.
   * @default DATA_CLASSES
   */
  readonly dataClasses?: readonly DataClass[];
  /**
   * Retention of the control-plane log groups.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * How long one custom resource operation may poll (creating the first HSM, connecting the key store). It stays
   * below CloudFormation's one-hour limit for a custom resource; nothing waits for a person.
   * @default Duration.minutes(50)
   */
  readonly totalTimeout?: Duration;
  /**
   * Polling interval of the waits.
   * @default Duration.minutes(1)
   */
  readonly queryInterval?: Duration;
  /**
   * Tags the handler puts on the cluster and keys (custom resources are not tagged by CloudFormation).
   * @default - `exclusive-desk:tenant`
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Keys whose material lives in the tenant's own CloudHSM cluster, through an AWS KMS custom key store.
 *
 * CloudFormation can create neither the cluster nor keys in a custom key store, so three custom resource types
 * (one Provider with `isComplete` polling, handlers in lib/hsm) model them: the cluster with its first HSM, the key
 * store (which waits for the operator's out-of-band initialisation, docs/hsm.md, then creates and connects), and
 * one key per data class with the same key policy as `TenantKeys`. Every one is retained: a stack operation never
 * deletes HSM material.
 */
export class TenantHsm extends Construct {
  public readonly phase: HsmPhase;
  public readonly cluster: CustomResource;
  /** The custom key store, at phase `complete`. */
  public readonly keyStore?: CustomResource;
  /** The role of the operator's admin instance, with `adminSecurityGroup`. */
  public readonly adminInstanceRole?: iam.Role;
  /** The secret holding the kmsuser password (generated) and the trust anchor certificate (added by the operator). */
  public readonly kmsUserSecret: secretsmanager.Secret;
  /** The HSM-backed keys by data class, as `kms.IKey` for the data constructs. */
  public readonly keys: Readonly<Partial<Record<DataClass, kms.IKey>>>;
  /** The HSM key custom resources by data class. */
  public readonly keyResources: Readonly<Partial<Record<DataClass, CustomResource>>>;
  public readonly provider: cr.Provider;
  public readonly handlerRole: iam.Role;
  public readonly onEventHandler: nodejs.NodejsFunction;
  public readonly isCompleteHandler: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: TenantHsmProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const hsmType = props.hsmType ?? 'hsm2m.medium';
    if (!HSM_TYPES.includes(hsmType)) throw new Error(`hsmType must be one of ${HSM_TYPES.join(', ')}, got ${hsmType}`);
    const phase = props.phase ?? 'complete';
    if (!HSM_PHASES.includes(phase)) throw new Error(`phase must be one of ${HSM_PHASES.join(', ')}, got ${phase}`);
    this.phase = phase;
    const totalTimeout = props.totalTimeout ?? Duration.minutes(50);
    // Margin for the framework's own start and report inside CloudFormation's hour.
    if (totalTimeout.toSeconds() > CUSTOM_RESOURCE_MAX_SECONDS - 300) {
      throw new Error(
        `totalTimeout must be at most 55 minutes (CloudFormation gives a custom resource at most ${CUSTOM_RESOURCE_MAX_SECONDS} s), got ${totalTimeout.toHumanString()}`,
      );
    }
    const classes = props.dataClasses ?? DATA_CLASSES;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const tags = Object.entries(props.tags ?? { 'exclusive-desk:tenant': props.tenantId }).map(([Key, Value]) => ({
      Key,
      Value,
    }));
    const clusterSubnets = props.clusterVpc.selectSubnets(
      props.clusterSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    );
    if (clusterSubnets.subnetIds.length < 2) {
      throw new Error(`clusterSubnets must select subnets in at least 2 zones, got ${clusterSubnets.subnetIds.length}`);
    }
    const handlerSubnets = props.handlerSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

    this.kmsUserSecret = new secretsmanager.Secret(this, 'KmsUserSecret', {
      description: `exclusive-desk ${props.tenantId}: kmsuser crypto-user password and trust anchor of the CloudHSM key store`,
      encryptionKey: props.kmsUserSecretKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ trustAnchorCertificate: '' }),
        generateStringKey: 'kmsuserPassword',
        passwordLength: 32,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    markHsmControlPlane(
      this.kmsUserSecret,
      'The key store cannot be created without this password, so it cannot be encrypted by a key in that store',
    );
    const logGroup = (cid: string): logs.LogGroup => {
      const group = new logs.LogGroup(this, cid, {
        encryptionKey: props.controlPlaneLogsKey,
        retention,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      markHsmControlPlane(group, 'Logs of the functions that create the HSM keys exist before those keys do');
      return group;
    };

    this.handlerRole = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `exclusive-desk ${props.tenantId}: CloudHSM cluster, key store and HSM key handlers`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
    });
    const arn = (service: string, resource: string): string =>
      `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;
    // A customer-managed policy (no inline policy), every statement scoped as far as the API allows.
    const handlerPolicy = new iam.ManagedPolicy(this, 'HandlerPolicy', {
      description: `exclusive-desk ${props.tenantId}: what the HSM custom resource handlers may do`,
      roles: [this.handlerRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'CloudHsmCluster',
          // DeleteHsm/DeleteCluster: only for an UNINITIALIZED cluster whose creating deploy rolls back (lib/hsm/cluster.ts).
          actions: [
            'cloudhsm:CreateCluster',
            'cloudhsm:CreateHsm',
            'cloudhsm:DescribeClusters',
            'cloudhsm:TagResource',
            'cloudhsm:DeleteHsm',
            'cloudhsm:DeleteCluster',
          ],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
        }),
        new iam.PolicyStatement({
          sid: 'CloudHsmClusterNetwork',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeNetworkInterfaceAttribute',
            'ec2:DetachNetworkInterface',
            'ec2:DeleteNetworkInterface',
            'ec2:CreateSecurityGroup',
            'ec2:AuthorizeSecurityGroupIngress',
            'ec2:AuthorizeSecurityGroupEgress',
            'ec2:RevokeSecurityGroupEgress',
            'ec2:DescribeSecurityGroups',
            'ec2:DeleteSecurityGroup',
            'ec2:CreateTags',
            'ec2:DescribeSubnets',
            'ec2:DescribeVpcs',
            'ec2:DescribeAvailabilityZones',
          ],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
        }),
        new iam.PolicyStatement({
          sid: 'ServiceLinkedRoles',
          actions: ['iam:CreateServiceLinkedRole'],
          resources: [`arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/*`],
          conditions: { StringEquals: { 'iam:AWSServiceName': ['cloudhsm.amazonaws.com', 'cks.kms.amazonaws.com'] } },
        }),
        new iam.PolicyStatement({
          sid: 'CustomKeyStore',
          actions: ['kms:CreateCustomKeyStore', 'kms:ConnectCustomKeyStore', 'kms:DescribeCustomKeyStores'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
        }),
        new iam.PolicyStatement({
          sid: 'CreateHsmKeys',
          actions: ['kms:CreateKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:KeyOrigin': 'AWS_CLOUDHSM', 'aws:RequestedRegion': stack.region } },
        }),
        new iam.PolicyStatement({
          // CreateKey with Tags: "To add tags while creating a KMS key, the principal must have [kms:TagResource]
          // permission in an IAM policy that isn't restricted to particular KMS keys" (KMS Developer Guide,
          // "Controlling access to tags", https://docs.aws.amazon.com/kms/latest/developerguide/tag-permissions.html):
          // every key of the account and region, pinned by the tenant tag the request carries.
          sid: 'TagHsmKeysAtCreation',
          actions: ['kms:TagResource'],
          resources: [arn('kms', 'key/*')],
          conditions: { StringEquals: { [`aws:RequestTag/exclusive-desk:tenant`]: props.tenantId } },
        }),
        new iam.PolicyStatement({
          sid: 'ManageHsmKeys',
          actions: ['kms:DescribeKey', 'kms:PutKeyPolicy', 'kms:UpdateKeyDescription', 'kms:TagResource'],
          resources: [arn('kms', 'key/*')],
          conditions: { StringEquals: { 'kms:KeyOrigin': 'AWS_CLOUDHSM' } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadKmsUserSecret',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [this.kmsUserSecret.secretArn],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptKmsUserSecret',
          actions: ['kms:Decrypt'],
          resources: [props.kmsUserSecretKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` } },
        }),
      ],
    });

    const handlerSg = new ec2.SecurityGroup(this, 'HandlerSecurityGroup', {
      vpc: props.handlerVpc,
      description: `exclusive-desk ${props.tenantId}: HSM handlers, HTTPS to AWS APIs through VPC endpoints only`,
      allowAllOutbound: false,
    });
    // Isolated subnets: 443 reaches only the VPC's interface endpoints and the S3 gateway endpoint.
    handlerSg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS API endpoints in the VPC');

    const handlerLogs = logGroup('HandlerLogs');
    const functionLogs: logs.LogGroup[] = [handlerLogs];
    const handler = (cid: string, entryPoint: 'onEvent' | 'isComplete', timeout: Duration): nodejs.NodejsFunction =>
      new nodejs.NodejsFunction(this, cid, {
        entry: path.join(__dirname, '..', 'lib', 'hsm', 'handler.ts'),
        handler: entryPoint,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        timeout,
        memorySize: 256,
        role: this.handlerRole,
        vpc: props.handlerVpc,
        vpcSubnets: handlerSubnets,
        securityGroups: [handlerSg],
        logGroup: handlerLogs,
        description: `exclusive-desk ${props.tenantId}: HSM custom resources (${entryPoint})`,
        bundling: {
          // Bundle the SDK clients the handlers were tested with instead of the runtime's copy.
          bundleAwsSDK: true,
          minify: true,
          sourceMap: false,
        },
      });
    this.onEventHandler = handler('OnEventHandler', 'onEvent', Duration.minutes(2));
    this.isCompleteHandler = handler('IsCompleteHandler', 'isComplete', Duration.minutes(2));

    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventHandler,
      isCompleteHandler: this.isCompleteHandler,
      queryInterval: props.queryInterval ?? Duration.minutes(1),
      totalTimeout,
      vpc: props.handlerVpc,
      vpcSubnets: handlerSubnets,
      securityGroups: [handlerSg],
      logGroup: (() => {
        const g = logGroup('ProviderLogs');
        functionLogs.push(g);
        return g;
      })(),
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        // No explicit name: a retained, named group would block the retry of a timed-out first deployment.
        destination: logGroup('WaiterLogs'),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });

    if (!lambdaLoggingConfigAvailable(stack.region)) {
      // GovCloud: no LoggingConfig (lib/stacks/deploy-aspects.ts), so each function needs a log group of its own, which
      // becomes /aws/lambda/<function name>; the shared groups stay with the first function of each pair.
      const own = (fn: lambda.Function, cid: string): void => {
        const group = logGroup(cid);
        functionLogs.push(group);
        (fn.node.defaultChild as lambda.CfnFunction).loggingConfig = { logGroup: group.logGroupName };
      };
      own(this.isCompleteHandler, 'IsCompleteHandlerLogs');
      own(this.provider.node.findChild('framework-isComplete') as lambda.Function, 'ProviderIsCompleteLogs');
      own(this.provider.node.findChild('framework-onTimeout') as lambda.Function, 'ProviderOnTimeoutLogs');
      // Step Functions in GovCloud is reached through its FIPS endpoint only (stepFunctionsEndpointService); the
      // framework's SDK client is pointed there with the service-specific endpoint variable of the AWS SDKs
      // ("Service-specific endpoints", AWS SDKs and Tools Reference Guide,
      // https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html; identifier SFN).
      (this.provider.node.findChild('framework-onEvent') as lambda.Function).addEnvironment(
        'AWS_ENDPOINT_URL_SFN',
        `https://states-fips.${stack.region}.${stack.urlSuffix}`,
      );
    }

    const resource = (cid: string, resourceType: string, properties: Record<string, unknown>): CustomResource => {
      const r = new CustomResource(this, cid, {
        serviceToken: this.provider.serviceToken,
        resourceType,
        properties,
        removalPolicy: RemovalPolicy.RETAIN,
        serviceTimeout: Duration.seconds(CUSTOM_RESOURCE_MAX_SECONDS),
      });
      if (props.handlerVpcEndpoints) r.node.addDependency(props.handlerVpcEndpoints);
      // The handlers' log groups exist before the first invocation (else Lambda creates them, unencrypted).
      r.node.addDependency(...functionLogs);
      return r;
    };

    this.cluster = resource('Cluster', HSM_RESOURCE_TYPES.cluster, {
      HsmType: hsmType,
      SubnetIds: clusterSubnets.subnetIds,
      VpcId: props.clusterVpc.vpcId,
      Tags: tags,
    });
    new CfnOutput(this, 'ClusterId', {
      description: 'The tenant CloudHSM cluster to initialise (docs/hsm.md)',
      value: this.cluster.getAttString('ClusterId'),
    });
    new CfnOutput(this, 'KmsUserSecretArn', {
      description: 'The kmsuser password and, after the ceremony, the trust anchor (docs/hsm.md)',
      value: this.kmsUserSecret.secretArn,
    });
    if (props.adminSecurityGroup) this.adminInstanceRole = this.addAdminAccess(props.adminSecurityGroup);

    const keys: Partial<Record<DataClass, kms.IKey>> = {};
    const keyResources: Partial<Record<DataClass, CustomResource>> = {};
    this.keys = keys;
    this.keyResources = keyResources;
    this.acknowledgeByDesign(handlerPolicy);
    if (phase === 'cluster') return;

    this.keyStore = resource('KeyStore', HSM_RESOURCE_TYPES.keyStore, {
      CustomKeyStoreName: customKeyStoreName(props.tenantId),
      CloudHsmClusterId: this.cluster.getAttString('ClusterId'),
      KmsUserSecretArn: this.kmsUserSecret.secretArn,
    });

    for (const dataClass of classes) {
      const cid = keyConstructId(dataClass);
      const keyResource = resource(cid, HSM_RESOURCE_TYPES.key, {
        Origin: 'AWS_CLOUDHSM',
        CustomKeyStoreId: this.keyStore.getAttString('CustomKeyStoreId'),
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        Description: `exclusive-desk ${props.tenantId}: ${dataClass} data (CloudHSM)`,
        Policy: tenantKeyPolicy(this, dataClass),
        Tags: tags,
      });
      new kms.CfnAlias(this, `${cid}Alias`, {
        aliasName: keyAliasName(props.tenantId, `hsm/${dataClass}`),
        targetKeyId: keyResource.getAttString('KeyId'),
      });
      keyResources[dataClass] = keyResource;
      keys[dataClass] = kms.Key.fromKeyArn(this, `${cid}Ref`, keyResource.getAttString('Arn'));
    }
  }

  /**
   * The operator's path to the HSMs for the ceremony: the cluster's security group (created by CloudHSM, known once
   * the cluster exists) admits the admin group on 2223-2225, the ports of the CloudHSM client ("Configure the Client
   * Amazon EC2 instance security groups", AWS CloudHSM User Guide,
   * https://docs.aws.amazon.com/cloudhsm/latest/userguide/configure-sg-client-instance.html), and a role for the
   * temporary admin instance: Session Manager (no SSH, no key pair), the kmsuser secret, and the CloudHSM client
   * package the operator stages in a bucket of this account.
   */
  private addAdminAccess(admin: ec2.SecurityGroup): iam.Role {
    const stack = Stack.of(this);
    const clusterSg = this.cluster.getAttString('SecurityGroup');
    new ec2.CfnSecurityGroupIngress(this, 'ClusterFromAdmin', {
      groupId: clusterSg,
      sourceSecurityGroupId: admin.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: 2223,
      toPort: 2225,
      description: 'CloudHSM client ports from the temporary admin instance (docs/hsm.md)',
    });
    new ec2.CfnSecurityGroupEgress(this, 'AdminToCluster', {
      groupId: admin.securityGroupId,
      destinationSecurityGroupId: clusterSg,
      ipProtocol: 'tcp',
      fromPort: 2223,
      toPort: 2225,
      description: 'CloudHSM client ports to the tenant cluster',
    });
    const role = new iam.Role(this, 'AdminInstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `exclusive-desk: temporary CloudHSM admin instance of the ceremony (docs/hsm.md)`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    const adminPolicy = new iam.ManagedPolicy(this, 'AdminInstancePolicy', {
      description: 'The admin instance reads the kmsuser password and the staged CloudHSM client package',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadKmsUserSecret',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [this.kmsUserSecret.secretArn],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptKmsUserSecret',
          actions: ['kms:Decrypt'],
          resources: [this.kmsUserSecret.encryptionKey!.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadStagedPackages',
          actions: ['s3:GetObject'],
          resources: [`arn:${stack.partition}:s3:::*/*`],
          conditions: { StringEquals: { 's3:ResourceAccount': stack.account } },
        }),
      ],
    });
    const profile = new iam.CfnInstanceProfile(this, 'AdminInstanceProfile', { roles: [role.roleName] });
    new CfnOutput(this, 'AdminInstanceProfileName', {
      description: 'Instance profile of the temporary CloudHSM admin instance (docs/hsm.md)',
      value: profile.ref,
    });
    new CfnOutput(this, 'AdminSecurityGroupId', {
      description: 'Security group of the temporary CloudHSM admin instance (docs/hsm.md)',
      value: admin.securityGroupId,
    });
    acknowledgeFindings(
      role,
      [managedPolicyFinding('AmazonSSMManagedInstanceCore')],
      'The AWS-maintained Session Manager policy is the documented way to reach an instance without SSH or key pair',
    );
    acknowledgeFindings(
      adminPolicy,
      [wildcardFinding(`arn:${stack.partition}:s3:::*/*`)],
      'Object reads are limited by s3:ResourceAccount to buckets of the tenant account (the CloudHSM client package ' +
        'the operator stages there, docs/hsm.md); the bucket is the operator\'s choice',
    );
    return role;
  }

  /** The cdk-nag findings of the HSM control plane that are by design, each with its reason. */
  private acknowledgeByDesign(handlerPolicy: iam.ManagedPolicy): void {
    const stack = Stack.of(this);
    acknowledgeFindings(
      this.kmsUserSecret,
      ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled'],
      'The kmsuser password must equal the CloudHSM crypto-user password: rotating one without the other ' +
        'disconnects the key store, so it is rotated by the runbook in docs/hsm.md, never automatically',
    );
    acknowledgeFindings(
      handlerPolicy,
      [
        wildcardFinding('*'),
        wildcardFinding(`arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/*`),
        wildcardFinding(`arn:${stack.partition}:kms:${stack.region}:${stack.account}:key/*`),
      ],
      'CloudHSM CreateCluster/DescribeClusters, the EC2 calls CloudHSM makes for the cluster, and KMS ' +
        'CreateKey/custom-key-store calls support no resource-level permissions; each is pinned by condition to ' +
        'this region, to HSM-origin keys, or to the CloudHSM and KMS service-linked roles',
    );
    acknowledgeFindings(
      this.handlerRole,
      [managedPolicyFinding('service-role/AWSLambdaVPCAccessExecutionRole')],
      'AWS-maintained policy that lets the handlers attach to the VPC (ENIs) and write their own logs',
    );
    for (const fn of [this.onEventHandler, this.isCompleteHandler]) {
      this.acknowledgeLambda(fn);
    }
    // The Provider framework (CDK-owned functions, roles and waiter state machine).
    const framework = this.provider;
    this.acknowledgeLambda(framework);
    const fnRef = (f: lambda.IFunction): string =>
      `<${stack.getLogicalId(f.node.defaultChild as lambda.CfnFunction)}.Arn>:*`;
    const frameworkFns = ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout'].map(
      (n) => framework.node.findChild(n) as lambda.Function,
    );
    acknowledgeFindings(
      framework,
      [
        managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole'),
        managedPolicyFinding('service-role/AWSLambdaVPCAccessExecutionRole'),
      ],
      'CDK Provider framework roles: AWS-maintained execution and VPC-access policies for its own functions',
    );
    acknowledgeFindings(
      framework,
      [this.onEventHandler, this.isCompleteHandler, ...frameworkFns.slice(1)].map((f) => wildcardFinding(fnRef(f))),
      'CDK Provider framework: invoke permission on the handler functions and their versions (ARN:*) only',
    );
    acknowledgeFindings(
      framework.node.findChild('waiter-state-machine'),
      [wildcardFinding('*')],
      'Step Functions log delivery (logs:CreateLogDelivery and friends) supports no resource-level permissions',
    );
    acknowledgeRule(
      framework,
      'IAMNoInlinePolicy',
      'CDK Provider framework roles carry CDK-generated inline policies scoped to the framework functions and waiter',
    );
    acknowledgeFindings(
      framework.node.findChild('waiter-state-machine'),
      ['AwsSolutions-SF2'],
      'The waiter only polls isComplete; its executions are logged in full to an encrypted log group, X-Ray adds no evidence',
    );
  }

  private acknowledgeLambda(scope: Construct): void {
    acknowledgeRule(
      scope,
      'LambdaConcurrency',
      'Custom resource handlers run only during deployments, a few invocations at a time; reserved concurrency ' +
        'would fail deployment in accounts at the 10 unreserved minimum',
    );
    acknowledgeRule(
      scope,
      'LambdaDLQ',
      'Custom resource handlers are invoked synchronously by CloudFormation and the Provider framework, which ' +
        'report failures to the stack; there is no asynchronous event to dead-letter',
    );
  }

  /** The HSM-backed key of a data class; throws if it was not created. */
  public key(dataClass: DataClass): kms.IKey {
    const key = this.keys[dataClass];
    if (!key) throw new Error(`TenantHsm ${this.node.path} has no ${dataClass} key (dataClasses excludes it)`);
    return key;
  }
}
