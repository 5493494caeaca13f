import { RULES } from '../../lib/isolation/rules';
import { controlTitle } from '../../lib/report/controls';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readInputs } from '../../lib/assembly/read';
import { buildTenantModels } from '../../lib/assembly/tenants';
import { buildBoundary } from '../../lib/report/boundary';
import { parseAcknowledgementId } from '../../lib/report/compliance';
import { discloseSharedPlane } from '../../lib/report/disclosure';
import { EVIDENCE_SCHEMA, shellQuote, type TenantEvidence } from '../../lib/report/evidence';
import { ASSEMBLY, FAKE, fixtureFleet, GENUINE_YAML, NOW, packOf, TODAY } from './support';

const pack = fixtureFleet();
const tenant = (id: string): TenantEvidence => {
  const t = pack.tenants.find((x) => x.id === id);
  if (!t) throw new Error(`no tenant ${id} in the pack`);
  return t;
};

describe('fleet summary', () => {
  test('lists every tenant of the inputs and the manifests, failing first, missing last', () => {
    expect(pack.tenants.map((t) => [t.id, t.presence, t.verdict])).toEqual([
      ['initech-dental', 'verified', 'fail'],
      ['globex-health', 'verified', 'pass'],
      ['hooli-legal', 'missing', undefined],
    ]);
    expect(pack.fleet).toEqual({ tenants: 3, passed: 1, failed: 1, missing: 1, verdict: 'fail' });
  });

  test('states promised and achieved level, regimes and licence status with the review date', () => {
    expect(tenant('globex-health')).toMatchObject({
      promised: 'hardware',
      achieved: 'hardware',
      regimes: ['hipaa'],
      licence: { status: 'valid', reviewBy: '2027-06-30', source: 'manifest', ticket: 'LIC-101' },
    });
    expect(tenant('initech-dental')).toMatchObject({
      promised: 'hardware',
      achieved: 'pooled',
      licence: { status: 'due', reviewBy: '2026-06-20', daysLeft: 19 },
    });
    expect(tenant('hooli-legal').licence).toMatchObject({ status: 'expired', daysLeft: -62 });
  });

  test('is serialisable: JSON round-trips without loss', () => {
    expect(JSON.parse(JSON.stringify(pack))).toEqual(pack);
    expect(pack.schema).toBe(EVIDENCE_SCHEMA);
    expect(pack.generatedAt).toBe(NOW.toISOString());
    expect(pack.today).toBe(TODAY);
  });

  test('takes the licence from the template metadata when no manifest is read', () => {
    const t = packOf([FAKE], { manifests: false }).tenants[0]!;
    expect(t.licence).toMatchObject({
      source: 'template',
      status: 'due',
      reviewBy: '2026-06-20',
      approvedBy: 'sales@vendor.example',
    });
    expect(packOf([FAKE], { manifests: false }).limits.join(' ')).toMatch(/No tenant manifests were read/);
  });
});

describe('per-tenant evidence', () => {
  test('groups every rule by concern in report order, each with its status', () => {
    const t = tenant('globex-health');
    expect(t.concerns.map((c) => c.concern)).toEqual([
      'account',
      'access',
      'network',
      'database',
      'search',
      'keys',
      'compute',
      'references',
      'template',
    ]);
    const rules = t.concerns.flatMap((c) => c.rules);
    expect(rules.length).toBeGreaterThanOrEqual(29);
    expect(rules.find((r) => r.id === 'ISO-KMS-1')).toMatchObject({ status: 'pass', counts: true });
    expect(rules.find((r) => r.id === 'ISO-HSM-1')).toMatchObject({ counts: false });
  });

  test('pass evidence names the resource, the property path, the value and why', () => {
    const kms = tenant('globex-health')
      .concerns.flatMap((c) => c.rules)
      .find((r) => r.id === 'ISO-KMS-1')!;
    expect(kms.evidence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          resource: 'Database',
          path: 'Properties.KmsKeyId',
          message: expect.stringMatching(/DataKey/),
        }),
      ]),
    );
  });

  test('a fake-exclusivity tenant fails with the offending resource, property and value named', () => {
    const t = tenant('initech-dental');
    expect(t.verdict).toBe('fail');
    expect(t.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'ISO-KMS-1',
          resource: 'SharedPlatformDatabase',
          path: 'Properties.KmsKeyId',
          message: expect.stringContaining(
            'arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          ),
          remediation: expect.any(String),
        }),
        expect.objectContaining({ rule: 'ISO-NET-4', resource: 'ToVendorPlatform', path: 'Properties.PeerVpcId' }),
      ]),
    );
    expect(t.counts.errors).toBe(t.failures.length);
  });

  test('notes a tenant whose manifest is not in the inputs', () => {
    expect(tenant('hooli-legal').notes).toEqual([expect.stringMatching(/inputs hold no template/)]);
  });

  test('notes a cloud assembly older than the manifest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'initech-dental.template.yaml'),
        fs.readFileSync(FAKE, 'utf8').replace('reviewBy: "2026-06-20"', 'reviewBy: "2026-01-31"'),
      );
      const t = packOf([path.join(dir, 'initech-dental.template.yaml')]).tenants.find(
        (x) => x.id === 'initech-dental',
      )!;
      expect(t.notes).toEqual([expect.stringMatching(/review date 2026-01-31 but the manifest says 2026-06-20/)]);
      expect(t.licence.status).toBe('due');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('boundary', () => {
  test('draws the genuine tenant inside its account: VPC tenancy, stores in VPCs, keys and what they protect', () => {
    const b = tenant('globex-health').boundary!;
    expect(b.account).toBe('555555555555');
    expect(b.vpcs.map((v) => [v.id, v.tenancy])).toEqual([
      ['DataVpc', 'dedicated'],
      ['SearchVpc', 'default'],
    ]);
    expect(b.stores.map((s) => [s.id, s.kind, s.vpcs, s.flagged])).toEqual([
      ['Database', 'database', ['DataVpc'], false],
      ['SearchDomain', 'search', ['SearchVpc'], false],
    ]);
    expect(b.keys.find((k) => k.id === 'DataKey')?.protects.map((p) => [p.resource, p.dataClass])).toEqual([
      ['Database', 'database'],
      ['Database', 'performance-insights'],
    ]);
    expect(b.keys.find((k) => k.id === 'LogsKey')?.alias).toBe('alias/globex-health/logs');
    expect(b.links).toEqual([{ kind: 'peering', resource: 'Peering', from: 'DataVpc', to: 'SearchVpc' }]);
    expect(b.crossings).toEqual([]);
  });

  test('draws what crosses the fake tenant boundary: shared key, vendor subnets, peering to the vendor VPC', () => {
    const b = tenant('initech-dental').boundary!;
    expect(b.stores).toEqual([expect.objectContaining({ id: 'SharedPlatformDatabase', vpcs: [], flagged: true })]);
    expect(b.crossings.map((c) => [c.kind, c.resource, c.value])).toEqual(
      expect.arrayContaining([
        ['network', 'SharedPlatformDatabase', 'subnet-0aaa1111bbbb2222c'],
        ['network', 'SharedPlatformDatabase', 'subnet-0ddd3333eeee4444f'],
        [
          'key',
          'SharedPlatformDatabase',
          'arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        ],
        ['peering', 'ToVendorPlatform', 'vpc-0f00ba4c0ffee1234'],
      ]),
    );
    // The same subnet reached through the subnet group and the database is drawn once.
    expect(new Set(b.crossings.map((c) => c.value)).size).toBe(b.crossings.length);
    expect(b.crossings.find((c) => c.kind === 'peering')?.label).toMatch(/account 999999999999/);
  });

  test('draws imports from outside and principals of another account', () => {
    const models = buildTenantModels([
      {
        file: 'x.json',
        stackName: 'x',
        sha256: '',
        bytes: 0,
        template: {
          Metadata: { 'exclusive-desk': { tenant: 'x', account: '123456789012' } },
          Resources: {
            Sg: {
              Type: 'AWS::EC2::SecurityGroup',
              Properties: { VpcId: { 'Fn::ImportValue': 'vendor-shared-vpc' }, GroupDescription: 'x' },
            },
            Role: {
              Type: 'AWS::IAM::Role',
              Properties: {
                AssumeRolePolicyDocument: {
                  Statement: [
                    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'sts:AssumeRole' },
                  ],
                },
              },
            },
          },
        },
      },
    ]);
    const b = buildBoundary(models[0]!);
    expect(b.crossings.map((c) => [c.kind, c.resource, c.path])).toEqual([
      ['import', 'Sg', 'Properties.VpcId'],
      ['foreign-account', 'Role', 'Properties.AssumeRolePolicyDocument.Statement[0]'],
    ]);
  });
});

describe('compliance mapping', () => {
  test('maps each regime to the controls the rules support, with the rules and their results', () => {
    const [hipaa, pci] = tenant('initech-dental').compliance;
    expect(hipaa).toMatchObject({ regime: 'hipaa', label: 'HIPAA', nagPacks: ['HIPAA.Security'] });
    expect(hipaa!.controls.every((c) => c.control.startsWith('HIPAA '))).toBe(true);
    const encryption = hipaa!.controls.find((c) => c.control === 'HIPAA 164.312(a)(2)(iv)')!;
    expect(encryption.support).toBe('not-supported');
    expect(encryption.rules.map((r) => r.id)).toContain('ISO-KMS-1');
    expect(pci).toMatchObject({ label: 'PCI DSS', nagPacks: ['PCI.DSS.321'] });
    const genuine = tenant('globex-health').compliance[0]!;
    expect(genuine.controls.find((c) => c.control === 'HIPAA 164.312(a)(2)(iv)')?.support).toBe('supported');
  });

  test('every error finding of the tenant appears in every regime view: under a mapped control or as another isolation finding', () => {
    const t = tenant('initech-dental');
    expect(t.compliance.length).toBeGreaterThan(1);
    for (const regime of t.compliance) {
      const mappedFailing = new Set(
        regime.controls.flatMap((c) =>
          c.rules.filter((r) => r.counts && (r.status === 'fail' || r.status === 'unverifiable')).map((r) => r.id),
        ),
      );
      const other = new Set(regime.otherFindings.map((f) => f.rule));
      for (const f of t.failures)
        expect([regime.regime, f.rule, mappedFailing.has(f.rule) || other.has(f.rule)]).toEqual([
          regime.regime,
          f.rule,
          true,
        ]);
      // Nothing is listed twice: an "other" finding's rule names no control of the regime.
      for (const id of other) expect(mappedFailing.has(id)).toBe(false);
    }
    expect(t.compliance.some((r) => r.otherFindings.length > 0)).toBe(true);
  });

  test('every control the catalogue names has a title', () => {
    const controls = [...new Set(RULES.flatMap((r) => r.controls))];
    expect(controls.filter((c) => controlTitle(c) === undefined)).toEqual([]);
  });

  test('reads the cdk-nag result of the applied packs from the cloud assembly, with the acknowledgements', () => {
    const nag = tenant('globex-health').nag;
    expect(nag.recorded).toBe(true);
    expect(nag.packs.map((p) => [p.pack, p.result, p.acknowledged.length])).toEqual([
      ['AwsSolutions', 'passed-with-acknowledgements', 1],
      ['HIPAA.Security', 'passed-with-acknowledgements', 1],
    ]);
    expect(nag.packs[0]!.acknowledged[0]).toMatchObject({
      rule: 'AwsSolutions-RDS11',
      constructPath: '/ExclusiveDesk-globex-health/Database/Instance',
      resources: ['Database'],
      reason: expect.stringMatching(/obscurity/),
    });
    // PCI DSS is not a regime of this tenant: its acknowledgement has no effect and is counted, not listed.
    expect(nag.unusedAcknowledgements).toBe(1);
    expect(nag.otherAcknowledgements.map((a) => a.rule)).toEqual(['CloudFormation-Validate::W3010']);
    expect(nag.statement).toMatch(/does not record which plugins ran/);
  });

  test('says the nag result is not in the inputs for plain template files', () => {
    const nag = tenant('initech-dental').nag;
    expect(nag.recorded).toBe(false);
    expect(nag.packs.map((p) => [p.pack, p.result])).toEqual([
      ['AwsSolutions', 'not-recorded'],
      ['HIPAA.Security', 'not-recorded'],
      ['PCI.DSS.321', 'not-recorded'],
    ]);
    expect(nag.statement).toMatch(/not a cloud assembly/);
  });

  test.each([
    ['Annotation::AwsSolutions-RDS11', 'AwsSolutions', 'AwsSolutions-RDS11'],
    ['Annotation::NIST.800.53.R5-LambdaDLQ', 'NIST.800.53.R5', 'NIST.800.53.R5-LambdaDLQ'],
    ['PCI.DSS.321-S3BucketLoggingEnabled', 'PCI.DSS.321', 'PCI.DSS.321-S3BucketLoggingEnabled'],
    ['CloudFormation-Validate::W3010', undefined, 'CloudFormation-Validate::W3010'],
  ])('parses the acknowledgement id %s', (id, pack, rule) => {
    expect(parseAcknowledgementId(id)).toEqual(pack ? { pack, rule } : { rule });
  });
});

describe('shared-plane disclosure', () => {
  const areas = (t: TenantEvidence): string[] => t.shared.map((s) => s.area);

  test('discloses the deployment roles, bootstrap resources, Lambda code and fleet, DNS, telemetry, AWS services, KMS and the verifier', () => {
    const t = tenant('globex-health');
    expect(new Set(areas(t))).toEqual(
      new Set(['pipeline', 'bootstrap', 'code', 'compute', 'verifier', 'dns', 'telemetry', 'aws-services', 'keys']),
    );
    const pipeline = t.shared.find((s) => s.area === 'pipeline')!;
    expect(pipeline.evidence.map((e) => e.value)).toEqual(
      expect.arrayContaining([
        'arn:${AWS::Partition}:iam::555555555555:role/cdk-hnb659fds-deploy-role-555555555555-eu-west-1',
        'arn:${AWS::Partition}:iam::555555555555:role/cdk-hnb659fds-file-publishing-role-555555555555-eu-west-1',
      ]),
    );
    const bootstrap = t.shared.find((s) => s.area === 'bootstrap')!;
    expect(bootstrap.evidence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          resource: 'RestrictDefaultSgHandler',
          path: 'Properties.Code.S3Bucket',
          value: 'cdk-hnb659fds-assets-555555555555-eu-west-1',
        }),
        expect.objectContaining({ resource: 'parameter BootstrapVersion', value: '/cdk-bootstrap/hnb659fds/version' }),
      ]),
    );
    expect(bootstrap.crossesBoundary).toBe(false);
    const compute = t.shared.find((s) => s.area === 'compute')!;
    expect(compute.detail).toMatch(/1 runs outside the tenant VPCs, on the shared Lambda fleet/);
    expect(t.shared.find((s) => s.area === 'verifier')!.detail).toMatch(/No live verifier is deployed/);
    expect(t.shared.find((s) => s.area === 'aws-services')!.detail).toMatch(/rds\.eu-west-1\.amazonaws\.com/);
  });

  test('says when identical Lambda code is deployed to other tenants', () => {
    const other = fs
      .readFileSync(GENUINE_YAML, 'utf8')
      .replace(/globex-health/g, 'umbrella-labs')
      .replace(/555555555555/g, '888888888888');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
    try {
      fs.writeFileSync(path.join(dir, 'umbrella-labs.template.yaml'), other);
      const p = packOf([GENUINE_YAML, path.join(dir, 'umbrella-labs.template.yaml')], { manifests: false });
      const code = p.tenants.find((t) => t.id === 'globex-health')!.shared.find((s) => s.area === 'code')!;
      expect(code.detail).toMatch(/Identical code \(the same content hash\) is deployed to tenant umbrella-labs/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('marks code from another account or a public registry, and telemetry leaving the account, as crossing the boundary', () => {
    const [model] = buildTenantModels(
      readInputs([FAKE]).templates.map((t) => ({
        ...t,
        template: {
          ...t.template,
          Resources: {
            ...t.template.Resources,
            Fn: {
              Type: 'AWS::Lambda::Function',
              Properties: { Code: { S3Bucket: 'cdk-hnb659fds-assets-999999999999-eu-west-1', S3Key: 'a.zip' } },
            },
            Task: {
              Type: 'AWS::ECS::TaskDefinition',
              Properties: { ContainerDefinitions: [{ Name: 'app', Image: 'docker.io/vendor/desk:1.2' }] },
            },
            Alerts: {
              Type: 'AWS::SNS::Subscription',
              Properties: { Protocol: 'https', Endpoint: 'https://hooks.vendor.example/alerts', TopicArn: 'x' },
            },
          },
        },
      })),
    );
    const items = discloseSharedPlane({ tenant: model!, assembly: [], otherTenantsCode: new Map() });
    const crossing = items.filter((i) => i.crossesBoundary).map((i) => [i.area, i.sharedWith]);
    expect(crossing).toEqual(
      expect.arrayContaining([
        ['bootstrap', 'vendor'],
        ['code', 'other-account'],
        ['code', 'public'],
        ['telemetry', 'other-account'],
      ]),
    );
  });
});

describe('integrity', () => {
  test('lists every template with its SHA-256 and the commands to re-run the checks', () => {
    const files = pack.templates.map((t) => [t.tenant, t.file]);
    expect(files).toEqual([
      ['globex-health', 'test/fixtures/report/assembly/ExclusiveDesk-globex-health.template.json'],
      ['initech-dental', 'test/fixtures/report/fleet/initech-dental.template.yaml'],
    ]);
    const { templates } = readInputs([ASSEMBLY, FAKE]);
    expect(pack.templates.map((t) => t.sha256)).toEqual(templates.map((t) => t.sha256));
    expect(pack.templates[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pack.rerun.verify).toBe(
      'npx exclusive-desk verify test/fixtures/report/assembly test/fixtures/report/fleet/initech-dental.template.yaml --format json',
    );
    expect(pack.rerun.checksums).toMatch(
      /^sha256sum test\/fixtures\/report\/assembly\/ExclusiveDesk-globex-health\.template\.json /,
    );
    expect(pack.rerun.licences).toBe(
      'npx exclusive-desk licences --tenants-dir test/fixtures/report/tenants --today 2026-06-01',
    );
  });

  test.each([
    ['cdk.out', 'cdk.out'],
    ['my templates/a.json', "'my templates/a.json'"],
    ["it's.json", "'it'\\''s.json'"],
  ])('shell-quotes %s for the re-run commands', (arg, quoted) => {
    expect(shellQuote(arg)).toBe(quoted);
  });
});
