/**
 * The fleet's delivery pipeline on CDK Pipelines (CodePipeline + CodeBuild): synthesize once, then deploy tenant
 * Stages wave by wave. Every wave:
 *
 *   pre   Preflight          1. `npm run verify -- cdk.out/assembly-*`: the isolation rule catalogue over every tenant
 *                            Stage of the release (the top level of cdk.out holds the pipeline's own stacks)
 *                            2. `npm run guard -- <baseline> cdk.out/... --stack ...`: no stateful resource of the wave's
 *                            stacks is replaced or removed. The baseline is the stored cdk.out of the last release;
 *                            a stack it lacks is compared with its deployed template (get-template through the
 *                            tenant's read-only role); only a stack CloudFormation does not know is new.
 *   ...   the tenants' stacks, deployed in parallel (one CloudFormation action each)
 *   post  LiveVerify         `npm run verify -- --live --tenant <id>` for each tenant, one after the other, with a
 *                            read-only role assumed in the tenant's account
 *         RecordRelease      (last wave only) stores this release's cdk.out as the next release's baseline
 *
 * CodePipeline runs a wave's stage only when the one before succeeded, and a failing action fails its stage: a failed
 * check or deployment stops the release at that wave. Inside a step, the first failing command fails the step.
 *
 * Sized for hundreds of tenants (ADR 0009): one CodeBuild project per step and wave, not per tenant; the template
 * verifier and the guard share one pre step; one CloudFormation action per tenant (no separate change-set action);
 * one asset-publishing action. The pipeline stays within CloudFormation's 500 resources and 1 MB per template and
 * CodePipeline's 50 stages and 50 actions per stage; each step's role may assume exactly its wave's read-only roles.
 */
import { Aws, Duration, RemovalPolicy, Stack, type Stage } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import type { TenantManifest } from '../lib/manifest/schema';

/**
 * What the template verifier reads: every tenant Stage's assembly in cdk.out. The top level holds the pipeline's own
 * stacks (pipeline, cross-region support), which are not tenants.
 */
export const VERIFY_INPUTS = 'cdk.out/assembly-*';

/** The directory of a Stage's nested cloud assembly, relative to cdk.out (its artifact id, `assembly-...`). */
export function assemblyDirOf(stage: Stage): string {
  return stage.artifactId;
}

/** One tenant in a wave: its manifest, and the Stage (in its account and region) holding its stack. */
export interface FleetPipelineTenant {
  readonly manifest: TenantManifest;
  /** The Stage with the tenant's stack; its env is the tenant's account and region. */
  readonly stage: Stage;
  /** The CloudFormation stack name of the tenant's stack (the guard and get-template match stacks by name). */
  readonly stackName: string;
}

export interface FleetPipelineWave {
  /** Stage name in CodePipeline, e.g. `Wave0`. */
  readonly name: string;
  readonly tenants: readonly FleetPipelineTenant[];
}

export interface FleetPipelineProps {
  /** Where the repository comes from: `CodePipelineSource.connection(...)` or `CodePipelineSource.codeCommit(...)`. */
  readonly source: pipelines.CodePipelineSource;
  /** The waves, in release order. */
  readonly waves: readonly FleetPipelineWave[];
  /**
   * The synth command. It must build this same pipeline (self-mutation), so it passes the pipeline context.
   * @default 'npx cdk synth -c pipeline=true'
   */
  readonly synthCommand?: string;
  /**
   * Name of the read-only role the checks assume in each tenant account (it must trust the pipeline account).
   * @default - the CDK bootstrap lookup role `cdk-<qualifier>-lookup-role-<account>-<region>` (ReadOnlyAccess,
   * trusted by the pipeline account after `cdk bootstrap --trust <pipeline account>`)
   */
  readonly readOnlyRoleName?: string;
  /**
   * The CDK bootstrap qualifier of the tenant accounts.
   * @default 'hnb659fds'
   */
  readonly bootstrapQualifier?: string;
  /**
   * Where each release's cdk.out is stored (`releases/last/cdk.out` is the next release's guard baseline).
   * @default - a new versioned, SSL-only, retained bucket
   */
  readonly releaseBucket?: s3.IBucket;
  /**
   * The pipeline's name.
   * @default - generated
   */
  readonly pipelineName?: string;
}

/** The CodePipeline of the fleet, with the checks around every wave. */
export class FleetPipeline extends Construct {
  public readonly pipeline: pipelines.CodePipeline;
  public readonly releaseBucket: s3.IBucket;
  /** The synth step; its output (cdk.out) is what every check reads. */
  public readonly synth: pipelines.ShellStep;
  /**
   * The CodePipeline stage name of each wave, in order: the wave's name, or for a wave of one tenant the tenant's
   * Stage name (CDK Pipelines names a one-Stage wave after its Stage).
   */
  public readonly stageNames: readonly string[];

  private readonly readOnlyRoleName?: string;
  private readonly qualifier: string;
  private readonly source: pipelines.CodePipelineSource;

  constructor(scope: Construct, id: string, props: FleetPipelineProps) {
    super(scope, id);
    if (props.waves.length === 0)
      throw new Error('FleetPipeline: waves must hold at least one wave with a tenant, got none');
    const empty = props.waves.find((w) => w.tenants.length === 0);
    if (empty) throw new Error(`FleetPipeline: wave ${empty.name} has no tenant`);
    const qualifier = props.bootstrapQualifier ?? 'hnb659fds';
    if (!/^[A-Za-z0-9_-]{1,10}$/.test(qualifier)) {
      throw new Error(`FleetPipeline: bootstrapQualifier must be 1-10 letters, digits, _ or -, got "${qualifier}"`);
    }
    this.qualifier = qualifier;
    this.readOnlyRoleName = props.readOnlyRoleName;
    this.source = props.source;

    this.releaseBucket =
      props.releaseBucket ??
      new s3.Bucket(this, 'Releases', {
        versioned: true,
        enforceSSL: true,
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(365) }],
      });

    this.synth = new pipelines.ShellStep('Synth', {
      input: props.source,
      installCommands: ['npm ci'],
      commands: [props.synthCommand ?? 'npx cdk synth -c pipeline=true'],
      primaryOutputDirectory: 'cdk.out',
    });

    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      synth: this.synth,
      // Cross-account deployments need a customer-managed key on the artifact bucket.
      crossAccountKeys: true,
      enableKeyRotation: true,
      // One asset-publishing action for all assets: per-asset actions would overflow the 50-action stage limit.
      publishAssetsInParallel: false,
      // One CloudFormation action per tenant: the guard has already compared the templates (ADR 0009).
      useChangeSets: false,
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.SMALL,
        },
        timeout: Duration.hours(2),
      },
      // The full-fleet synth runs every tenant's cdk-nag packs and the isolation rules (docs/performance.md).
      synthCodeBuildDefaults: { buildEnvironment: { computeType: codebuild.ComputeType.LARGE } },
    });

    this.stageNames = props.waves.map((w) => (w.tenants.length === 1 ? w.tenants[0]!.stage.stageName : w.name));
    props.waves.forEach((wave, i) => {
      const preflight = this.preflightStep(wave);
      const live = this.liveVerifyStep(wave);
      const post: pipelines.Step[] = [live];
      if (i === props.waves.length - 1) {
        const record = this.recordReleaseStep(wave);
        record.addStepDependency(live);
        post.push(record);
      }
      const pipelineWave = this.pipeline.addWave(wave.name, { pre: [preflight], post });
      for (const t of wave.tenants) pipelineWave.addStage(t.stage);
    });
  }

  /** The read-only role name in a tenant's account. */
  public readOnlyRoleNameOf(manifest: TenantManifest): string {
    return this.readOnlyRoleName ?? `cdk-${this.qualifier}-lookup-role-${manifest.account}-${manifest.region}`;
  }

  /** The read-only role ARN in a tenant's account (partition from the pipeline stack: no literal partition). */
  public readOnlyRoleArnOf(manifest: TenantManifest): string {
    return Stack.of(this).formatArn({
      service: 'iam',
      region: '',
      account: manifest.account,
      resource: 'role',
      resourceName: this.readOnlyRoleNameOf(manifest),
    });
  }

  private assumeReadOnlyRoles(wave: FleetPipelineWave): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'AssumeTenantReadOnlyRoles',
      actions: ['sts:AssumeRole'],
      resources: wave.tenants.map((t) => this.readOnlyRoleArnOf(t.manifest)),
    });
  }

  /**
   * Shell lines that define, for each tenant of the wave, an AWS CLI/SDK profile named after the tenant that assumes
   * its read-only role with the build's own credentials. The partition comes from the pipeline stack ($PARTITION).
   */
  private profileLines(wave: FleetPipelineWave): string[] {
    return [
      'profile() {',
      '  aws configure set "profile.$1.role_arn" "arn:$PARTITION:iam::$2:role/$4"',
      '  aws configure set "profile.$1.credential_source" EcsContainer',
      '  aws configure set "profile.$1.role_session_name" "exclusive-desk-$1"',
      '  aws configure set "profile.$1.region" "$3"',
      '}',
      ...wave.tenants.map(
        ({ manifest: m }) => `profile ${m.id} ${m.account} ${m.region} ${this.readOnlyRoleNameOf(m)}`,
      ),
    ];
  }

  /** Pre step: the template verifier over the release, then the replacement guard over the wave's stacks. */
  private preflightStep(wave: FleetPipelineWave): pipelines.CodeBuildStep {
    const guard = [
      'set -eu',
      'mkdir -p baseline/last',
      // A missing baseline is a first release; any other error (access denied, throttling) fails closed.
      'if aws s3api head-object --bucket "$RELEASE_BUCKET" --key releases/last/cdk.out/manifest.json > /dev/null 2> baseline/head.err; then',
      '  aws s3 sync --only-show-errors "s3://$RELEASE_BUCKET/releases/last/cdk.out" baseline/last',
      'elif grep -q "Not Found" baseline/head.err; then',
      '  echo "guard: no stored release yet"',
      'else',
      '  cat baseline/head.err; exit 1',
      'fi',
      ...this.profileLines(wave),
      '# guard_stack <stack> <profile> <assembly>: the stored release is the baseline; a stack it lacks is compared',
      '# with its deployed template; only a stack CloudFormation does not know is new. Any other error fails the step.',
      'guard_stack() {',
      '  if [ -f "baseline/last/$3/manifest.json" ]; then',
      '    npm run guard -- "baseline/last/$3" "cdk.out/$3" --stack "$1"',
      '  elif aws --profile "$2" cloudformation get-template --stack-name "$1" --template-stage Original > "baseline/$1.json" 2> "baseline/$1.err"; then',
      '    npm run guard -- "baseline/$1.json" "cdk.out/$3" --stack "$1"',
      '  elif grep -q "does not exist" "baseline/$1.err"; then',
      '    rm -f "baseline/$1.json"; echo "guard: $1 is not deployed yet (a new tenant): nothing to protect"',
      '  else',
      '    cat "baseline/$1.err"; return 1',
      '  fi',
      '}',
      ...wave.tenants.map((t) => `guard_stack ${t.stackName} ${t.manifest.id} ${assemblyDirOf(t.stage)}`),
    ].join('\n');
    return new pipelines.CodeBuildStep(`${wave.name}Preflight`, {
      input: this.source,
      additionalInputs: { 'cdk.out': this.synth },
      installCommands: ['npm ci'],
      env: { RELEASE_BUCKET: this.releaseBucket.bucketName, PARTITION: Aws.PARTITION },
      // The isolation rule catalogue over every tenant of the release (fleet rules see them all), then the guard.
      commands: [`npm run verify -- ${VERIFY_INPUTS}`, guard],
      rolePolicyStatements: [
        this.assumeReadOnlyRoles(wave),
        new iam.PolicyStatement({
          sid: 'ReadLastRelease',
          actions: ['s3:GetObject', 's3:ListBucket'],
          resources: [this.releaseBucket.bucketArn, this.releaseBucket.arnForObjects('releases/last/*')],
        }),
      ],
    });
  }

  /** Post step: the live verifier in each tenant account of the wave, one after the other; the first failure stops it. */
  private liveVerifyStep(wave: FleetPipelineWave): pipelines.CodeBuildStep {
    const live = [
      'set -eu',
      ...this.profileLines(wave),
      ...wave.tenants.map((t) => `AWS_PROFILE=${t.manifest.id} npm run verify -- --live --tenant ${t.manifest.id}`),
    ].join('\n');
    return new pipelines.CodeBuildStep(`${wave.name}LiveVerify`, {
      input: this.source,
      installCommands: ['npm ci'],
      env: { PARTITION: Aws.PARTITION },
      commands: [live],
      rolePolicyStatements: [this.assumeReadOnlyRoles(wave)],
    });
  }

  /** Post step of the last wave: this release's cdk.out becomes the next release's guard baseline. */
  private recordReleaseStep(wave: FleetPipelineWave): pipelines.CodeBuildStep {
    return new pipelines.CodeBuildStep(`${wave.name}RecordRelease`, {
      input: this.source,
      additionalInputs: { 'cdk.out': this.synth },
      env: { RELEASE_BUCKET: this.releaseBucket.bucketName },
      commands: [
        'aws s3 sync --only-show-errors --delete cdk.out "s3://$RELEASE_BUCKET/releases/last/cdk.out"',
        'aws s3 sync --only-show-errors cdk.out "s3://$RELEASE_BUCKET/releases/$CODEBUILD_RESOLVED_SOURCE_VERSION/cdk.out"',
      ],
      rolePolicyStatements: [
        new iam.PolicyStatement({
          sid: 'WriteRelease',
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'],
          resources: [this.releaseBucket.bucketArn, this.releaseBucket.arnForObjects('releases/*')],
        }),
      ],
    });
  }
}
