import { propertyIndex } from '../../facts';
import type { ResourceRef } from '../../model';
import type { IsolationRule } from '../../rule';


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
    const transformed = new Set<ResourceRef>();
    for (const entry of propertyIndex(tenant)) if (entry.fn === 'Fn::Transform') transformed.add(entry.resource);
    for (const r of transformed) {
      report.unverifiable({ resource: r.id, stack: r.stack.name, path: 'Properties', message: `${r.id} uses Fn::Transform (a macro rewrites it at deploy time)` });
    }
    for (const stack of tenant.stacks) {
      const t = stack.template.Transform;
      if (t !== undefined) {
        report.unverifiable({ resource: stack.name, stack: stack.name, path: 'Transform', value: JSON.stringify(t), message: `the template uses the transform ${JSON.stringify(t)}; the deployed template differs from this one` });
      }
      for (const p of stack.modelProblems) {
        report.unverifiable({ resource: p.resource, stack: stack.name, path: `Resources.${p.resource}`, message: p.message });
      }
      if (t === undefined && stack.modelProblems.length === 0) {
        report.pass({ resource: stack.name, stack: stack.name, path: '-', message: `${stack.name} is plain CloudFormation (no transforms)` });
      }
    }
  },
};
