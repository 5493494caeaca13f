import type { IsolationRule } from '../../rule';

/**
 * ISO-TPL-2: a template read from a cloud assembly is the one the CDK synthesized. The CDK publishes each stack
 * template as a file asset named by the SHA-256 of the template it wrote (`<stack>.assets.json`, `files.<hash>` with
 * `source.path` the template file), so a template edited after synthesis no longer hashes to its record. Template
 * files given alone carry no such record: the rule does not apply to them.
 */
export const asSynthesized: IsolationRule = {
  id: 'ISO-TPL-2',
  title: 'Templates from a cloud assembly are the ones the CDK synthesized (their SHA-256 matches the asset manifest)',
  severity: 'error',
  concern: 'template',
  proves: 'network',
  rationale:
    'A template edited after synthesis (by hand, by a script, by someone hiding a shared resource) still sits in the ' +
    'cloud assembly beside the cdk-nag acknowledgements and the synth-time isolation check that judged a different ' +
    'template: their passing results would vouch for it. The asset manifest records the SHA-256 of each template the ' +
    'CDK wrote; a mismatch means the file was modified after synthesis.',
  remediation: 'Synthesize again (npx cdk synth) and verify the new cloud assembly; never edit cdk.out by hand.',
  controls: ['NIST CM-3', 'NIST SI-7', 'HIPAA 164.312(c)(1)'],
  checkTemplate(tenant, report) {
    for (const stack of tenant.stacks) {
      const s = stack.synthesis;
      if (!s) continue;
      const base = { resource: stack.name, stack: stack.name, path: 'sha256' };
      if (!s.manifest || !s.recorded) {
        report.unverifiable({
          ...base,
          value: s.actual,
          message: `could not verify that ${stack.file} is the synthesized template: no asset manifest of its cloud assembly records it`,
        });
      } else if (s.matches) {
        report.pass({
          ...base,
          value: s.actual,
          message: `${stack.file} is as synthesized: its SHA-256 is the one ${s.manifest} records`,
        });
      } else {
        report.fail({
          ...base,
          value: s.actual,
          message: `${stack.file} was modified after synthesis: its SHA-256 is ${s.actual}, but ${s.manifest} records ${s.recorded}`,
        });
      }
    }
  },
};
