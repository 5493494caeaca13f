import { litString, type ResourceRef } from '../../model';
import { SEARCH_TYPES } from '../../facts';
import type { IsolationRule, Reporter } from '../../rule';

function check(r: ResourceRef, path: string[], ok: (s: string | undefined) => boolean, report: Reporter, good: string, bad: string): void {
  for (const v of r.stack.valuesAt(r.props, path)) {
    const s = v.k === 'absent' ? undefined : v.k === 'lit' ? String(v.v) : litString(v);
    const p = `Properties.${path.join('.')}`;
    if (ok(s)) report.pass({ stack: r.stack.name, resource: r.id, path: p, value: s ?? '(not set)', message: `${r.id}: ${good}` });
    else report.fail({ stack: r.stack.name, resource: r.id, path: p, value: s ?? '(not set)', message: `${r.id}: ${bad}` });
  }
}

/** ISO-HYG-2: search domain hardening (hygiene, never decides isolation). */
export const searchHygiene: IsolationRule = {
  id: 'ISO-HYG-2',
  title: 'The search domain encrypts in transit, enforces TLS 1.2, uses fine-grained access control and spans three zones',
  severity: 'warning',
  concern: 'search',
  rationale: 'Not an isolation question: transit encryption, TLS policy, fine-grained access control, zone awareness and RETAIN keep an exclusive domain sound.',
  remediation: 'Use the TenantSearch construct defaults.',
  controls: ['HIPAA 164.312(e)(2)(ii)', 'PCI DSS 4.2.1', 'NIST SC-8', 'NIST CP-10'],
  checkTemplate(tenant, report) {
    for (const r of tenant.ofType(...SEARCH_TYPES)) {
      check(r, ['NodeToNodeEncryptionOptions', 'Enabled'], (s) => s === 'true', report, 'node-to-node encryption on', 'node-to-node encryption off');
      check(r, ['DomainEndpointOptions', 'EnforceHTTPS'], (s) => s === 'true', report, 'HTTPS enforced', 'HTTPS not enforced');
      check(r, ['DomainEndpointOptions', 'TLSSecurityPolicy'], (s) => !!s && /TLS-1-[23]/.test(s), report, 'TLS 1.2 or later', 'TLS policy allows TLS 1.0');
      check(r, ['AdvancedSecurityOptions', 'Enabled'], (s) => s === 'true', report, 'fine-grained access control on', 'fine-grained access control off');
      const config = r.type === 'AWS::OpenSearchService::Domain' ? 'ClusterConfig' : 'ElasticsearchClusterConfig';
      check(r, [config, 'InstanceCount'], (s) => Number(s ?? 1) >= 3, report, 'at least 3 data nodes', 'fewer than 3 data nodes');
      check(r, [config, 'ZoneAwarenessEnabled'], (s) => s === 'true', report, 'zone awareness on', 'zone awareness off');
      const policy = r.raw.DeletionPolicy;
      if (policy === 'Retain' || policy === 'RetainExceptOnCreate' || policy === 'Snapshot') report.pass({ stack: r.stack.name, resource: r.id, path: 'DeletionPolicy', value: policy, message: `${r.id} is retained on stack delete` });
      else report.fail({ stack: r.stack.name, resource: r.id, path: 'DeletionPolicy', value: String(policy ?? '(not set)'), message: `${r.id} is deleted with its stack` });
    }
  },
};
