import * as kms from 'aws-cdk-lib/aws-kms';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { TenantNetwork, type TenantNetworkProps } from '../../constructs/tenant-network';
import { fleetTemplates, testStack, type FleetTemplates, type TemplateJson } from '../support/fleet';

let fleet: FleetTemplates;
beforeAll(() => {
  fleet = fleetTemplates();
});

const ref = (id: string) => ({ Ref: id });
const DATA_VPC = 'NetworkDataVpcCFA18697';
const SEARCH_VPC = 'NetworkSearchVpcBAB800E1';
const PEERING = 'NetworkDataSearchPeeringCEBCEE02';
const byType = (t: TemplateJson, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

describe.each([
  ['northwind-bank', 'account', '10.30.0.0/16', undefined],
  ['acme-health', 'hardware', '10.20.0.0/16', '10.21.0.0/16'],
  ['contoso-markets', 'hardware', '10.50.0.0/16', '10.51.0.0/16'],
  ['fedline-gov', 'hsm', '10.40.0.0/16', '10.41.0.0/16'],
] as const)('TenantNetwork of %s (%s)', (id, level, cidr, searchCidr) => {
  const t = () => fleet.templates[id]!;
  const json = () => fleet.json[id]!;

  test('has no internet gateway, NAT, public IP or route out of the tenant', () => {
    for (const type of ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway', 'AWS::EC2::EIP', 'AWS::EC2::EgressOnlyInternetGateway', 'AWS::EC2::TransitGatewayAttachment', 'AWS::EC2::VPNGateway']) {
      t().resourceCountIs(type, 0);
    }
    t().allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    const routes = byType(json(), 'AWS::EC2::Route');
    for (const [, r] of routes) {
      expect(Object.keys(r.Properties!).sort()).toEqual(['DestinationCidrBlock', 'RouteTableId', 'VpcPeeringConnectionId']);
      expect(r.Properties!.VpcPeeringConnectionId).toEqual(ref(PEERING));
      expect([cidr, searchCidr]).toContain(r.Properties!.DestinationCidrBlock);
    }
    expect(routes).toHaveLength(level === 'account' ? 0 : 6);
  });

  test(level === 'account' ? 'has one default-tenancy VPC' : 'puts the database VPC on dedicated hardware and search in a default-tenancy VPC', () => {
    if (level === 'account') {
      t().resourceCountIs('AWS::EC2::VPC', 1);
      t().hasResourceProperties('AWS::EC2::VPC', { CidrBlock: cidr, InstanceTenancy: 'default' });
      t().resourceCountIs('AWS::EC2::VPCPeeringConnection', 0);
    } else {
      t().resourceCountIs('AWS::EC2::VPC', 2);
      expect(json().Resources[DATA_VPC]!.Properties).toMatchObject({ CidrBlock: cidr, InstanceTenancy: 'dedicated' });
      expect(json().Resources[SEARCH_VPC]!.Properties).toMatchObject({ CidrBlock: searchCidr, InstanceTenancy: 'default' });
    }
  });

  if (level !== 'account') {
    test('joins its two VPCs by one peering whose both ends are its own VPCs', () => {
      t().resourceCountIs('AWS::EC2::VPCPeeringConnection', 1);
      expect(json().Resources[PEERING]!.Properties).toEqual({
        VpcId: ref(DATA_VPC),
        PeerVpcId: ref(SEARCH_VPC),
        Tags: expect.any(Array),
      });
      const dataTables = new Capture();
      t().hasResourceProperties('AWS::EC2::Route', { RouteTableId: dataTables, DestinationCidrBlock: searchCidr });
      expect(JSON.stringify(dataTables.asObject())).toContain('NetworkDataVpcDataSubnet');
    });
  }

  test('sends all traffic of every VPC to flow logs in a log group encrypted with the tenant logs key', () => {
    const vpcs = level === 'account' ? [DATA_VPC] : [DATA_VPC, SEARCH_VPC];
    t().resourceCountIs('AWS::EC2::FlowLog', vpcs.length);
    const logsKey = level === 'hsm' ? { 'Fn::GetAtt': ['HsmLogsKey5FFDB259', 'Arn'] } : { 'Fn::GetAtt': ['KeysLogsKeyD24E82DB', 'Arn'] };
    for (const vpc of vpcs) {
      const group = new Capture();
      t().hasResourceProperties('AWS::EC2::FlowLog', {
        ResourceId: ref(vpc),
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
        LogGroupName: { Ref: group },
      });
      expect(json().Resources[group.asString()]!.Properties).toMatchObject({ KmsKeyId: logsKey, RetentionInDays: expect.any(Number) });
    }
  });

  test('closes the default security group of every VPC, logging to an encrypted group', () => {
    const vpcs = level === 'account' ? [DATA_VPC] : [DATA_VPC, SEARCH_VPC];
    t().resourceCountIs('Custom::VpcRestrictDefaultSG', vpcs.length);
    for (const vpc of vpcs) {
      t().hasResource('Custom::VpcRestrictDefaultSG', {
        Properties: { DefaultSecurityGroupId: { 'Fn::GetAtt': [vpc, 'DefaultSecurityGroup'] } },
        DependsOn: Match.arrayWith(['NetworkDefaultSecurityGroupHandlerLogs9D21E417']),
      });
    }
    t().hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: 'CustomVpcRestrictDefaultSGCustomResourceProviderHandlerDC833E5E' }]] },
      KmsKeyId: Match.anyValue(),
    });
  });

  test('reaches KMS, Secrets Manager, CloudWatch Logs and STS through private interface endpoints', () => {
    for (const svc of ['kms', 'secretsmanager', 'logs', 'sts']) {
      t().hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcId: ref(DATA_VPC),
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        ServiceName: `com.amazonaws.${fleet.built.manifests.find((m) => m.id === id)!.region}.${svc}`,
      });
    }
  });

  test('endpoint security groups admit HTTPS from the literal VPC CIDR only', () => {
    const groups = byType(json(), 'AWS::EC2::SecurityGroup').filter(([lid]) => lid.includes('EndpointSecurityGroup'));
    expect(groups).toHaveLength(level === 'hsm' ? 2 : 1);
    for (const [, g] of groups) {
      const ingress = g.Properties!.SecurityGroupIngress as Record<string, unknown>[];
      expect(ingress).toHaveLength(1);
      expect(ingress[0]).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
      expect([cidr, searchCidr]).toContain(ingress[0]!.CidrIp);
    }
  });

  if (level === 'hsm') {
    test('gives the search VPC the endpoints the HSM handlers need (Step Functions through its FIPS endpoint in GovCloud)', () => {
      for (const svc of ['cloudhsmv2', 'kms', 'secretsmanager', 'lambda', 'states-fips']) {
        t().hasResourceProperties('AWS::EC2::VPCEndpoint', {
          VpcId: ref(SEARCH_VPC),
          ServiceName: `com.amazonaws.us-gov-west-1.${svc}`,
          PrivateDnsEnabled: true,
        });
      }
      t().hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcId: ref(SEARCH_VPC), VpcEndpointType: 'Gateway' });
      // Only the FIPS endpoint exists in us-gov-west-1 (GovCloud User Guide, Step Functions).
      t().resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-gov-west-1.states' }, 0);
    });

    test('gives the ceremony a path: Session Manager endpoints, an S3 gateway and the admin group in the data VPC', () => {
      for (const svc of ['ssm', 'ssmmessages', 'ec2messages']) {
        t().hasResourceProperties('AWS::EC2::VPCEndpoint', {
          VpcId: ref(DATA_VPC),
          ServiceName: `com.amazonaws.us-gov-west-1.${svc}`,
          PrivateDnsEnabled: true,
        });
      }
      t().hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcId: ref(DATA_VPC), VpcEndpointType: 'Gateway' });
      t().hasResourceProperties('AWS::EC2::SecurityGroup', {
        VpcId: ref(DATA_VPC),
        GroupDescription: Match.stringLikeRegexp('^Temporary CloudHSM admin instance'),
        SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })],
      });
    });
  } else {
    test('has no ceremony endpoints or admin group (no HSM)', () => {
      for (const svc of ['ssm', 'ssmmessages', 'ec2messages']) {
        t().resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { ServiceName: Match.stringLikeRegexp(`\\.${svc}$`) }, 0);
      }
      t().resourcePropertiesCountIs('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('admin instance') }, 0);
    });
  }

  if (searchCidr) {
    test('orders every security-group rule that names a group across the peering after the peering and its routes', () => {
      const groupVpc = new Map(
        byType(json(), 'AWS::EC2::SecurityGroup').map(([gid, r]) => [gid, JSON.stringify(r.Properties!.VpcId)] as const),
      );
      const groupOf = (v: unknown) => (v as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt']?.[0];
      const routes = byType(json(), 'AWS::EC2::Route').map(([rid]) => rid);
      expect(routes).toHaveLength(6);
      let crossing = 0;
      for (const [rid, r] of [...byType(json(), 'AWS::EC2::SecurityGroupIngress'), ...byType(json(), 'AWS::EC2::SecurityGroupEgress')]) {
        const own = groupOf(r.Properties!.GroupId);
        const peer = groupOf(r.Properties!.SourceSecurityGroupId ?? r.Properties!.DestinationSecurityGroupId);
        if (!own || !peer || !groupVpc.has(own) || !groupVpc.has(peer) || groupVpc.get(own) === groupVpc.get(peer)) continue;
        crossing++;
        expect([rid, ...((r.DependsOn as string[] | undefined) ?? [])]).toEqual(expect.arrayContaining([rid, PEERING, ...routes]));
      }
      // The search group's ingress from the app group and the app group's egress to the search group.
      expect(crossing).toBe(2);
    });
  }

  test('creates the application security group that the data stores admit', () => {
    t().hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Tenant application tier'),
      VpcId: ref(DATA_VPC),
    });
  });
});

describe('TenantNetwork props', () => {
  const base = (): TenantNetworkProps & { logsKey: kms.IKey } => ({
    cidr: '10.0.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    logsKey: undefined as unknown as kms.IKey,
  });
  const build = (overrides: Partial<TenantNetworkProps>) => {
    const stack = testStack();
    const logsKey = new kms.Key(stack, 'Logs');
    return { stack, network: new TenantNetwork(stack, 'Network', { ...base(), logsKey, ...overrides }) };
  };

  test.each<[string, Partial<TenantNetworkProps>, string]>([
    ['a CIDR with host bits', { cidr: '10.0.0.1/16' }, 'cidr has host bits set: "10.0.0.1/16" is not a network address'],
    ['a CIDR too large', { cidr: '10.0.0.0/8' }, 'cidr must have a prefix between /16 and /24 (the VPC limits), got /8'],
    ['two zones', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] }, 'availabilityZones must name at least 3 zones (Multi-AZ database, zone-aware search), got 2: eu-west-1a, eu-west-1b'],
    ['a zone of another region', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'us-east-1a'] }, 'availabilityZones must be zones of eu-west-1, got us-east-1a'],
    ['a search CIDR without dedicated tenancy', { searchCidr: '10.1.0.0/16' }, 'searchCidr applies only with dedicatedTenancy: true, got 10.1.0.0/16 without it'],
    ['an overlapping search CIDR', { dedicatedTenancy: true, searchCidr: '10.0.128.0/17' }, 'searchCidr must not overlap cidr 10.0.0.0/16, got 10.0.128.0/17'],
  ])('throws for %s', (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  test('derives the search CIDR next to the data CIDR', () => {
    const { stack, network } = build({ dedicatedTenancy: true });
    expect(network.searchVpc).not.toBe(network.dataVpc);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.1.0.0/16', InstanceTenancy: 'default' });
  });

  test('without dedicated tenancy the search VPC is the data VPC', () => {
    const { network } = build({});
    expect(network.searchVpc).toBe(network.dataVpc);
    expect(network.peering).toBeUndefined();
  });
});
