/** ISO-HYG-2, live: the search domains encrypt node to node, enforce HTTPS with TLS 1.2+, use FGAC and span zones. */
import type { TenantInventory } from '../../inventory';
import type { Reporter } from '../../rule';
import { ACTIONS, at, need } from '../evidence.live';

export const liveActions = [...ACTIONS.searchDomains];

export function checkLive(inv: TenantInventory, report: Reporter): void {
  for (const d of need(inv.searchDomains, inv, report, 'the search domain hygiene') ?? []) {
    const check = (field: string, ok: boolean, value: string, good: string, bad: string): void => {
      const base = at(inv, d.arn, `DescribeDomains.${field}`);
      if (ok) report.pass({ ...base, value, message: `search domain ${d.name}: ${good}` });
      else report.fail({ ...base, value, message: `search domain ${d.name}: ${bad}` });
    };
    check('NodeToNodeEncryptionOptions.Enabled', d.nodeToNodeEncryption, String(d.nodeToNodeEncryption), 'node-to-node encryption on', 'node-to-node encryption off');
    check('DomainEndpointOptions.EnforceHTTPS', d.enforceHttps, String(d.enforceHttps), 'HTTPS enforced', 'HTTPS not enforced');
    check('DomainEndpointOptions.TLSSecurityPolicy', /TLS-1-[23]/.test(d.tlsPolicy ?? ''), d.tlsPolicy ?? '(not set)', `TLS policy ${d.tlsPolicy}`, 'TLS policy allows TLS 1.0');
    check('AdvancedSecurityOptions.Enabled', d.fineGrainedAccessControl, String(d.fineGrainedAccessControl), 'fine-grained access control on', 'fine-grained access control off');
    check('ClusterConfig.InstanceCount', (d.instanceCount ?? 1) >= 3, String(d.instanceCount ?? '(not set)'), `${d.instanceCount} data nodes`, 'fewer than 3 data nodes');
    check('ClusterConfig.ZoneAwarenessEnabled', d.zoneAwareness, String(d.zoneAwareness), 'zone awareness on', 'zone awareness off');
  }
}
