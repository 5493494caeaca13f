import type { IsolationRule } from '../../rule';

function hasKey(node: unknown, key: string, depth: number): boolean {
  if (depth > 60 || node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => hasKey(n, key, depth + 1));
  for (const k in node as Record<string, unknown>) {
    if (k === key || hasKey((node as Record<string, unknown>)[k], key, depth + 1)) return true;
  }
  return false;
}

/** ISO-TPL-1: the templates are what gets deployed: no macros, transforms or unexpanded loops. */
export const fullyVerifiable: IsolationRule = {
  id: 'ISO-TPL-1',
  title: 'The templates are verifiable as written: no transforms, macros or unexpanded loops',
  severity: 'error',
  concern: 'template',
  proves: 'network',
  rationale:
    'A Transform (a macro, AWS::Include, or the SAM transform) or a Fn::ForEach loop rewrites the template at deploy ' +
    'time: what the verifier reads is not what CloudFormation deploys, so nothing it proves holds. Verify the ' +
    'processed template instead (aws cloudformation get-template --template-stage Processed).',
  remediation: 'Verify the processed template, or synthesize with the CDK, which emits plain CloudFormation.',
  controls: ['NIST CM-2', 'NIST CM-3'],
  checkTemplate(tenant, report) {
    for (const stack of tenant.stacks) {
      const t = stack.template.Transform;
      if (t !== undefined) {
        report.unverifiable({ resource: stack.name, stack: stack.name, path: 'Transform', value: JSON.stringify(t), message: `the template uses the transform ${JSON.stringify(t)}; the deployed template differs from this one` });
      }
      for (const p of stack.modelProblems) {
        report.unverifiable({ resource: p.resource, stack: stack.name, path: `Resources.${p.resource}`, message: p.message });
      }
      for (const r of stack.resources.values()) {
        if (hasKey(r.props, 'Fn::Transform', 0)) {
          report.unverifiable({ resource: r.id, stack: stack.name, path: 'Properties', message: `${r.id} uses Fn::Transform (a macro rewrites it at deploy time)` });
        }
      }
      if (t === undefined && stack.modelProblems.length === 0) {
        report.pass({ resource: stack.name, stack: stack.name, path: '-', message: `${stack.name} is plain CloudFormation (no transforms)` });
      }
    }
  },
};
