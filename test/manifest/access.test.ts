/**
 * Declared access paths in the manifest (`access:`): what is accepted, the clear collected errors for what is not,
 * and the roles the stack realizes for them (constraints enforced in the trust policy, view-only permissions).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { Stack } from 'aws-cdk-lib';
import { TenantAccess } from '../../constructs/tenant-access';
import { ManifestError, validateManifests, type ManifestProblem } from '../../lib/manifest/load';
import { TODAY, testApp } from '../support/fleet';

const FILE = 'tenants/acme-health.yaml';
const base = (access: string) => `id: acme-health
account: "111111111111"
region: eu-west-1
isolation: account
licence:
  justification: "PHI in ticket attachments"
  approvedBy: compliance-officer@example.com
  reviewBy: 2029-06-30
network:
  cidr: 10.20.0.0/16
  availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c]
workload:
  ticketsPerDay: 12000
access:
${access}`;

const path = (fields: string) => `  - justification: "a reason"\n    approvedBy: ciso@example.com\n${fields}`;

function problems(access: string): readonly ManifestProblem[] {
  try {
    validateManifests([{ file: FILE, text: base(access) }], { today: TODAY });
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    return (e as ManifestError).problems;
  }
  return [];
}

describe('manifest access paths', () => {
  test('a delivery account, a customer role and a break-glass role with MFA and a session limit are accepted', () => {
    const access = [
      path('    kind: delivery\n    principal: "777777777777"\n    expires: 2029-12-31\n'),
      path('    kind: customer\n    principal: "arn:aws:iam::121212121212:saml-provider/AcmeOkta"\n    expires: 2029-12-31\n'),
      path('    kind: break-glass\n    principal: "arn:aws:iam::999999999999:role/Support"\n    expires: 2029-12-31\n    constraints:\n      mfa: true\n      maxSessionHours: 1\n'),
    ].join('');
    expect(problems(access)).toEqual([]);
  });

  test.each<[string, string, string, RegExp]>([
    ['an expired path', '    kind: delivery\n    principal: "777777777777"\n    expires: 2026-05-31\n', 'access.0.expires', /the delivery path for 777777777777 expired on 2026-05-31 \(today is 2026-06-01\): review it and set a new date, or remove it/],
    ['the tenant\'s own account', '    kind: customer\n    principal: "arn:aws:iam::111111111111:role/Admin"\n    expires: 2029-12-31\n', 'access.0.principal', /is in the tenant's own account 111111111111: declare only paths from outside it/],
    ['break-glass without MFA', '    kind: break-glass\n    principal: "arn:aws:iam::999999999999:role/Support"\n    expires: 2029-12-31\n', 'access.0.constraints', /a break-glass path must require MFA \(constraints\.mfa: true\) and limit the session/],
    ['a pattern outside delivery', '    kind: customer\n    principal: "arn:aws:iam::999999999999:role/Support*"\n    expires: 2029-12-31\n', 'access.0.principal', /only a delivery path may name a role pattern ending in "\*"/],
    ['a principal that is no principal', '    kind: customer\n    principal: "vendor-support"\n    expires: 2029-12-31\n', 'access.0.principal', /must be a 12-digit account id in quotes, a role ARN/],
    ['an unknown kind', '    kind: vendor\n    principal: "999999999999"\n    expires: 2029-12-31\n', 'access.0.kind', /must be one of: delivery, customer, break-glass/],
    ['a session above the IAM maximum', '    kind: customer\n    principal: "999999999999"\n    expires: 2029-12-31\n    constraints:\n      maxSessionHours: 24\n', 'access.0.constraints.maxSessionHours', /must be at most 12 hours/],
    ['an unknown constraint', '    kind: customer\n    principal: "999999999999"\n    expires: 2029-12-31\n    constraints:\n      mfaa: true\n', 'access.0.constraints.mfaa', /unknown field \(did you mean "mfa"\?\)/],
  ])('%s is a problem naming the file and the field', (_name, fields, field, message) => {
    const found = problems(path(fields));
    expect(found).toEqual(expect.arrayContaining([expect.objectContaining({ file: FILE, field, message: expect.stringMatching(message) })]));
  });

  test('the same path declared twice is a problem', () => {
    const p = path('    kind: delivery\n    principal: "777777777777"\n    expires: 2029-12-31\n');
    expect(problems(p + p)).toEqual([expect.objectContaining({ field: 'access.1.principal', message: 'declares the same delivery path as access.0' })]);
  });
});

describe('TenantAccess', () => {
  function synth(paths: ConstructorParameters<typeof TenantAccess>[2]['paths']) {
    const stack = new Stack(testApp(), 'T', { env: { account: '111111111111', region: 'eu-west-1' } });
    new TenantAccess(stack, 'Access', { tenant: 't', paths });
    return Template.fromStack(stack);
  }

  test('a break-glass path becomes one role trusting exactly its principal, with MFA, external id and a one-hour session', () => {
    const t = synth([
      { kind: 'delivery', principal: '777777777777' },
      { kind: 'break-glass', principal: 'arn:aws:iam::999999999999:role/Support', mfa: true, externalId: 'bg-1', maxSessionHours: 1 },
    ]);
    t.resourceCountIs('AWS::IAM::Role', 1);
    t.hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::999999999999:role/Support' },
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, StringEquals: { 'sts:ExternalId': 'bg-1' } },
          },
        ],
      },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/job-function/ViewOnlyAccess']] }],
    });
  });

  test('a customer identity provider is trusted for SAML federation with its source addresses', () => {
    const t = synth([{ kind: 'customer', principal: 'arn:aws:iam::121212121212:saml-provider/Okta', sourceIps: ['203.0.113.0/24'] }]);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRoleWithSAML',
            Principal: { Federated: 'arn:aws:iam::121212121212:saml-provider/Okta' },
            Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] } },
          },
        ],
      },
    });
  });

  test('a role pattern outside a delivery path is refused', () => {
    expect(() => synth([{ kind: 'customer', principal: 'arn:aws:iam::999999999999:role/Support*' }])).toThrow(/a role trusts named principals/);
  });
});

describe('exclusive-desk licences --access', () => {
  test('lists every declared path of the example fleet, soonest expiry first; json counts them', async () => {
    const { main } = await import('../../lib/cli/main');
    const { memoryIO } = await import('../../lib/cli/io');
    const { ROOT } = await import('../support/fleet');
    const io = memoryIO(ROOT);
    await expect(main(['licences', '--access', '--today', '2027-01-01', '--format', 'json'], io)).resolves.toBe(0);
    const json = JSON.parse(io.out) as { summary: Record<string, number>; access: { tenant: string; kind: string; expires: string }[] };
    expect(json.summary).toEqual({ valid: 6, due: 0, expired: 0 });
    expect(json.access.map((a) => `${a.tenant}:${a.kind}`)).toEqual([
      'acme-health:customer',
      'northwind-bank:break-glass',
      'acme-health:delivery',
      'contoso-markets:delivery',
      'fedline-gov:delivery',
      'northwind-bank:delivery',
    ]);
    const later = memoryIO(ROOT);
    await expect(main(['licences', '--access', '--today', '2029-07-01'], later)).resolves.toBe(1);
    expect(later.out).toMatch(/acme-health\s+111111111111\s+customer\s+arn:aws:iam::121212121212:role\/AcmeHealthAuditors\s+mfa, session<=1h\s+2029-06-30\s+expired 1d ago/);
  });
});
