/**
 * ISO-NET-7, live: every target group tagged for the tenant is attached only to load balancers tagged for the tenant
 * (the shared-ALB fake attaches each customer's target group to the vendor's load balancer by a listener rule).
 */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { at, need, taggedForOther, taggedForTenant } from '../evidence.live';

export const liveActions = ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTags'];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  const groups = need(inv.targetGroups, inv, report, "that the tenant's target groups sit behind its own load balancers");
  if (!groups) return;
  for (const g of groups) {
    for (const lb of g.loadBalancers) {
      const base = { ...at(inv, g.arn, 'LoadBalancerArns'), value: lb.arn };
      if (taggedForTenant(inv, lb.tags)) {
        report.pass({ ...base, message: `target group ${g.name ?? g.arn} is attached to the tenant's load balancer ${lb.arn}` });
        continue;
      }
      const other = taggedForOther(inv, lb.tags);
      report.fail({
        ...base,
        message: `target group ${g.name ?? g.arn} of the tenant is attached to load balancer ${lb.arn}, ${other ? `tagged for tenant ${other}` : `which does not carry the tenant's tag ${inv.tag.key}=${inv.tag.value}`}: a load balancer shared with other customers`,
      });
    }
  }
}
