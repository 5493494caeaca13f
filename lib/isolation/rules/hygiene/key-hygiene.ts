import { encryptionSites } from '../../facts';
import { litString, type ResourceRef } from '../../model';
import type { IsolationRule } from '../../rule';

/** ISO-HYG-3: keys rotate, are retained, and each protects one data class (hygiene). */
export const keyHygiene: IsolationRule = {
  id: 'ISO-HYG-3',
  title: 'Tenant keys rotate, are retained on delete, and each protects one data class',
  severity: 'warning',
  concern: 'keys',
  rationale:
    'Not an isolation question: one key per data class limits what a grant exposes, rotation limits what one key ' +
    'version protects, and a retained key keeps backups readable after a stack delete.',
  remediation: 'Use the TenantKeys construct: one key per data class, enableKeyRotation, RemovalPolicy.RETAIN.',
  controls: ['PCI DSS 3.6.1', 'PCI DSS 3.7.4', 'NIST SC-12'],
  checkTemplate(tenant, report) {
    for (const k of tenant.ofType('AWS::KMS::Key')) {
      const rotation = k.stack.resolve(k.props.EnableKeyRotation).map((v) => (v.k === 'lit' ? String(v.v) : litString(v)));
      if (rotation.every((r) => r === 'true')) report.pass({ stack: k.stack.name, resource: k.id, path: 'Properties.EnableKeyRotation', value: 'true', message: `${k.id} rotates` });
      else report.fail({ stack: k.stack.name, resource: k.id, path: 'Properties.EnableKeyRotation', value: rotation.map(String).join(', '), message: `${k.id} does not rotate its key material` });
    }
    for (const k of tenant.ofType('AWS::KMS::Key')) {
      // RetainExceptOnCreate retains on every stack update and delete; only the rollback of the deploy that created
      // the key (which then encrypted nothing that survives) deletes it (DeletionPolicy attribute, CloudFormation).
      if (k.raw.DeletionPolicy === 'Retain' || k.raw.DeletionPolicy === 'RetainExceptOnCreate') report.pass({ stack: k.stack.name, resource: k.id, path: 'DeletionPolicy', value: k.raw.DeletionPolicy, message: `${k.id} is retained` });
      else report.fail({ stack: k.stack.name, resource: k.id, path: 'DeletionPolicy', value: String(k.raw.DeletionPolicy ?? '(not set)'), message: `${k.id} is scheduled for deletion with its stack` });
    }
    const classes = new Map<ResourceRef, Set<string>>();
    for (const site of encryptionSites(tenant)) {
      for (const key of site.keys) {
        if (key.kind === 'tenant-cmk' || key.kind === 'tenant-hsm') {
          classes.set(key.key, (classes.get(key.key) ?? new Set()).add(site.dataClass === 'performance-insights' ? 'database' : site.dataClass));
        }
      }
    }
    for (const [k, set] of classes) {
      const key = k.id;
      if (set.size > 1) report.fail({ stack: k.stack.name, resource: k.id, path: '-', value: [...set].join(', '), message: `${key} protects several data classes (${[...set].join(', ')})` });
      else report.pass({ stack: k.stack.name, resource: k.id, path: '-', value: [...set][0], message: `${key} protects one data class (${[...set][0]})` });
    }
  },
};
