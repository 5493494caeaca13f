import { describe, extOf, litString, type ResourceRef, type Val } from '../../model';
import { accountOwnership, targetResource } from '../../facts';
import type { IsolationRule, Reporter } from '../../rule';

function ownOfType(v: Val, types: readonly string[]): ResourceRef | undefined {
  const t = targetResource(v);
  return t && types.includes(t.type) ? t : undefined;
}

/** Resource types that connect a VPC to networks outside it whatever their properties say. */
const ALWAYS_OUTSIDE = new Map<string, string>(Object.entries({
  'AWS::EC2::VPNConnection': 'a site-to-site VPN connection',
  'AWS::EC2::VPNGateway': 'a virtual private gateway (VPN / Direct Connect)',
  'AWS::EC2::CustomerGateway': 'a customer gateway (the far end of a VPN)',
  'AWS::EC2::TransitGatewayPeeringAttachment': 'a transit gateway peering to another transit gateway',
  'AWS::EC2::TransitGatewayConnect': 'a transit gateway Connect attachment (SD-WAN)',
  'AWS::EC2::ClientVpnEndpoint': 'a Client VPN endpoint into the VPC',
  'AWS::NetworkManager::VpcAttachment': 'a Cloud WAN core network attachment',
  'AWS::DirectConnect::Connection': 'a Direct Connect connection',
  'AWS::EC2::LocalGatewayRouteTableVPCAssociation': 'an Outposts local gateway association',
  'AWS::VpcLattice::ServiceNetworkVpcAssociation': 'a VPC Lattice service network association',
}));

/** Route targets that lead out of the VPC unless they are the tenant's own peering. */
const ROUTE_TARGETS: Record<string, readonly string[]> = {
  VpcPeeringConnectionId: ['AWS::EC2::VPCPeeringConnection'],
  TransitGatewayId: ['AWS::EC2::TransitGateway'],
  CoreNetworkArn: [],
  LocalGatewayId: [],
  VpnGatewayId: [],
};

function checkPeering(r: ResourceRef, report: Reporter): boolean {
  let ok = true;
  for (const key of ['VpcId', 'PeerVpcId']) {
    for (const v of r.stack.resolve(r.props[key])) {
      if (ownOfType(v, ['AWS::EC2::VPC'])) continue;
      ok = false;
      const msg = `${r.id} peers with ${describe(v)} (${key}), a VPC the tenant's templates do not define`;
      if (extOf(v) && extOf(v)!.kind !== 'import') report.unverifiable({ stack: r.stack.name, resource: r.id, path: `Properties.${key}`, value: describe(v), message: msg });
      else report.fail({ stack: r.stack.name, resource: r.id, path: `Properties.${key}`, value: describe(v), message: msg });
    }
  }
  for (const v of r.stack.resolve(r.props.PeerOwnerId)) {
    if (v.k === 'absent') continue;
    const owner = accountOwnership(r.stack.tenant, v);
    if (owner === 'self') continue;
    ok = false;
    const msg = `${r.id} peers with a VPC of account ${describe(v)}`;
    if (owner === 'other') report.fail({ stack: r.stack.name, resource: r.id, path: 'Properties.PeerOwnerId', value: describe(v), message: msg });
    else report.unverifiable({ stack: r.stack.name, resource: r.id, path: 'Properties.PeerOwnerId', value: describe(v), message: msg });
  }
  if (r.props.PeerRoleArn !== undefined) {
    ok = false;
    report.fail({ stack: r.stack.name, resource: r.id, path: 'Properties.PeerRoleArn', value: describe(r.stack.resolve(r.props.PeerRoleArn)[0]!), message: `${r.id} is a cross-account peering (PeerRoleArn)` });
  }
  if (ok) {
    report.pass({ stack: r.stack.name, resource: r.id, path: '-', message: `${r.id} peers two of the tenant's own VPCs (${describe(r.stack.resolve(r.props.VpcId)[0]!)} and ${describe(r.stack.resolve(r.props.PeerVpcId)[0]!)})` });
  }
  return ok;
}

/** ISO-NET-4: no peering, transit gateway, VPN or endpoint-service path leads outside the tenant. */
export const noPathOutsideTenant: IsolationRule = {
  id: 'ISO-NET-4',
  title: 'No peering, transit gateway, VPN or endpoint-service path leads outside the tenant',
  severity: 'error',
  concern: 'network',
  proves: 'network',
  rationale:
    'A dedicated VPC peered with the vendor\'s VPC, attached to the vendor\'s transit gateway, connected by VPN, or ' +
    'consuming or offering a PrivateLink endpoint service of another account is one routing hop from every other ' +
    'customer. A peering between the tenant\'s own two VPCs (data and search) stays inside the tenant.',
  remediation: 'Remove the connection; only peer the tenant\'s own VPCs (TenantNetwork does this for hardware and hsm tenants).',
  controls: ['NIST SC-7', 'NIST SC-7(5)', 'NIST AC-4', 'PCI DSS 1.3.1', 'PCI DSS 1.4.1', 'HIPAA 164.312(e)(1)'],
  checkTemplate(tenant, report) {
    let paths = 0;
    for (const r of tenant.resources()) {
      const always = ALWAYS_OUTSIDE.get(r.type);
      if (always) {
        paths++;
        report.fail({ stack: r.stack.name, resource: r.id, path: 'Type', value: r.type, message: `${r.id} is ${always}: a network path outside the tenant` });
        continue;
      }
      switch (r.type) {
        case 'AWS::EC2::VPCPeeringConnection':
          paths++;
          checkPeering(r, report);
          break;
        case 'AWS::EC2::TransitGatewayAttachment':
        case 'AWS::EC2::TransitGatewayVpcAttachment': {
          paths++;
          for (const v of r.stack.resolve(r.props.TransitGatewayId)) {
            if (ownOfType(v, ['AWS::EC2::TransitGateway'])) {
              report.pass({ stack: r.stack.name, resource: r.id, path: 'Properties.TransitGatewayId', value: describe(v), message: `${r.id} attaches to the tenant's own transit gateway` });
            } else {
              report.fail({ stack: r.stack.name, resource: r.id, path: 'Properties.TransitGatewayId', value: describe(v), message: `${r.id} attaches the VPC to transit gateway ${describe(v)}, which the tenant's templates do not define` });
            }
          }
          break;
        }
        case 'AWS::EC2::VPCGatewayAttachment':
          if (r.props.VpnGatewayId !== undefined) {
            paths++;
            report.fail({ stack: r.stack.name, resource: r.id, path: 'Properties.VpnGatewayId', value: describe(r.stack.resolve(r.props.VpnGatewayId)[0]!), message: `${r.id} attaches a VPN gateway to the tenant VPC` });
          }
          break;
        case 'AWS::EC2::Route':
        case 'AWS::EC2::TransitGatewayRoute':
          for (const [key, types] of Object.entries(ROUTE_TARGETS)) {
            for (const v of r.stack.resolve(r.props[key])) {
              if (v.k === 'absent') continue;
              const own = ownOfType(v, types);
              if (!own) {
                paths++;
                const msg = `${r.id} routes to ${describe(v)} (${key}), a connection the tenant's templates do not define`;
                if (extOf(v) && extOf(v)!.kind !== 'import') report.unverifiable({ stack: r.stack.name, resource: r.id, path: `Properties.${key}`, value: describe(v), message: msg });
                else report.fail({ stack: r.stack.name, resource: r.id, path: `Properties.${key}`, value: describe(v), message: msg });
              }
            }
          }
          break;
        case 'AWS::EC2::VPCEndpoint': {
          const types = r.stack.resolve(r.props.VpcEndpointType).map(litString);
          if (types.some((t) => t === 'Resource' || t === 'ServiceNetwork')) {
            paths++;
            report.fail({ stack: r.stack.name, resource: r.id, path: 'Properties.VpcEndpointType', value: types.join(', '), message: `${r.id} connects the VPC to a VPC Lattice resource or service network` });
            break;
          }
          for (const v of r.stack.resolve(r.props.ServiceName)) {
            if (v.k === 'absent') continue;
            if (ownOfType(v, ['AWS::EC2::VPCEndpointService'])) continue;
            const name = describe(v);
            const awsService = /^"?(com\.amazonaws\.[a-z0-9-]+\.(?!vpce\.)[a-z0-9.-]+|aws\.api\.[a-z0-9.-]+|aws\.sagemaker\.[a-z0-9.-]+|com\.amazonaws\.s3-global\.accesspoint)"?$/.test(name.replace(/\$\{AWS::Region\}|\$\{AWS::URLSuffix\}/g, 'x'));
            const built = v.k === 'str' && v.parts[0] === 'com.amazonaws.' && !name.includes('vpce-svc');
            if ((awsService || built) && !/vpce-svc-|com\.amazonaws\.vpce\./.test(name)) continue;
            paths++;
            const msg = `${r.id} connects to the endpoint service ${name}, a PrivateLink service outside the tenant (e.g. the vendor's shared backend)`;
            if (extOf(v) && extOf(v)!.kind !== 'import') report.unverifiable({ stack: r.stack.name, resource: r.id, path: 'Properties.ServiceName', value: name, message: msg });
            else report.fail({ stack: r.stack.name, resource: r.id, path: 'Properties.ServiceName', value: name, message: msg });
          }
          break;
        }
        case 'AWS::EC2::VPCEndpointServicePermissions':
          for (const v of r.stack.listValues(r.props.AllowedPrincipals ?? []).flat()) {
            const text = describe(v);
            const account = /arn:[^:]+:iam::(\d{12}|\*)/.exec(text)?.[1];
            if (account && accountOwnership(tenant, account) === 'self') continue;
            if (v.k === 'str' && v.parts.some((p) => typeof p !== 'string' && p.k === 'pseudo' && p.name === 'AWS::AccountId')) continue;
            paths++;
            report.fail({ stack: r.stack.name, resource: r.id, path: 'Properties.AllowedPrincipals', value: text, message: `${r.id} lets ${text} connect to the tenant's endpoint service` });
          }
          break;
      }
    }
    if (paths === 0 && tenant.ofType('AWS::EC2::VPC').length > 0) {
      const vpc = tenant.ofType('AWS::EC2::VPC')[0]!;
      report.pass({ stack: vpc.stack.name, resource: vpc.id, path: '-', message: 'no peering, transit gateway, VPN or endpoint-service connection leaves the tenant' });
    }
  },
};
