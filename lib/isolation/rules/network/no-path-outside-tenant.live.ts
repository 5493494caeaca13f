/**
 * ISO-NET-4, live: no VPC peering (the tenant's VPC as requester or as accepter), transit gateway attachment,
 * virtual private gateway (VPN / Direct Connect), endpoint to a foreign PrivateLink service, endpoint service open to other accounts, or OpenSearch cross-cluster
 * connection leads outside the tenant. A peering between two of the tenant's own VPCs stays inside.
 */
import type { LivePeeringSide, TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need, ownerOf, taggedForTenant } from '../evidence.live';
import { principalOwner } from '../keys/policy';

export const liveActions = [
  ...ACTIONS.vpcs,
  'ec2:DescribeVpcPeeringConnections',
  'ec2:DescribeTransitGatewayAttachments',
  'ec2:DescribeVpnGateways',
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeVpcEndpointServiceConfigurations',
  'ec2:DescribeVpcEndpointServicePermissions',
  ...ACTIONS.searchDomains,
  ...ACTIONS.searchConnections,
];

/** Peering states in which a route can exist or be created. */
const LIVE_PEERING = new Set(['active', 'pending-acceptance', 'provisioning', 'initiating-request']);
const GONE_ATTACHMENT = new Set(['deleted', 'deleting', 'failed', 'rejected', 'rejecting']);
const GONE_VGW = new Set(['deleting', 'deleted']);
const GONE_VGW_ATTACHMENT = new Set(['detached']);
const GONE_CONNECTION = new Set(['DELETED', 'DELETING', 'REJECTED', 'REJECTING', 'VALIDATION_FAILED']);
/** AWS service endpoints (not a customer's PrivateLink service, which is `com.amazonaws.vpce.<region>.vpce-svc-...`). */
const AWS_SERVICE = /^(com\.amazonaws\.(?!vpce\.)[a-z0-9-]+\.[a-z0-9.-]+|aws\.api\.[a-z0-9.-]+|aws\.sagemaker\.[a-z0-9.-]+|com\.amazonaws\.s3-global\.accesspoint)$/;

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const vpcs = need(inv.vpcs, inv, report, "the tenant's VPCs");
  const own = new Set((vpcs ?? []).filter((v) => taggedForTenant(inv, v.tags) && ownerOf(inv, v.ownerId) === 'self').map((v) => v.id));
  let paths = 0;
  let complete = vpcs !== undefined;

  const peerings = need(inv.peerings, inv, report, 'the VPC peerings of the tenant (both directions)');
  complete &&= peerings !== undefined;
  const inside = (s: LivePeeringSide): boolean => !!s.vpcId && own.has(s.vpcId) && ownerOf(inv, s.ownerId) === 'self' && (!s.region || s.region === inv.region);
  for (const p of (peerings ?? []).filter((x) => LIVE_PEERING.has(x.status ?? ''))) {
    paths++;
    const base = at(inv, p.id, 'DescribeVpcPeeringConnections');
    const describeSide = (s: LivePeeringSide): string => `${s.vpcId ?? '?'} (account ${s.ownerId ?? '?'}, ${s.region ?? '?'})`;
    if (inside(p.requester) && inside(p.accepter)) {
      report.pass({ ...base, value: p.status, message: `peering ${p.id} connects two of the tenant's own VPCs, ${p.requester.vpcId} and ${p.accepter.vpcId}` });
    } else if (!vpcs && [p.requester, p.accepter].every((s) => ownerOf(inv, s.ownerId) === 'self' && (!s.region || s.region === inv.region))) {
      // Both ends are in the tenant's account and region, and which VPCs are the tenant's is unknown: not evidence.
      report.unverifiable({
        ...base,
        value: `${p.requester.vpcId} -> ${p.accepter.vpcId}`,
        message: `could not verify peering ${p.id} (${p.status}) between ${describeSide(p.requester)} and ${describeSide(p.accepter)}: the tenant's VPCs are unknown`,
      });
    } else {
      const foreign = inside(p.requester) ? p.accepter : p.requester;
      report.fail({
        ...base,
        value: `${p.requester.vpcId} -> ${p.accepter.vpcId}`,
        message: `peering ${p.id} (${p.status}) connects ${describeSide(p.requester)} with ${describeSide(p.accepter)}: ${describeSide(foreign)} is not a VPC of the tenant`,
      });
    }
  }

  const attachments = need(inv.transitGatewayAttachments, inv, report, "the transit gateway attachments of the tenant's VPCs");
  complete &&= attachments !== undefined;
  for (const a of (attachments ?? []).filter((x) => !GONE_ATTACHMENT.has(x.state ?? ''))) {
    paths++;
    const base = at(inv, a.id, 'DescribeTransitGatewayAttachments.TransitGatewayOwnerId');
    if (ownerOf(inv, a.transitGatewayOwnerId) === 'self') {
      report.pass({ ...base, value: a.transitGatewayId, message: `attachment ${a.id} attaches ${a.resourceId} to the tenant's own transit gateway ${a.transitGatewayId}` });
    } else {
      report.fail({ ...base, value: `${a.transitGatewayId} (account ${a.transitGatewayOwnerId ?? '?'})`, message: `attachment ${a.id} attaches the tenant's ${a.resourceId} to transit gateway ${a.transitGatewayId} of account ${a.transitGatewayOwnerId ?? 'unknown'}: a routing hop to other networks` });
    }
  }

  // A virtual private gateway is the AWS end of a site-to-site VPN or a Direct Connect private interface: whatever
  // network is on the other side, it is outside the tenant (as AWS::EC2::VPNGateway is in the template check).
  const vgws = need(inv.vpnGateways, inv, report, "the virtual private gateways attached to the tenant's VPCs");
  complete &&= vgws !== undefined;
  for (const g of (vgws ?? []).filter((x) => !GONE_VGW.has(x.state ?? ''))) {
    for (const a of g.attachments.filter((x) => x.vpcId && !GONE_VGW_ATTACHMENT.has(x.state ?? ''))) {
      paths++;
      report.fail({
        ...at(inv, g.id, 'DescribeVpnGateways.VpcAttachments'),
        value: `${g.id} -> ${a.vpcId}`,
        message: `virtual private gateway ${g.id} is ${a.state ?? 'attached'} to VPC ${a.vpcId}: a VPN / Direct Connect path outside the tenant`,
      });
    }
  }

  const services = need(inv.endpointServices, inv, report, 'the endpoint services the tenant offers');
  complete &&= services !== undefined;
  const ownServices = new Set((services ?? []).map((s) => s.name).filter(Boolean));
  const endpoints = need(inv.vpcEndpoints, inv, report, "the VPC endpoints of the tenant's VPCs");
  complete &&= endpoints !== undefined;
  for (const e of (endpoints ?? []).filter((x) => !['deleted', 'deleting', 'rejected', 'failed'].includes((x.state ?? '').toLowerCase()))) {
    if (e.type === 'Resource' || e.type === 'ServiceNetwork') {
      paths++;
      report.fail({ ...at(inv, e.id, 'DescribeVpcEndpoints.VpcEndpointType'), value: e.type, message: `endpoint ${e.id} connects VPC ${e.vpcId} to a VPC Lattice ${e.type === 'Resource' ? 'resource' : 'service network'}` });
      continue;
    }
    if (!e.serviceName || (AWS_SERVICE.test(e.serviceName) && !e.serviceName.includes('vpce-svc-')) || ownServices.has(e.serviceName)) continue;
    paths++;
    report.fail({ ...at(inv, e.id, 'DescribeVpcEndpoints.ServiceName'), value: e.serviceName, message: `endpoint ${e.id} connects VPC ${e.vpcId} to the PrivateLink service ${e.serviceName}, which the tenant does not offer (e.g. the vendor's shared backend)` });
  }
  for (const s of services ?? []) {
    const principals = need(s.allowedPrincipals, inv, report, `who may connect to endpoint service ${s.id}`);
    if (!principals) {
      complete = false;
      continue;
    }
    for (const p of principals) {
      const owner = principalOwner(inv.account, p);
      if (owner === 'self') continue;
      paths++;
      report.fail({ ...at(inv, s.id, 'DescribeVpcEndpointServicePermissions.AllowedPrincipals'), value: p, message: `endpoint service ${s.name ?? s.id} lets ${p === '*' ? 'every account ("*")' : p} connect to the tenant's network` });
    }
  }

  const domains = need(inv.searchDomains, inv, report, "the tenant's search domains");
  const connections = need(inv.searchConnections, inv, report, 'the cross-cluster connections of the search domains');
  complete &&= domains !== undefined && connections !== undefined;
  const ownDomains = new Set((domains ?? []).map((d) => d.name));
  for (const c of (connections ?? []).filter((x) => !GONE_CONNECTION.has(x.status ?? ''))) {
    if (c.local.domainName && !ownDomains.has(c.local.domainName) && ownerOf(inv, c.local.ownerId) !== 'self') continue; // not about this tenant
    paths++;
    const remote = `${c.remote.domainName ?? '?'} (account ${c.remote.ownerId ?? '?'}, ${c.remote.region ?? '?'})`;
    const base = at(inv, c.id, `Describe${c.direction === 'outbound' ? 'Outbound' : 'Inbound'}Connections`);
    if (ownerOf(inv, c.remote.ownerId) === 'self' && c.remote.domainName && ownDomains.has(c.remote.domainName)) {
      report.pass({ ...base, value: remote, message: `cross-cluster connection ${c.id} links two of the tenant's own domains` });
    } else {
      report.fail({ ...base, value: remote, message: `${c.direction} cross-cluster connection ${c.id} (${c.status ?? 'status unknown'}) links search domain ${c.local.domainName ?? '?'} with ${remote}, outside the tenant` });
    }
  }
  if (paths === 0 && complete) {
    report.pass({ ...at(inv, [...own][0] ?? inv.account ?? inv.tenant, '-'), message: 'no peering, transit gateway attachment, VPN gateway, PrivateLink connection or cross-cluster connection leaves the tenant' });
  }
}
