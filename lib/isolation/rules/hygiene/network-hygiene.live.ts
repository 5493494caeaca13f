/** ISO-HYG-4, live: every VPC tagged for the tenant has an active flow log. */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need, tenantVpcs } from '../evidence.live';

export const liveActions = [...ACTIONS.vpcs, 'ec2:DescribeFlowLogs'];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const vpcs = need(inv.vpcs, inv, report, "the flow logs of the tenant's VPCs");
  const logs = need(inv.flowLogs, inv, report, "the flow logs of the tenant's VPCs");
  if (!vpcs || !logs) return;
  for (const v of tenantVpcs(vpcs, inv)) {
    const active = logs.filter((l) => l.resourceId === v.id && (l.status ?? 'ACTIVE') === 'ACTIVE');
    const base = at(inv, v.id, 'DescribeFlowLogs');
    if (active.length > 0) report.pass({ ...base, value: active.map((l) => l.id).join(', '), message: `VPC ${v.id} has active flow logs` });
    else report.fail({ ...base, message: `VPC ${v.id} has no active flow log` });
  }
}
