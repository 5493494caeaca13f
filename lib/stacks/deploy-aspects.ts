/**
 * Aspects that make a tenant stack deployable as AWS runs it, applied by the tenant stack to everything in it
 * (whichever construct, ours or the CDK's, created the resource).
 */
import { Annotations, CfnDeletionPolicy, CfnResource, Names, Stack, type IAspect } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

/**
 * Whether Lambda accepts `LoggingConfig` in a region. Not in AWS GovCloud (US): "JSON log formatting is not
 * available" ("AWS Lambda in AWS GovCloud (US)", GovCloud User Guide,
 * https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-lambda.html), and CloudFormation rejects the whole
 * property there: "LoggingConfig is not supported in us-gov-west-1. Remove LoggingConfig value from your request"
 * (aws/aws-cdk issues 28919 and 29227).
 */
export function lambdaLoggingConfigAvailable(region: string): boolean {
  return !region.startsWith('us-gov-');
}

/**
 * Removes `LoggingConfig` from every Lambda function of a stack in a region without it (the CDK Provider framework
 * always sets `LogFormat: JSON` and a log level; `logGroup` props set `LogGroup`). A function keeps its encrypted log
 * group by the name Lambda writes to, `/aws/lambda/<function name>`: the group a function's `LoggingConfig` named
 * gets that name (the function gets a fixed name, derived from its path, if it had none), and the function depends on
 * it, so Lambda never creates the group itself, unencrypted. A group serving several functions, or with a name of its
 * own, cannot follow and fails synth.
 */
export class WithoutLambdaLoggingConfig implements IAspect {
  private groups?: Map<string, { group: logs.CfnLogGroup; users: number }>;

  public visit(node: IConstruct): void {
    if (!(node instanceof lambda.CfnFunction) || node.loggingConfig === undefined) return;
    const stack = Stack.of(node);
    const groups = this.groupsOf(stack);
    const ref = logGroupRef(stack, node);
    node.loggingConfig = undefined;
    node.addPropertyDeletionOverride('LoggingConfig');
    if (ref === undefined) return;
    const entry = groups.get(ref);
    if (!entry || entry.users !== 1 || stack.resolve(entry.group.logGroupName) !== undefined) {
      Annotations.of(node).addError(
        `LoggingConfig is not available in ${Stack.of(node).region}: log group ${String(ref)} must serve this ` +
          `function alone, without a name of its own, to become /aws/lambda/<function name> (it serves ${entry?.users ?? 0})`,
      );
      return;
    }
    // A name known at synth (not a Ref, which would close a cycle through the role's policy on the group): the
    // group is created first and the function after it, so nothing can invoke the function before its group exists.
    if (stack.resolve(node.functionName) === undefined) {
      node.functionName = Names.uniqueResourceName(node, { maxLength: 64, separator: '-' });
    }
    entry.group.logGroupName = `/aws/lambda/${String(stack.resolve(node.functionName))}`;
    node.addResourceDependency(entry.group);
  }

  /** Log groups of the stack by logical id, with how many functions name each in `LoggingConfig.LogGroup`. */
  private groupsOf(stack: Stack): Map<string, { group: logs.CfnLogGroup; users: number }> {
    if (!this.groups) {
      this.groups = new Map();
      const all = stack.node.findAll();
      for (const c of all) {
        if (c instanceof logs.CfnLogGroup) this.groups.set(stack.getLogicalId(c), { group: c, users: 0 });
      }
      for (const c of all) {
        if (!(c instanceof lambda.CfnFunction) || c.loggingConfig === undefined) continue;
        const ref = logGroupRef(stack, c);
        const entry = ref === undefined ? undefined : this.groups.get(ref);
        if (entry) entry.users++;
      }
    }
    return this.groups;
  }
}

/** The logical id of the log group a function's `LoggingConfig` names by `Ref`, if any. */
function logGroupRef(stack: Stack, fn: lambda.CfnFunction): string | undefined {
  // Unrendered L1 properties keep their camelCase names; an escape hatch may have used the CloudFormation ones.
  const config = stack.resolve(fn.loggingConfig) as { logGroup?: unknown; LogGroup?: unknown } | undefined;
  const ref = ((config?.logGroup ?? config?.LogGroup) as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

/**
 * Turns every `DeletionPolicy: Retain` of a stack into `RetainExceptOnCreate`: retained on update and delete as
 * before, but deleted when the operation that created it rolls back ("If the stack operation that created the
 * resource is rolled back, CloudFormation deletes the resource", DeletionPolicy attribute, CloudFormation Template
 * Reference, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html).
 * A failed first deploy then leaves no retained VPC, log group, secret or domain behind whose fixed name or network
 * would block the retry. `Snapshot` (the database) is left alone.
 */
export class RetainExceptOnCreate implements IAspect {
  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    if (node.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN) {
      node.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
    }
  }
}
