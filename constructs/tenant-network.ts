import { Aspects, CfnResource, Fn, RemovalPolicy, Stack, Token, type IAspect } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, DependencyGroup, type IConstruct, type IDependable } from 'constructs';
import { cidrProblem } from '../lib/manifest/schema';
import { deriveSearchCidr } from '../lib/naming';
import { overlaps } from '../lib/manifest/load';
import { acknowledgeFindings } from '../lib/compliance/acknowledgements';

/** Interface endpoints for the AWS APIs the tenant's resources call from inside its VPC. */
export const DEFAULT_INTERFACE_ENDPOINTS: readonly ec2.InterfaceVpcEndpointAwsService[] = [
  ec2.InterfaceVpcEndpointAwsService.KMS,
  ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  ec2.InterfaceVpcEndpointAwsService.STS,
];

/**
 * The Step Functions interface endpoint of a region. In the GovCloud (US) regions AWS PrivateLink serves only the FIPS
 * endpoint of Step Functions ("AWS Step Functions in AWS GovCloud (US)", GovCloud User Guide,
 * https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-step-functions.html: "US GovCloud West Region only
 * supports AWS PrivateLink for FIPS endpoints"), so `com.amazonaws.<region>.states` does not exist there and the
 * endpoint is `com.amazonaws.<region>.states-fips` (the `-fips` service names of "AWS services that integrate with AWS
 * PrivateLink", https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html).
 */
export function stepFunctionsEndpointService(region: string): ec2.InterfaceVpcEndpointAwsService {
  return region.startsWith('us-gov-')
    ? new ec2.InterfaceVpcEndpointAwsService('states-fips')
    : ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS;
}

/**
 * The endpoints a Session Manager session into an instance in isolated subnets needs: ssm, ssmmessages and
 * ec2messages (Systems Manager User Guide, "Improve the security of EC2 instances by using VPC endpoints for Systems
 * Manager", https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html).
 */
export const SESSION_MANAGER_ENDPOINTS: readonly ec2.InterfaceVpcEndpointAwsService[] = [
  ec2.InterfaceVpcEndpointAwsService.SSM,
  ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
];

export interface TenantNetworkProps {
  /**
   * IPv4 CIDR of the data VPC (/16 to /24).
   *
   * IMPORTANT: changing it replaces the VPC and everything in it.
   */
  readonly cidr: string;
  /** Availability zones of the subnets (at least 3); never looked up. */
  readonly availabilityZones: readonly string[];
  /**
   * Put the database on dedicated hardware: the data VPC gets `InstanceTenancy: dedicated`, and a second,
   * default-tenancy VPC (OpenSearch runs only there) is peered with it and nothing else.
   *
   * IMPORTANT: changing it replaces the data VPC.
   * @default false - one default-tenancy VPC holds the database and the search domain
   */
  readonly dedicatedTenancy?: boolean;
  /**
   * IPv4 CIDR of the search VPC; only with `dedicatedTenancy`. Must not overlap `cidr`.
   *
   * IMPORTANT: changing it replaces the search VPC.
   * @default - the block of the same size next to `cidr` (see `deriveSearchCidr`)
   */
  readonly searchCidr?: string;
  /** The tenant key that encrypts the flow-log groups. */
  readonly logsKey: kms.IKey;
  /**
   * How long flow logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Interface endpoints in the data VPC.
   * @default DEFAULT_INTERFACE_ENDPOINTS (KMS, Secrets Manager, CloudWatch Logs, STS)
   */
  readonly interfaceEndpoints?: readonly ec2.InterfaceVpcEndpointAwsService[];
  /**
   * Interface endpoints in the search VPC (with `dedicatedTenancy`), e.g. for functions that run there because
   * Lambda cannot attach to a dedicated-tenancy VPC.
   * @default - none
   */
  readonly searchInterfaceEndpoints?: readonly ec2.InterfaceVpcEndpointAwsService[];
  /**
   * Add an S3 gateway endpoint to the search VPC (custom-resource handlers there answer CloudFormation through an
   * S3 presigned URL).
   * @default false
   */
  readonly searchS3GatewayEndpoint?: boolean;
  /**
   * A network path for the person who initialises the tenant's CloudHSM cluster (docs/hsm.md): Session Manager
   * endpoints (ssm, ssmmessages, ec2messages) and an S3 gateway endpoint in the data VPC, and `adminSecurityGroup`
   * for the temporary admin instance there.
   * @default false
   */
  readonly ceremonyAccess?: boolean;
}

/**
 * The tenant's own network: VPCs with isolated subnets only (no internet gateway, no NAT), VPC flow logs to a
 * log group encrypted with the tenant's logs key, the default security group stripped of all rules, and interface
 * endpoints for the AWS APIs. At `hardware` and `hsm` the database VPC runs on dedicated hardware and a second,
 * default-tenancy VPC for OpenSearch is joined to it by one peering between the two VPCs of the tenant.
 */
export class TenantNetwork extends Construct {
  /** The VPC of the database (dedicated tenancy with `dedicatedTenancy`). */
  public readonly dataVpc: ec2.Vpc;
  /** The VPC of the search domain: a second, default-tenancy VPC with `dedicatedTenancy`, else `dataVpc`. */
  public readonly searchVpc: ec2.Vpc;
  /** The peering between `dataVpc` and `searchVpc`, with `dedicatedTenancy`. */
  public readonly peering?: ec2.CfnVPCPeeringConnection;
  /** The security group the tenant's application tier attaches to; the only source the data stores admit. */
  public readonly appSecurityGroup: ec2.SecurityGroup;
  /** The flow-log groups by VPC construct id. */
  public readonly flowLogGroups: Readonly<Record<string, logs.LogGroup>>;
  /** Every log group of the network (flow logs, the default-security-group handler), all under the logs key. */
  public readonly logGroups: readonly logs.LogGroup[];
  /** The routes through `peering`, with `dedicatedTenancy`. */
  public readonly peeringRoutes: readonly ec2.CfnRoute[];
  /** The security group of the HSM admin instance in the data VPC, with `ceremonyAccess`. */
  public readonly adminSecurityGroup?: ec2.SecurityGroup;
  private readonly endpointGroups = new Map<ec2.IVpc, DependencyGroup>();

  constructor(scope: Construct, id: string, props: TenantNetworkProps) {
    super(scope, id);
    const problem = cidrProblem(props.cidr);
    if (problem) throw new Error(`cidr ${problem}`);
    if (props.availabilityZones.length < 3) {
      throw new Error(
        `availabilityZones must name at least 3 zones (Multi-AZ database, zone-aware search), got ${props.availabilityZones.length}: ${props.availabilityZones.join(', ')}`,
      );
    }
    const region = Stack.of(this).region;
    const foreign = props.availabilityZones.find((az) => !Token.isUnresolved(region) && !az.startsWith(region));
    if (foreign) throw new Error(`availabilityZones must be zones of ${region}, got ${foreign}`);
    const dedicated = props.dedicatedTenancy ?? false;
    if (props.searchCidr && !dedicated) {
      throw new Error(`searchCidr applies only with dedicatedTenancy: true, got ${props.searchCidr} without it`);
    }
    const searchCidr = dedicated ? (props.searchCidr ?? deriveSearchCidr(props.cidr)) : undefined;
    if (searchCidr) {
      const searchProblem = cidrProblem(searchCidr);
      if (searchProblem) throw new Error(`searchCidr ${searchProblem}`);
      if (overlaps(props.cidr, searchCidr)) {
        throw new Error(`searchCidr must not overlap cidr ${props.cidr}, got ${searchCidr}`);
      }
    }

    const stack = Stack.of(this);
    const retention = props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR;
    const flowLogGroups: Record<string, logs.LogGroup> = {};
    const makeVpc = (vpcId: string, cidr: string, tenancy: ec2.DefaultInstanceTenancy, subnetName: string): ec2.Vpc => {
      const logGroup = new logs.LogGroup(this, `${vpcId}FlowLogs`, {
        encryptionKey: props.logsKey,
        retention,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      flowLogGroups[vpcId] = logGroup;
      // Own role with a customer-managed policy (no inline policy), trusted only for this account's flow logs.
      const role = new iam.Role(this, `${vpcId}FlowLogRole`, {
        assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:vpc-flow-log/*` },
          },
        }),
        description: `VPC flow logs of ${vpcId} to its encrypted log group`,
      });
      new iam.ManagedPolicy(this, `${vpcId}FlowLogPolicy`, {
        description: `VPC flow logs of ${vpcId}: write to its own log group only`,
        roles: [role],
        statements: [
          new iam.PolicyStatement({
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
            resources: [logGroup.logGroupArn],
          }),
        ],
      });
      const vpc = new ec2.Vpc(this, vpcId, {
        ipAddresses: ec2.IpAddresses.cidr(cidr),
        availabilityZones: [...props.availabilityZones],
        defaultInstanceTenancy: tenancy,
        natGateways: 0,
        createInternetGateway: false,
        restrictDefaultSecurityGroup: true,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        subnetConfiguration: [{ name: subnetName, subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
        flowLogs: {
          All: {
            destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup, role.withoutPolicyUpdates()),
            trafficType: ec2.FlowLogTrafficType.ALL,
          },
        },
      });
      // Explicit: the VPC and its subnets outlive the stack, like the retained domain, keys and HSM whose network
      // interfaces sit in them (deleting a subnet under a retained resource would fail the stack delete anyway).
      vpc.applyRemovalPolicy(RemovalPolicy.RETAIN);
      for (const subnet of vpc.isolatedSubnets) subnet.applyRemovalPolicy(RemovalPolicy.RETAIN);
      acknowledgeFindings(
        vpc,
        ['CloudFormation-Validate::W3010'],
        'Availability zones come from the tenant manifest on purpose (ADR 0002): no context lookup, and the ' +
          'zones the tenant signed for are the zones in the template',
      );
      return vpc;
    };

    this.dataVpc = makeVpc(
      'DataVpc',
      props.cidr,
      dedicated ? ec2.DefaultInstanceTenancy.DEDICATED : ec2.DefaultInstanceTenancy.DEFAULT,
      'Data',
    );
    this.addEndpoints(this.dataVpc, props.cidr, [
      ...(props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS),
      ...(props.ceremonyAccess ? SESSION_MANAGER_ENDPOINTS : []),
    ]);
    if (props.ceremonyAccess) {
      // The admin instance installs the CloudHSM client from an S3 bucket of the tenant and the OS packages from the
      // regional repositories (both S3), through this gateway: the subnets have no other way out.
      this.addS3Gateway(this.dataVpc);
      const admin = new ec2.SecurityGroup(this, 'AdminSecurityGroup', {
        vpc: this.dataVpc,
        description: 'Temporary CloudHSM admin instance - HTTPS to VPC endpoints, 2223-2225 to the cluster (docs/hsm.md)',
        allowAllOutbound: false,
      });
      // Isolated subnets: 443 reaches only the VPC's interface endpoints and the S3 gateway endpoint.
      admin.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS API endpoints in the VPC');
      this.adminSecurityGroup = admin;
    }

    if (searchCidr) {
      this.searchVpc = makeVpc('SearchVpc', searchCidr, ec2.DefaultInstanceTenancy.DEFAULT, 'Search');
      this.addEndpoints(this.searchVpc, searchCidr, props.searchInterfaceEndpoints ?? []);
      if (props.searchS3GatewayEndpoint) this.addS3Gateway(this.searchVpc);
      // The only path between the tenant's two VPCs; both ends are this tenant's own VPCs (Refs, never ids).
      const peering = new ec2.CfnVPCPeeringConnection(this, 'DataSearchPeering', {
        vpcId: this.dataVpc.vpcId,
        peerVpcId: this.searchVpc.vpcId,
      });
      this.peering = peering;
      const routes: ec2.CfnRoute[] = [];
      const route = (vpc: ec2.Vpc, prefix: string, destination: string): void => {
        vpc.isolatedSubnets.forEach((subnet, i) => {
          routes.push(
            new ec2.CfnRoute(this, `${prefix}Route${i + 1}`, {
              routeTableId: subnet.routeTable.routeTableId,
              destinationCidrBlock: destination,
              vpcPeeringConnectionId: peering.ref,
            }),
          );
        });
      };
      route(this.dataVpc, 'DataToSearch', searchCidr);
      route(this.searchVpc, 'SearchToData', props.cidr);
      this.peeringRoutes = routes;
      Aspects.of(Stack.of(this)).add(new AwaitPeeringForCrossVpcRules(this));
    } else {
      this.peeringRoutes = [];
      if (props.searchInterfaceEndpoints?.length || props.searchS3GatewayEndpoint) {
        throw new Error('searchInterfaceEndpoints and searchS3GatewayEndpoint apply only with dedicatedTenancy: true');
      }
      this.searchVpc = this.dataVpc;
    }
    this.flowLogGroups = flowLogGroups;
    const handlerLogs = this.encryptDefaultSecurityGroupHandlerLogs(props.logsKey, retention);
    this.logGroups = [...Object.values(flowLogGroups), ...(handlerLogs ? [handlerLogs] : [])];

    this.appSecurityGroup = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc: this.dataVpc,
      description: 'Tenant application tier - the only source the tenant database and search domain admit',
      allowAllOutbound: false,
    });
  }

  /**
   * `restrictDefaultSecurityGroup` runs a CDK-provided function whose log group Lambda would create unencrypted on
   * first run; pre-create it, encrypted with the tenant logs key, before the default security groups are closed.
   */
  private encryptDefaultSecurityGroupHandlerLogs(
    logsKey: kms.IKey,
    retention: logs.RetentionDays,
  ): logs.LogGroup | undefined {
    const stack = Stack.of(this);
    const provider = stack.node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    const handler = provider?.node.tryFindChild('Handler') as CfnResource | undefined;
    if (!handler) return undefined;
    const group = new logs.LogGroup(this, 'DefaultSecurityGroupHandlerLogs', {
      logGroupName: Fn.join('', ['/aws/lambda/', handler.ref]),
      encryptionKey: logsKey,
      retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const vpc of new Set([this.dataVpc, this.searchVpc])) {
      vpc.node.findChild('RestrictDefaultSecurityGroupCustomResource').node.addDependency(group);
    }
    return group;
  }

  /**
   * Re-keys every log group of the network to `key`. At `hsm` the tenant's HSM-backed keys exist only after the
   * cluster (which needs these VPCs) is initialised, so the stack builds the network first and then moves its logs
   * to the HSM logs key; CloudFormation creates the log groups once that key exists.
   */
  public useLogsKey(key: kms.IKey): void {
    for (const group of this.logGroups) {
      (group.node.defaultChild as logs.CfnLogGroup).kmsKeyId = key.keyArn;
    }
  }

  /**
   * The VPC endpoints (interface and gateway) of one of the network's VPCs, to depend on: a custom resource whose
   * handler runs in that VPC must not start before the endpoints it calls AWS through exist.
   */
  public endpoints(vpc: ec2.IVpc): IDependable {
    const group = this.endpointGroups.get(vpc);
    if (!group) throw new Error(`endpoints: ${vpc.node.path} is not a VPC of ${this.node.path}`);
    return group;
  }

  private endpointGroup(vpc: ec2.IVpc): DependencyGroup {
    let group = this.endpointGroups.get(vpc);
    if (!group) {
      group = new DependencyGroup();
      this.endpointGroups.set(vpc, group);
    }
    return group;
  }

  private addS3Gateway(vpc: ec2.Vpc): void {
    this.endpointGroup(vpc).add(
      vpc.addGatewayEndpoint('S3Endpoint', {
        service: ec2.GatewayVpcEndpointAwsService.S3,
        subnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      }),
    );
  }

  /** Interface endpoints sharing one security group that admits HTTPS from the VPC's own (literal) CIDR only. */
  private addEndpoints(vpc: ec2.Vpc, cidr: string, services: readonly ec2.InterfaceVpcEndpointAwsService[]): void {
    const group = this.endpointGroup(vpc);
    if (services.length === 0) return;
    const sg = new ec2.SecurityGroup(vpc, 'EndpointSecurityGroup', {
      vpc,
      description: 'Interface endpoints - HTTPS from inside this VPC only',
      allowAllOutbound: false,
    });
    sg.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from this VPC');
    for (const service of services) {
      const id = `${service.shortName.replace(/(^|[^a-zA-Z0-9])([a-zA-Z0-9])/g, (_m, _s, c: string) => c.toUpperCase())}Endpoint`;
      group.add(
        vpc.addInterfaceEndpoint(id, {
          service,
          privateDnsEnabled: true,
          subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
          securityGroups: [sg],
          open: false,
        }),
      );
    }
  }
}

/**
 * Security-group rules that name a group of the other VPC across the peering wait for the peering and its routes:
 * "To reference a security group in a peer VPC, the VPC peering connection must be in the active state" (VPC Peering
 * Guide, "Update your security groups to reference peer security groups",
 * https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html). CloudFormation reports a
 * same-account peering created once it is active, so DependsOn on it (and on the routes the traffic takes) orders
 * every such rule after it, whichever construct added the rule.
 */
class AwaitPeeringForCrossVpcRules implements IAspect {
  private vpcOfGroup?: Map<string, string>;
  constructor(private readonly network: TenantNetwork) {}

  public visit(node: IConstruct): void {
    const peering = this.network.peering;
    if (!peering || !CfnResource.isCfnResource(node)) return;
    let own: string | undefined;
    let peer: string | undefined;
    if (node instanceof ec2.CfnSecurityGroupIngress) {
      own = node.groupId;
      peer = node.sourceSecurityGroupId;
    } else if (node instanceof ec2.CfnSecurityGroupEgress) {
      own = node.groupId;
      peer = node.destinationSecurityGroupId;
    } else return;
    if (!own || !peer) return;
    const vpcs = this.groupVpcs();
    const ownVpc = vpcs.get(own);
    const peerVpc = vpcs.get(peer);
    const tenantVpcs = new Set([this.network.dataVpc.vpcId, this.network.searchVpc.vpcId]);
    if (!ownVpc || !peerVpc || ownVpc === peerVpc || !tenantVpcs.has(ownVpc) || !tenantVpcs.has(peerVpc)) return;
    node.addResourceDependency(peering);
    for (const route of this.network.peeringRoutes) node.addResourceDependency(route);
  }

  /** Group id token -> VPC id token of every security group in the stack, built once. */
  private groupVpcs(): Map<string, string> {
    if (!this.vpcOfGroup) {
      this.vpcOfGroup = new Map();
      for (const c of Stack.of(this.network).node.findAll()) {
        if (c instanceof ec2.CfnSecurityGroup && c.vpcId) this.vpcOfGroup.set(c.attrGroupId, c.vpcId);
      }
    }
    return this.vpcOfGroup;
  }
}
