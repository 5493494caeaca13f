import { App, CfnResource, Stack, type Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { VERIFY_INPUTS } from '../../constructs/fleet-pipeline';
import { validateManifests } from '../../lib/manifest/load';
import type { TenantManifest } from '../../lib/manifest/schema';
import { tenantStackName } from '../../lib/naming';
import { PipelineStack, type PipelineSource } from '../../lib/stacks/pipeline-stack';
import { TenantStack } from '../../lib/stacks/tenant-stack';
import { syntheticManifest, syntheticTenantId } from '../../scripts/bench-fleet';
import { appContext } from '../support/fleet';

const TODAY = '2026-06-01';
const CODECOMMIT: PipelineSource = { kind: 'codecommit', repositoryName: 'exclusive-desk', branch: 'main' };

/** Synthetic manifests (index -> extra YAML), validated like the real loader does. */
function fleet(indices: readonly number[], extra: Readonly<Record<number, string>> = {}): TenantManifest[] {
  return validateManifests(
    indices.map((i) => ({ file: `${syntheticTenantId(i)}.yaml`, text: syntheticManifest(i) + (extra[i] ?? '') })),
    { today: TODAY },
  );
}

/** A one-resource stand-in for a tenant stack: the pipeline's shape does not depend on the stack's contents. */
function stubTenant(stage: Stage, m: TenantManifest): Stack {
  const stack = new Stack(stage, 'Tenant', { stackName: tenantStackName(m.id) });
  new CfnResource(stack, 'Marker', { type: 'AWS::SNS::Topic' });
  return stack;
}

interface Built {
  readonly stack: PipelineStack;
  readonly template: Template;
  readonly json: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
}

function build(
  manifests: readonly TenantManifest[],
  options: {
    waveSize?: number;
    region?: string;
    source?: PipelineSource;
    partitionLiterals?: boolean;
    readOnlyRoleName?: string;
  } = {},
): Built {
  const app = new App({
    context: appContext(options.partitionLiterals === false ? { '@aws-cdk/core:enablePartitionLiterals': false } : {}),
    builtinCloudFormationValidation: false,
  });
  const stack = new PipelineStack(app, 'ExclusiveDesk-Pipeline', {
    env: { account: '999999999999', region: options.region ?? 'us-east-1' },
    manifests,
    waveSize: options.waveSize ?? 2,
    source: options.source ?? CODECOMMIT,
    readOnlyRoleName: options.readOnlyRoleName,
    addTenant: (stage, m) => stubTenant(stage, m),
  });
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as Built['json'] };
}

interface PipelineAction {
  Name: string;
  RunOrder: number;
  ActionTypeId: { Category: string; Provider: string };
  Configuration?: Record<string, unknown>;
  RoleArn?: unknown;
  Region?: string;
}

function stages(b: Built): { Name: string; Actions: PipelineAction[] }[] {
  const pipeline = Object.values(b.json.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  return pipeline!.Properties!.Stages as { Name: string; Actions: PipelineAction[] }[];
}

/** The build commands of the CodeBuild project behind a pipeline action. */
function commandsOf(b: Built, action: PipelineAction): string[] {
  const ref = (action.Configuration?.ProjectName as { Ref: string }).Ref;
  const project = b.json.Resources[ref]!;
  const spec = JSON.parse((project.Properties!.Source as { BuildSpec: string }).BuildSpec) as {
    phases: { build: { commands: string[] } };
  };
  return spec.phases.build.commands;
}

/** The IAM statements attached to the role of the CodeBuild project behind a pipeline action. */
function statementsOf(b: Built, action: PipelineAction): { Action: unknown; Resource: unknown; Sid?: string }[] {
  const ref = (action.Configuration?.ProjectName as { Ref: string }).Ref;
  const roleRef = (b.json.Resources[ref]!.Properties!.ServiceRole as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  return Object.values(b.json.Resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties!.Roles) === JSON.stringify([{ Ref: roleRef }]),
    )
    .flatMap(
      (r) =>
        (r.Properties!.PolicyDocument as { Statement: { Action: unknown; Resource: unknown; Sid?: string }[] })
          .Statement,
    );
}

function action(b: Built, stageName: string, name: string): PipelineAction {
  const stage = stages(b).find((s) => s.Name === stageName);
  const found = stage?.Actions.find((a) => a.Name === name);
  if (!found)
    throw new Error(
      `no action ${name} in stage ${stageName}: ${stages(b)
        .map((s) => `${s.Name}[${s.Actions.map((a) => a.Name).join(',')}]`)
        .join(' ')}`,
    );
  return found;
}

describe('PipelineStack', () => {
  // 7 tenants of the aws partition (indices without itar); t0005 held back, t0006 pinned to wave 3.
  const manifests = fleet([0, 1, 2, 3, 5, 6, 7], { 5: 'delivery:\n  holdBack: true\n', 6: 'delivery:\n  wave: 3\n' });
  const built = build(manifests, { waveSize: 2 });

  test('deploys the tenants in waves of waveSize, in id order, a pinned tenant in its wave, after the CDK Pipelines stages', () => {
    // CDK Pipelines names a wave of one tenant after the tenant's Stage.
    expect(built.stack.fleetPipeline.stageNames).toEqual(['Wave0', 'Wave1', 't0007-desk', 't0006-desk']);
    expect(stages(built).map((s) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      ...built.stack.fleetPipeline.stageNames,
    ]);
    const deployed = (name: string): string[] =>
      stages(built)
        .find((s) => s.Name === name)!
        .Actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation')
        .map((a) => a.Configuration!.StackName as string);
    expect(deployed('Wave0')).toEqual(['ExclusiveDesk-t0000-desk', 'ExclusiveDesk-t0001-desk']);
    expect(deployed('Wave1')).toEqual(['ExclusiveDesk-t0002-desk', 'ExclusiveDesk-t0003-desk']);
    expect(deployed('t0007-desk')).toEqual(['ExclusiveDesk-t0007-desk']);
    expect(deployed('t0006-desk')).toEqual(['ExclusiveDesk-t0006-desk']);
    expect(built.stack.plan.waves.map((w) => w.index)).toEqual([0, 1, 2, 3]);
  });

  test('gives a held-back tenant no Stage, no deploy action and no check', () => {
    expect(built.stack.plan.heldBack.map((m) => m.id)).toEqual(['t0005-desk']);
    expect(Object.keys(built.stack.stages)).not.toContain('t0005-desk');
    expect(JSON.stringify(built.json)).not.toContain('t0005-desk');
    Annotations.fromStack(built.stack).hasInfo('*', Match.stringLikeRegexp('held back .*t0005-desk'));
  });

  test('runs the template verifier and the guard before each wave, the live verifier after it', () => {
    built.stack.fleetPipeline.stageNames.forEach((stageName, i) => {
      const wave = `Wave${built.stack.plan.waves[i]!.index}`;
      const pre = action(built, stageName, `${wave}Preflight`);
      const post = action(built, stageName, `${wave}LiveVerify`);
      const deploys = stages(built)
        .find((s) => s.Name === stageName)!
        .Actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
      expect(deploys.length).toBeGreaterThan(0);
      for (const d of deploys) {
        expect(pre.RunOrder).toBeLessThan(d.RunOrder);
        expect(post.RunOrder).toBeGreaterThan(d.RunOrder);
      }
      const commands = commandsOf(built, pre);
      expect(commands[0]).toBe(`npm run verify -- ${VERIFY_INPUTS}`);
      expect(commands[1]).toMatch(/^set -eu\n/);
    });
    const guard = commandsOf(built, action(built, 'Wave1', 'Wave1Preflight'))[1]!;
    expect(guard).toContain(
      'aws s3 sync --only-show-errors "s3://$RELEASE_BUCKET/releases/last/cdk.out" baseline/last',
    );
    expect(guard).toContain('npm run guard -- "baseline/last/$3" "cdk.out/$3" --stack "$1"');
    expect(guard).toContain('cloudformation get-template --stack-name "$1" --template-stage Original');
    // The wave's stacks and only them, each with its tenant's profile and Stage assembly.
    expect(guard).toContain(
      'guard_stack ExclusiveDesk-t0002-desk t0002-desk assembly-ExclusiveDesk-Pipeline-t0002-desk',
    );
    expect(guard).toContain(
      'guard_stack ExclusiveDesk-t0003-desk t0003-desk assembly-ExclusiveDesk-Pipeline-t0003-desk',
    );
    expect(guard.match(/^guard_stack /gm)).toHaveLength(2);
  });

  test('verifies each tenant of the wave live, one after the other, stopping at the first failure', () => {
    const [script, ...rest] = commandsOf(built, action(built, 'Wave0', 'Wave0LiveVerify'));
    expect(rest).toEqual([]);
    const lines = script!.split('\n');
    expect(lines[0]).toBe('set -eu');
    expect(lines.filter((l) => l.includes('npm run verify'))).toEqual([
      'AWS_PROFILE=t0000-desk npm run verify -- --live --tenant t0000-desk',
      'AWS_PROFILE=t0001-desk npm run verify -- --live --tenant t0001-desk',
    ]);
  });

  test('assumes a read-only role in each tenant account of the wave, and no other', () => {
    const live = action(built, 'Wave1', 'Wave1LiveVerify');
    const script = commandsOf(built, live)[0]!;
    expect(script).toContain('aws configure set "profile.$1.role_arn" "arn:$PARTITION:iam::$2:role/$4"');
    expect(script).toContain('aws configure set "profile.$1.credential_source" EcsContainer');
    const t2 = manifests.find((m) => m.id === 't0002-desk')!;
    expect(script).toContain(
      `profile t0002-desk ${t2.account} ${t2.region} cdk-hnb659fds-lookup-role-${t2.account}-${t2.region}`,
    );
    const assume = statementsOf(built, live).filter((s) => s.Action === 'sts:AssumeRole');
    expect(assume).toHaveLength(1);
    const resources = JSON.stringify(assume[0]!.Resource);
    expect(resources).toContain(`:iam::${t2.account}:role/cdk-hnb659fds-lookup-role-${t2.account}-${t2.region}`);
    expect(resources).toContain(`:iam::${manifests.find((m) => m.id === 't0003-desk')!.account}:role/`);
    expect(resources).not.toContain(manifests.find((m) => m.id === 't0000-desk')!.account);
    // The PARTITION the shell builds role ARNs with is the pipeline stack's partition.
    built.template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: {
        EnvironmentVariables: Match.arrayWith([{ Name: 'PARTITION', Type: 'PLAINTEXT', Value: Match.anyValue() }]),
      },
    });
  });

  test('uses a custom read-only role name when given', () => {
    const custom = build(fleet([0]), { readOnlyRoleName: 'exclusive-desk-verifier' });
    const live = action(custom, 't0000-desk', 'Wave0LiveVerify');
    expect(commandsOf(custom, live)[0]).toContain('profile t0000-desk 100000000000 eu-west-1 exclusive-desk-verifier');
    expect(JSON.stringify(statementsOf(custom, live))).toContain(':iam::100000000000:role/exclusive-desk-verifier');
  });

  test("deploys each tenant stack into its own account and region with that account's CDK deploy role", () => {
    // t0000-desk is in eu-west-1, away from the pipeline's us-east-1.
    const deploy = stages(built)
      .find((s) => s.Name === 'Wave0')!
      .Actions.find((a) => a.Configuration?.StackName === 'ExclusiveDesk-t0000-desk')!;
    const t0 = manifests.find((m) => m.id === 't0000-desk')!;
    expect(t0.region).toBe('eu-west-1');
    expect(deploy.Region).toBe('eu-west-1');
    expect(JSON.stringify(deploy.RoleArn)).toContain(
      `:iam::${t0.account}:role/cdk-hnb659fds-deploy-role-${t0.account}-eu-west-1`,
    );
    expect(JSON.stringify(deploy.Configuration!.RoleArn)).toContain(
      `:iam::${t0.account}:role/cdk-hnb659fds-cfn-exec-role-${t0.account}-eu-west-1`,
    );
  });

  test("records the release as the next baseline after the last wave's live verification only", () => {
    const record = action(built, 't0006-desk', 'Wave3RecordRelease');
    expect(record.RunOrder).toBeGreaterThan(action(built, 't0006-desk', 'Wave3LiveVerify').RunOrder);
    expect(commandsOf(built, record)).toContain(
      'aws s3 sync --only-show-errors --delete cdk.out "s3://$RELEASE_BUCKET/releases/last/cdk.out"',
    );
    const recorders = stages(built).flatMap((s) =>
      s.Actions.filter((a) => a.Name.endsWith('RecordRelease')).map((a) => a.Name),
    );
    expect(recorders).toEqual(['Wave3RecordRelease']);
    built.template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
    });
    built.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  test('synthesizes the fleet once, with the pipeline context, and uses cross-account keys', () => {
    const synth = commandsOf(built, action(built, 'Build', 'Synth'));
    expect(synth).toEqual(['npx cdk synth -c pipeline=true']);
    built.template.resourceCountIs('AWS::KMS::Key', 1);
    built.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('writes no literal partition: no "arn:aws:" when partitions are tokens', () => {
    const tokens = build(manifests, { partitionLiterals: false });
    expect(JSON.stringify(tokens.json)).not.toContain('arn:aws:');
  });

  test('serves one partition: a GovCloud pipeline deploys only GovCloud tenants, with GovCloud ARNs', () => {
    const mixed = fleet([0, 1, 4, 9]); // t0004 and t0009 are itar tenants in GovCloud
    const gov = build(mixed, { region: 'us-gov-west-1' });
    expect(Object.keys(gov.stack.stages).sort()).toEqual(['t0004-desk', 't0009-desk']);
    expect(JSON.stringify(gov.json)).not.toContain('arn:aws:');
    const commercial = build(mixed, { region: 'us-east-1' });
    expect(Object.keys(commercial.stack.stages).sort()).toEqual(['t0000-desk', 't0001-desk']);
    Annotations.fromStack(commercial.stack).hasWarning('*', Match.stringLikeRegexp('t0004-desk \\(aws-us-gov\\)'));
  });

  test('takes the source from a CodeStar connection or CodeCommit', () => {
    const connection = build(fleet([0]), {
      source: {
        kind: 'connection',
        connectionArn: 'arn:aws:codeconnections:us-east-1:999999999999:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
        repository: 'example-org/exclusive-desk',
        branch: 'release',
      },
    });
    const source = stages(connection)[0]!.Actions[0]!;
    expect(source.ActionTypeId.Provider).toBe('CodeStarSourceConnection');
    expect(source.Configuration).toMatchObject({
      FullRepositoryId: 'example-org/exclusive-desk',
      BranchName: 'release',
    });
    expect(stages(built)[0]!.Actions[0]!.ActionTypeId.Provider).toBe('CodeCommit');
    expect(stages(built)[0]!.Actions[0]!.Configuration).toMatchObject({
      RepositoryName: 'exclusive-desk',
      BranchName: 'main',
    });
  });

  test('throws when no tenant of its partition is left to deploy', () => {
    expect(() => build(fleet([4]), { region: 'us-east-1' })).toThrow(/no tenant to deploy in partition aws/);
  });

  test('holds the real tenant stack in the tenant Stage, under the stack name the guard matches', () => {
    const app = new App({ context: appContext(), builtinCloudFormationValidation: false });
    const [m] = fleet([0]);
    const stack = new PipelineStack(app, 'ExclusiveDesk-Pipeline', {
      env: { account: '999999999999', region: 'us-east-1' },
      manifests: [m!],
      waveSize: 1,
      source: CODECOMMIT,
      addTenant: (stage, manifest) => new TenantStack(stage, { manifest }),
    });
    const tenant = stack.stages['t0000-desk']!.node.children.find((c): c is TenantStack => c instanceof TenantStack)!;
    expect(tenant.stackName).toBe('ExclusiveDesk-t0000-desk');
    expect(tenant.account).toBe(m!.account);
    Template.fromStack(tenant).resourceCountIs('AWS::RDS::DBInstance', 1);
  });
});
