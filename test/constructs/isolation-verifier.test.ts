/**
 * The synth-time verifier on the real constructs: the example tenant synthesizes clean, and a fake-exclusivity
 * construct added to a tenant stack makes synth fail with rule, resource, construct path and fix.
 */
import { CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IsolationValidationPlugin, IsolationVerifier } from '../../constructs/isolation-verifier';
import { addTenantStack, buildApp } from '../../lib/app';
import { loadManifests } from '../../lib/manifest/load';
import { TENANTS_DIR, TODAY, testApp } from '../support/fleet';

function tenantApp(tenant?: string) {
  // The CLI turns path metadata on; a programmatic App needs it in context.
  const app = testApp({ context: { 'aws:cdk:enable-path-metadata': true } });
  const built = buildApp(app, { tenantsDir: TENANTS_DIR, tenant, today: TODAY });
  const plugin = IsolationVerifier.attachToApp(app);
  return { app, built, plugin };
}

test('the example tenant synthesizes and verifies clean at its promised level', () => {
  const { app, plugin } = tenantApp('northwind-bank');
  app.synth();
  const [v] = plugin.lastOutcome!.verdicts;
  expect(v).toMatchObject({ tenant: 'northwind-bank', account: '222222222222', required: 'account', achieved: 'account', verdict: 'pass' });
  expect(v!.findings.filter((f) => f.severity === 'error')).toEqual([]);
});

test('the plugin is registered once however often it is attached', () => {
  const app = testApp();
  expect(IsolationVerifier.attachToApp(app)).toBe(IsolationVerifier.attachToApp(app));
});

test('a peering into the vendor VPC fails synth with the finding', () => {
  const { app, built, plugin } = tenantApp('northwind-bank');
  const stack = built.stacks[0]!;
  new ec2.CfnVPCPeeringConnection(stack, 'VendorPeering', {
    vpcId: stack.network.dataVpc.vpcId,
    peerVpcId: 'vpc-0f00ba4c0ffee1234',
    peerOwnerId: '999999999999',
  });
  expect(() => app.synth()).toThrow(/ISO-NET-4 \[northwind-bank\] VendorPeering peers with/);
  const v = plugin.lastOutcome!.verdicts[0]!;
  expect(v.verdict).toBe('fail');
  const finding = v.findings.find((f) => f.rule === 'ISO-NET-4' && f.path === 'Properties.PeerVpcId');
  expect(finding?.resource).toMatch(/^VendorPeering/);
  expect(finding?.message).toContain('vpc-0f00ba4c0ffee1234');
});

test('the violation report names rule, resource, construct path and fix', () => {
  const plugin = new IsolationValidationPlugin();
  const { app, built } = tenantApp('northwind-bank');
  Validations.of(app).addPlugins(plugin);
  const stack = built.stacks[0]!;
  new logs.CfnLogGroup(stack, 'SharedKeyLogs', { kmsKeyId: 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
  let message = '';
  try {
    app.synth();
  } catch (e) {
    message = String(e);
  }
  expect(message).toMatch(/ISO-KMS-1 \[northwind-bank\] SharedKeyLogs/);
  const report = plugin.validate({
    templatePaths: [],
    stackTemplates: [{ templatePath: `${app.outdir}/${stack.templateFile}`, accountId: '222222222222', region: 'us-east-1', stackConstructPath: stack.node.path }],
    appConstruct: app,
  });
  expect(report.success).toBe(false);
  const v = report.violations.find((x) => x.ruleName === 'ISO-KMS-1')!;
  expect(v.description).toContain('ISO-KMS-1 [northwind-bank]');
  expect(v.fix).toContain('TenantKeys');
  expect(v.violatingResources[0]!.resourceLogicalId).toBe('SharedKeyLogs');
  expect(v.violatingResources[0]!.constructPath).toBe('ExclusiveDesk-northwind-bank/SharedKeyLogs');
  expect(v.violatingResources[0]!.locations).toEqual(['Properties.KmsKeyId']);
});

test('the construct rejects a stack that is not pinned to the tenant account', () => {
  const app = testApp();
  const stack = new Stack(app, 'Loose', { env: { account: '123456789012', region: 'eu-west-1' } });
  new IsolationVerifier(stack, 'IsolationVerifier', { tenant: 't', account: '222222222222', region: 'eu-west-1', required: 'account' });
  expect(() => app.synth()).toThrow(/must be pinned to account 222222222222.*termination protection/s);
});

test('throws early for a bad account', () => {
  const stack = new Stack(testApp(), 'S');
  expect(() => new IsolationVerifier(stack, 'V', { tenant: 't', account: '12', region: 'eu-west-1', required: 'account' })).toThrow(/12 digits/);
});

test('two tenants using one key fail the fleet', () => {
  const { app, built, plugin } = tenantApp();
  const shared = 'arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const [a, b] = built.stacks;
  new logs.CfnLogGroup(a!, 'VendorLogs', { kmsKeyId: shared });
  new logs.CfnLogGroup(b!, 'VendorLogs', { kmsKeyId: shared });
  expect(() => app.synth()).toThrow(/ISO-KMS-3/);
  const failing = plugin.lastOutcome!.verdicts.filter((v) => v.findings.some((f) => f.rule === 'ISO-KMS-3'));
  expect(failing.map((v) => v.tenant).sort()).toEqual([a!.manifest.id, b!.manifest.id].sort());
});

describe('pipeline mode: tenant stacks inside Stages, next to stacks of no tenant', () => {
  function pipelineLikeApp() {
    const app = testApp({ context: { 'aws:cdk:enable-path-metadata': true } });
    const plugin = IsolationVerifier.attachToApp(app, { tenantTemplatesOnly: true });
    const pipeline = new Stack(app, 'ExclusiveDesk-Pipeline', { env: { account: '999999999999', region: 'us-east-1' } });
    new CfnResource(pipeline, 'Artifacts', { type: 'AWS::S3::Bucket' });
    const manifest = loadManifests(TENANTS_DIR, { today: TODAY }).find((m) => m.id === 'northwind-bank')!;
    const stage = new Stage(app, 'northwind-bank', { env: { account: manifest.account, region: manifest.region } });
    const tenant = addTenantStack(stage, manifest, { today: TODAY });
    return { app, plugin, stack: tenant.stack };
  }

  test("verifies the Stages' tenant stacks and leaves the pipeline's own stack out", () => {
    const { app, plugin } = pipelineLikeApp();
    app.synth();
    expect(plugin.lastOutcome!.verdicts.map((v) => [v.tenant, v.verdict, v.achieved])).toEqual([['northwind-bank', 'pass', 'account']]);
  });

  test('a fake-exclusivity construct in a Stage still fails synth', () => {
    const { app, stack } = pipelineLikeApp();
    new logs.CfnLogGroup(stack, 'SharedKeyLogs', { kmsKeyId: 'arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
    expect(() => app.synth()).toThrow(/ISO-KMS-1 \[northwind-bank\] SharedKeyLogs/);
  });

  test('without the option, a stack of no tenant is taken for a tenant and fails', () => {
    const app = testApp();
    const plugin = IsolationVerifier.attachToApp(app);
    new CfnResource(new Stack(app, 'Tooling'), 'Artifacts', { type: 'AWS::S3::Bucket' });
    expect(() => app.synth()).toThrow(/Tooling/);
    expect(plugin.lastOutcome!.verdicts.map((v) => v.tenant)).toEqual(['Tooling']);
  });
});
