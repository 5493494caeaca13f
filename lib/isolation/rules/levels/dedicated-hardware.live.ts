/**
 * ISO-HW-1, live: each DB instance is in a VPC whose InstanceTenancy is dedicated now (a template shows what was
 * requested; `ModifyVpcTenancy` can downgrade a VPC in place), on a class AWS offers on dedicated hardware, and every
 * EC2 instance in the tenant's VPCs runs on dedicated tenancy. AWS documents RDS dedicated tenancy as requested, not
 * guaranteed: the current VPC tenancy and instance class are the evidence the APIs give.
 */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need } from '../evidence.live';
import { NON_DEDICATED_CLASS } from './dedicated-hardware';

export const liveActions = [...ACTIONS.databases, ...ACTIONS.vpcs, 'ec2:DescribeInstances'];

const DEDICATED = new Set(['dedicated', 'host']);

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const dbs = need(inv.databases, inv, report, 'the hardware tenancy of the databases');
  const vpcs = need(inv.vpcs, inv, report, 'the tenancy of the database VPCs');
  for (const d of dbs ?? []) {
    const what = `DB instance ${d.id}`;
    if (d.clusterId) report.fail({ ...at(inv, d.arn, 'DescribeDBInstances.DBClusterIdentifier'), value: d.clusterId, message: `${what} is an Aurora cluster member (${d.clusterId}); Aurora does not run on dedicated tenancy` });
    if (d.instanceClass && NON_DEDICATED_CLASS.test(d.instanceClass)) {
      report.fail({ ...at(inv, d.arn, 'DescribeDBInstances.DBInstanceClass'), value: d.instanceClass, message: `${what} uses ${d.instanceClass}, a class AWS does not offer on dedicated tenancy` });
    }
    const vpcId = d.subnetGroup?.vpcId;
    const path = 'DescribeVpcs.InstanceTenancy';
    if (!vpcId) {
      report.fail({ ...at(inv, d.arn, 'DescribeDBInstances.DBSubnetGroup.VpcId'), message: `${what} is in no VPC of the tenant, so it cannot be on dedicated tenancy` });
      continue;
    }
    if (!vpcs) continue;
    const vpc = vpcs.find((v) => v.id === vpcId);
    if (!vpc) report.unverifiable({ ...at(inv, d.arn, path), value: vpcId, message: `could not verify ${what}: its VPC ${vpcId} was not found` });
    else if (DEDICATED.has(vpc.tenancy ?? '')) report.pass({ ...at(inv, d.arn, path), value: `${vpc.id}=${vpc.tenancy}`, message: `${what} (${d.instanceClass ?? 'class unknown'}) is in VPC ${vpc.id} whose InstanceTenancy is ${vpc.tenancy}` });
    else report.fail({ ...at(inv, d.arn, path), value: `${vpc.id}=${vpc.tenancy ?? 'unknown'}`, message: `${what} is in VPC ${vpc.id} whose InstanceTenancy is ${vpc.tenancy ?? 'unknown'} now: shared hardware (was the VPC modified with ModifyVpcTenancy?)` });
  }
  for (const i of need(inv.instances, inv, report, "the tenancy of EC2 instances in the tenant's VPCs") ?? []) {
    if (['terminated', 'shutting-down'].includes(i.state ?? '')) continue;
    const base = at(inv, i.id, 'DescribeInstances.Placement.Tenancy');
    if (DEDICATED.has(i.tenancy ?? '')) report.pass({ ...base, value: i.tenancy, message: `EC2 instance ${i.id} (${i.type ?? '?'}) runs on ${i.tenancy} tenancy` });
    else report.fail({ ...base, value: i.tenancy ?? 'unknown', message: `EC2 instance ${i.id} (${i.type ?? '?'}) in VPC ${i.vpcId ?? '?'} runs on ${i.tenancy ?? 'unknown'} (shared-hardware) tenancy` });
  }
}
