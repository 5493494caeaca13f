/**
 * Helpers for acknowledging cdk-nag findings on one construct (and its subtree only), always with a reason.
 * Constructs call these next to the resource a finding is about, so the reason sits beside the design decision.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { NagPackName } from './packs';

/** The regime packs: they share rule names (e.g. `LambdaDLQ`), prefixed by the pack name. */
export const REGIME_PACKS: readonly NagPackName[] = ['HIPAA.Security', 'PCI.DSS.321', 'NIST.800.53.R5'];

/** Acknowledges findings by full id (e.g. `AwsSolutions-RDS11`, `AwsSolutions-IAM5[Resource::*]`). */
export function acknowledgeFindings(scope: IConstruct, ids: readonly string[], reason: string): void {
  if (reason.trim().length < 20) throw new Error(`an acknowledgement needs a real reason, got "${reason}"`);
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}

/** Acknowledges one rule name in the given packs (default: the regime packs). */
export function acknowledgeRule(
  scope: IConstruct,
  rule: string,
  reason: string,
  packs: readonly NagPackName[] = REGIME_PACKS,
): void {
  acknowledgeFindings(
    scope,
    packs.map((p) => `${p}-${rule}`),
    reason,
  );
}

/** The AwsSolutions-IAM4 finding id of an AWS managed policy, e.g. `service-role/AWSLambdaBasicExecutionRole`. */
export function managedPolicyFinding(policyName: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policyName}]`;
}

/** The AwsSolutions-IAM5 finding id of a wildcard resource, as cdk-nag renders it. */
export function wildcardFinding(resource: string): string {
  return `AwsSolutions-IAM5[Resource::${resource}]`;
}
