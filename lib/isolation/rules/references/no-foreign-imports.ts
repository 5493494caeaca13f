import { describe } from '../../model';
import { importsOf } from '../../facts';
import type { IsolationRule } from '../../rule';

/** ISO-REF-1: the tenant's templates import nothing exported outside the tenant. */
export const noForeignImports: IsolationRule = {
  id: 'ISO-REF-1',
  title: "The tenant's templates import no value exported outside the tenant",
  severity: 'error',
  concern: 'references',
  proves: 'network',
  rationale:
    'Fn::ImportValue ties a tenant stack to a stack of the vendor (a shared VPC, cluster, key or database endpoint ' +
    'exported once and imported by every customer). Imports between the tenant\'s own stacks resolve and pass.',
  remediation: 'Define what is imported in the tenant stack itself; keep all tenant resources in the tenant\'s own stacks.',
  controls: ['NIST AC-4', 'NIST SC-7', 'NIST CM-2'],
  checkTemplate(tenant, report) {
    for (const { resource: r, path, value, name, exported } of importsOf(tenant)) {
      if (exported && name !== undefined) {
        report.pass({ stack: r.stack.name, resource: r.id, path, value: name, message: `${r.id} imports ${name} from the tenant's own stack ${exported.stack.name}` });
      } else {
        report.fail({ stack: r.stack.name, resource: r.id, path, value: describe(value), message: `${r.id} imports ${describe(value)}, which no stack of the tenant exports` });
      }
    }
  },
};
