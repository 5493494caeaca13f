/**
 * TenantAccess: the roles through which the declared `customer` and `break-glass` paths enter the tenant, one per
 * declared path, each trusting exactly the declared principal and enforcing the declared constraints in its trust
 * policy (MFA, external id, source VPCs and addresses, session length). Nothing else in the tenant trusts anyone
 * outside it; ISO-IAM-1 checks that every role's trust matches a declaration.
 *
 * The roles can look, not read: the AWS managed job-function policy ViewOnlyAccess lists resources and their
 * metadata without reading data (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ViewOnlyAccess.html).
 * `delivery` paths get no role here: the pipeline enters through the CDK bootstrap roles (`cdk bootstrap --trust`),
 * which live in the bootstrap stack (docs/access.md).
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeFindings, managedPolicyFinding } from '../lib/compliance/acknowledgements';
import type { AccessKind } from '../lib/manifest/schema';

export interface AccessPathProps {
  readonly kind: AccessKind;
  /** An account id, a role ARN (no wildcard: a role trusts named principals) or an identity provider ARN. */
  readonly principal: string;
  readonly mfa?: boolean;
  readonly externalId?: string;
  readonly sourceVpcs?: readonly string[];
  readonly sourceIps?: readonly string[];
  /** @default 1 hour (IAM's default session length) */
  readonly maxSessionHours?: number;
}

export interface TenantAccessProps {
  /** The declared paths; only `customer` and `break-glass` paths get a role. */
  readonly paths: readonly AccessPathProps[];
  /** The tenant id, for role descriptions. */
  readonly tenant: string;
}

export class TenantAccess extends Construct {
  /** The role of each declared path that has one, in declaration order. */
  public readonly roles: iam.Role[] = [];

  constructor(scope: Construct, id: string, props: TenantAccessProps) {
    super(scope, id);
    props.paths.forEach((p, index) => {
      if (p.kind === 'delivery') return;
      if (p.principal.endsWith('*')) {
        throw new Error(`access path ${index} (${p.kind}): a role trusts named principals; ${p.principal} ends in "*" (only delivery paths may name a pattern)`);
      }
      const conditions: Record<string, Record<string, unknown>> = {};
      if (p.mfa) conditions.Bool = { 'aws:MultiFactorAuthPresent': 'true' };
      const equals: Record<string, unknown> = {};
      if (p.externalId) equals['sts:ExternalId'] = p.externalId;
      if (p.sourceVpcs) equals['aws:SourceVpc'] = [...p.sourceVpcs];
      if (Object.keys(equals).length > 0) conditions.StringEquals = equals;
      if (p.sourceIps) conditions.IpAddress = { 'aws:SourceIp': [...p.sourceIps] };
      const federated = /:(saml|oidc)-provider\//.test(p.principal);
      const principal = federated
        ? new iam.FederatedPrincipal(
            p.principal,
            conditions,
            /:saml-provider\//.test(p.principal) ? 'sts:AssumeRoleWithSAML' : 'sts:AssumeRoleWithWebIdentity',
          )
        : new iam.PrincipalWithConditions(/^\d{12}$/.test(p.principal) ? new iam.AccountPrincipal(p.principal) : new iam.ArnPrincipal(p.principal), conditions);
      const role = new iam.Role(this, `Path${index}`, {
        assumedBy: principal,
        description: `exclusive-desk ${props.tenant}: declared ${p.kind} access path ${index} (manifest access.${index}; docs/access.md)`,
        maxSessionDuration: Duration.hours(p.maxSessionHours ?? 1),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('job-function/ViewOnlyAccess')],
      });
      acknowledgeFindings(
        role,
        [managedPolicyFinding('job-function/ViewOnlyAccess')],
        'ViewOnlyAccess is the AWS-maintained job-function policy that lists resources and metadata without reading data: a declared access path may look, not read',
      );
      this.roles.push(role);
    });
  }
}
