/**
 * ISO-IAM-1: who can assume a role inside the tenant. Compliant, violation, could-not-verify and not-applicable
 * cases on hand-written fragments with exact findings; declared access paths through the template metadata as the
 * app writes them; the synthesized example fleet; and a public template someone else wrote.
 */
import * as path from 'node:path';
import { readInputs } from '../../lib/assembly/read';
import { buildTenantModels } from '../../lib/assembly/tenants';
import { declaredAccessOf, type DeclaredAccess } from '../../lib/isolation/declared-access';
import { evaluateTemplates } from '../../lib/isolation/engine';
import { TenantModel } from '../../lib/isolation/model';
import type { CfnTemplate } from '../../lib/assembly/read';
import { fleetTemplates } from '../support/fleet';

const TENANT = '111111111111';
const VENDOR = '999999999999';
const SUPPORT_ROLE = `arn:aws:iam::${VENDOR}:role/VendorSupport`;

function role(trust: unknown, extra: Record<string, unknown> = {}): CfnTemplate {
  return { Resources: { Door: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust, ...extra } } } };
}
const allow = (Principal: unknown, Condition?: unknown) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal, ...(Condition ? { Condition } : {}) }],
});

function result(template: CfnTemplate, access: readonly DeclaredAccess[] = []) {
  const model = new TenantModel({ id: 'tenant-a', account: TENANT, region: 'eu-west-1', access, stacks: [{ name: 'tenant-a', file: 'a.json', template }] });
  const r = evaluateTemplates([model])[0]!.results.find((x) => x.rule.id === 'ISO-IAM-1');
  if (!r) throw new Error('ISO-IAM-1 is not in the catalogue');
  return r;
}
const exact = (template: CfnTemplate, access: readonly DeclaredAccess[] = []) =>
  result(template, access).findings.map(({ rule, resource, path: p, kind, severity, message }) => ({ rule, resource, path: p, kind, severity, message }));

const breakGlass: DeclaredAccess = {
  kind: 'break-glass',
  principal: SUPPORT_ROLE,
  justification: 'P1 incidents the customer opens with vendor support',
  approvedBy: 'ciso@customer.example',
  expires: '2029-01-31',
  constraints: { mfa: true, maxSessionHours: 1 },
};
const mfa = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

describe('ISO-IAM-1 compliant', () => {
  test('a role for a Lambda function and the tenant account passes with evidence', () => {
    const r = result(role(allow({ Service: 'lambda.amazonaws.com', AWS: `arn:aws:iam::${TENANT}:root` })));
    expect(r.status).toBe('pass');
    expect(r.findings).toEqual([]);
    expect(r.evidence.map((e) => e.message)).toEqual(["Door can be assumed only by the tenant's account and AWS services"]);
  });

  test('"*" pinned by aws:PrincipalAccount to the tenant is the tenant', () => {
    expect(result(role(allow('*', { StringEquals: { 'aws:PrincipalAccount': TENANT } }))).status).toBe('pass');
  });

  test('a declared break-glass role whose trust enforces MFA and a one-hour session passes, naming the declaration', () => {
    const r = result(role(allow({ AWS: SUPPORT_ROLE }, mfa), { MaxSessionDuration: 3600 }), [breakGlass]);
    expect(r.status).toBe('pass');
    expect(r.evidence.map((e) => e.message)).toEqual([
      `Door trusts ${SUPPORT_ROLE} through the declared break-glass path (approved by ciso@customer.example, expires 2029-01-31) with its constraints enforced`,
    ]);
  });

  test('a declared role pattern (the CDK bootstrap roles of the delivery account) admits the roles it names', () => {
    const delivery: DeclaredAccess = { ...breakGlass, kind: 'delivery', principal: `arn:aws:iam::${VENDOR}:role/cdk-hnb659fds-*`, constraints: {} };
    expect(result(role(allow({ AWS: `arn:aws:iam::${VENDOR}:role/cdk-hnb659fds-deploy-role-${VENDOR}-eu-west-1` })), [delivery]).status).toBe('pass');
  });
});

describe('ISO-IAM-1 violations', () => {
  test.each([
    ['the vendor account', { AWS: `arn:aws:iam::${VENDOR}:root` }, undefined, `Door trusts arn:aws:iam::${VENDOR}:root, and no access path in the manifest declares it`],
    ['"*" with an external id alone', '*', { StringEquals: { 'sts:ExternalId': 'shared-secret' } }, 'Door trusts every principal ("*") with only an external id (an external id is not a secret), and no access path in the manifest declares it'],
    ['the whole vendor organization', '*', { StringEquals: { 'aws:PrincipalOrgID': 'o-vendor12345' } }, 'Door trusts every principal ("*") pinned only to an organization (aws:PrincipalOrgID spans every account of the vendor), and no access path in the manifest declares it'],
    ['an identity provider of another account', { Federated: `arn:aws:iam::${VENDOR}:saml-provider/VendorOkta` }, undefined, `Door trusts the identity provider arn:aws:iam::${VENDOR}:saml-provider/VendorOkta, and no access path in the manifest declares it`],
  ])('an undeclared path from %s fails', (_name, principal, condition, message) => {
    expect(exact(role(allow(principal, condition)))).toEqual([
      { rule: 'ISO-IAM-1', resource: 'Door', path: 'Properties.AssumeRolePolicyDocument.Statement[0]', kind: 'violation', severity: 'error', message },
    ]);
  });

  test('a declared path whose trust policy does not require MFA fails, naming the missing constraint', () => {
    expect(exact(role(allow({ AWS: SUPPORT_ROLE }), { MaxSessionDuration: 3600 }), [breakGlass])).toEqual([
      {
        rule: 'ISO-IAM-1', resource: 'Door', path: 'Properties.AssumeRolePolicyDocument.Statement[0]', kind: 'violation', severity: 'error',
        message: `Door trusts ${SUPPORT_ROLE} as the declared break-glass path, but does not enforce MFA (Bool aws:MultiFactorAuthPresent true)`,
      },
    ]);
  });

  test('MFA "IfExists" is not MFA (it passes when the key is absent)', () => {
    const r = result(role(allow({ AWS: SUPPORT_ROLE }, { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } }), { MaxSessionDuration: 3600 }), [breakGlass]);
    expect(r.status).toBe('fail');
  });

  test('a session longer than declared fails', () => {
    expect(exact(role(allow({ AWS: SUPPORT_ROLE }, mfa), { MaxSessionDuration: 43200 }), [breakGlass])[0]?.message).toBe(
      `Door trusts ${SUPPORT_ROLE} as the declared break-glass path, but does not enforce the session limit (MaxSessionDuration at most 3600 s)`,
    );
  });

  test('external id, source VPC and source address constraints must each be enforced with the declared values', () => {
    const customer: DeclaredAccess = {
      ...breakGlass,
      kind: 'customer',
      principal: VENDOR,
      constraints: { externalId: 'acme-7f3a', sourceVpcs: ['vpc-0abc12345def67890'], sourceIps: ['203.0.113.0/24'] },
    };
    const trust = (cond: unknown) => role(allow({ AWS: `arn:aws:iam::${VENDOR}:root` }, cond));
    const all = {
      StringEquals: { 'sts:ExternalId': 'acme-7f3a', 'aws:SourceVpc': 'vpc-0abc12345def67890' },
      IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
    };
    expect(result(trust(all), [customer]).status).toBe('pass');
    const wrongId = { ...all, StringEquals: { ...all.StringEquals, 'sts:ExternalId': 'other' } };
    expect(exact(trust(wrongId), [customer])[0]?.message).toMatch(/does not enforce the external id \(StringEquals sts:ExternalId "acme-7f3a"\)$/);
    const widerIps = { ...all, IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '0.0.0.0/0'] } };
    expect(exact(trust(widerIps), [customer])[0]?.message).toMatch(/does not enforce the source addresses/);
  });

  test('a declaration never admits more than it names: one role declared, the whole account trusted, fails', () => {
    expect(result(role(allow({ AWS: `arn:aws:iam::${VENDOR}:root` }, mfa), { MaxSessionDuration: 3600 }), [breakGlass]).status).toBe('fail');
    expect(result(role(allow({ AWS: 'arn:aws:iam::888888888888:role/VendorSupport' }, mfa), { MaxSessionDuration: 3600 }), [breakGlass]).status).toBe('fail');
  });
});

describe('ISO-IAM-1 could not verify', () => {
  test('a principal from a parameter cannot be shown to be anyone in particular', () => {
    const t = role(allow({ AWS: { 'Fn::Sub': 'arn:aws:iam::${VendorAccount}:root' } }));
    const findings = exact({ ...t, Parameters: { VendorAccount: { Type: 'String' } } });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toEqual(expect.objectContaining({ resource: 'Door', path: 'Properties.AssumeRolePolicyDocument.Statement[0]', kind: 'unverifiable', severity: 'error' }));
    expect(findings[0]?.message).toMatch(/which cannot be shown to be the tenant's account or a declared access path$/);
  });

  test('a trust policy that is not a document cannot be read', () => {
    expect(exact(role({ Ref: 'TrustPolicy' }))[0]).toEqual(expect.objectContaining({ kind: 'unverifiable', path: 'Properties.AssumeRolePolicyDocument' }));
  });
});

describe('ISO-IAM-1 not applicable', () => {
  test('a tenant with no role', () => {
    expect(result({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }).status).toBe('not-applicable');
  });
});

describe('declared paths from the template metadata', () => {
  test('the metadata the app writes declares the path; a malformed entry declares nothing', () => {
    expect(declaredAccessOf([{ ...breakGlass }, { kind: 'vendor', principal: VENDOR, expires: '2030-01-01' }, 'x', null])).toEqual([breakGlass]);
    expect(declaredAccessOf(undefined)).toEqual([]);
  });

  test('read through buildTenantModels, as verify and the synth plugin read templates', () => {
    const template = {
      ...role(allow({ AWS: SUPPORT_ROLE }, mfa), { MaxSessionDuration: 3600 }),
      Metadata: { 'exclusive-desk': { tenant: 'tenant-a', account: TENANT, access: [breakGlass] } },
    } as CfnTemplate;
    const [model] = buildTenantModels([{ file: 'a.json', stackName: 'a', template }]);
    expect(model?.access).toEqual([breakGlass]);
    expect(evaluateTemplates([model!])[0]!.results.find((x) => x.rule.id === 'ISO-IAM-1')?.status).toBe('pass');
  });
});

describe('on templates this project and others wrote', () => {
  test('the synthesized example fleet: every role (custom-resource and gate functions) passes', () => {
    const fleet = fleetTemplates();
    for (const id of Object.keys(fleet.json)) {
      const [model] = buildTenantModels([{ file: `${id}.json`, stackName: id, template: fleet.json[id] as unknown as CfnTemplate }]);
      const r = evaluateTemplates([model!])[0]!.results.find((x) => x.rule.id === 'ISO-IAM-1');
      expect({ id, status: r?.status, findings: r?.findings }).toEqual({ id, status: 'pass', findings: [] });
    }
  });

  test('the public VPC-peering accepter role, which trusts accounts from a parameter, cannot be verified', () => {
    const file = path.join(__dirname, '../../../shared/corpus/aws-cloudformation-templates/Solutions/VPCPeering/templates/VPCPeering-Accepter-Role.cfn.yaml');
    const { templates } = readInputs([file]);
    const [model] = buildTenantModels(templates);
    const r = evaluateTemplates([model!])[0]!.results.find((x) => x.rule.id === 'ISO-IAM-1');
    expect(r?.status).toBe('unverifiable');
    expect(r?.findings.map((f) => [f.resource, f.path, f.kind])).toEqual([['PeerRole', 'Properties.AssumeRolePolicyDocument.Statement[0]', 'unverifiable']]);
  });
});
