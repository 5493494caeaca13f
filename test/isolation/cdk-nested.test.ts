/**
 * A real CDK app with a NestedStack: the tenant's key, VPC and ECS cluster live in the nested stack, the parent runs
 * a Fargate service and a database on them. The synthesized cloud assembly is read as the CLI reads it (nested
 * templates found through their asset metadata) and verified: every rule the nested stack touches passes; the fake
 * (the same parent on the vendor's cluster) fails for that reason alone.
 */
import * as fs from 'node:fs';
import { NestedStack, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { readInputs } from '../../lib/assembly/read';
import { buildTenantModels } from '../../lib/assembly/tenants';
import { evaluateTemplates, type TenantVerdict } from '../../lib/isolation/engine';
import { testApp } from '../support/fleet';

const ENV = { account: '123456789012', region: 'eu-west-1' };
/** The rules whose evidence crosses from the parent into the nested stack. */
const NESTED_RULES = ['ISO-COMP-1', 'ISO-NET-1', 'ISO-NET-2', 'ISO-KMS-1', 'ISO-TPL-1'];

function synth(variant: 'genuine' | 'vendor-cluster'): TenantVerdict {
  // The CDK CLI turns asset metadata on by default; a programmatic App needs it in its context.
  const app = testApp({ context: { 'aws:cdk:enable-asset-metadata': true } });
  const outdir = app.outdir;
  try {
    const parent = new Stack(app, 'Tenant', { env: ENV });
    const platform = new NestedStack(parent, 'Platform');
    const key = new kms.Key(platform, 'Key', { enableKeyRotation: true });
    const vpc = new ec2.Vpc(platform, 'Vpc', {
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      natGateways: 0,
      subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const cluster =
      variant === 'genuine'
        ? new ecs.Cluster(platform, 'Cluster', { vpc })
        : ecs.Cluster.fromClusterAttributes(parent, 'VendorCluster', { clusterName: 'platform-shared', vpc, securityGroups: [] });
    const task = new ecs.FargateTaskDefinition(parent, 'Task');
    task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') });
    new ecs.FargateService(parent, 'Service', { cluster, taskDefinition: task });
    new rds.DatabaseInstance(parent, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncryptionKey: key,
      credentials: rds.Credentials.fromGeneratedSecret('desk', { encryptionKey: key }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6I, ec2.InstanceSize.LARGE),
    });
    app.synth();
    const read = readInputs([outdir], { digest: false });
    expect(read.errors).toEqual([]);
    expect(read.templates.map((t) => t.stackName)).toEqual(['Tenant', 'Tenant/PlatformNestedStackPlatformNestedStackResource0E1DEF98']);
    const tenants = buildTenantModels(read.templates);
    expect(tenants).toHaveLength(1);
    return evaluateTemplates(tenants)[0]!;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('a CDK NestedStack holding the tenant\'s key, VPC and ECS cluster', () => {
  let genuine: TenantVerdict;
  let fake: TenantVerdict;
  beforeAll(() => {
    genuine = synth('genuine');
    fake = synth('vendor-cluster');
  });
  const result = (v: TenantVerdict, rule: string) => v.results.find((r) => r.rule.id === rule)!;

  test.each(NESTED_RULES)('%s passes with no finding: the parent\'s references reach the nested resources', (rule) => {
    expect(result(genuine, rule).findings).toEqual([]);
    expect(result(genuine, rule).status).toBe('pass');
  });
  test('the evidence names the nested stack\'s own cluster, subnets and key', () => {
    const evidence = (rule: string) => result(genuine, rule).evidence.map((e) => e.message);
    expect(evidence('ISO-COMP-1')).toEqual([expect.stringMatching(/^Service[0-9A-F]+ runs on the tenant's ECS cluster Cluster[0-9A-F]+$/)]);
    expect(evidence('ISO-NET-1').join('\n')).toMatch(/Vpc[0-9A-F]+/);
    expect(evidence('ISO-KMS-1').join('\n')).toMatch(/Key[0-9A-F]+/);
  });
  test('no finding of any rule points at the nested stack resource instead of what it outputs', () => {
    expect(genuine.findings.filter((f) => /NestedStackResource|Outputs\./.test(`${f.message} ${f.value ?? ''}`))).toEqual([]);
  });

  test('the fake (the same parent on the vendor\'s cluster) fails ISO-COMP-1, naming the cluster, and nothing else changes', () => {
    expect(result(fake, 'ISO-COMP-1').findings.map((f) => ({ resource: f.resource, path: f.path, kind: f.kind, message: f.message }))).toEqual([
      {
        resource: expect.stringMatching(/^Service[0-9A-F]+$/),
        path: 'Properties.Cluster',
        kind: 'violation',
        message: expect.stringMatching(/^Service[0-9A-F]+ runs on the ECS cluster "platform-shared", which the tenant's templates do not define \(a shared cluster\)$/),
      },
    ]);
    expect(fake.verdict).toBe('fail');
    for (const rule of NESTED_RULES.filter((r) => r !== 'ISO-COMP-1')) expect([rule, result(fake, rule).findings]).toEqual([rule, []]);
  });
});
