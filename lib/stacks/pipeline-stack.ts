/**
 * The delivery pipeline stack: one CodePipeline (CDK Pipelines) in a tooling account that releases the fleet's
 * tenants of one partition, as Stages in waves (see constructs/fleet-pipeline.ts for the checks around each wave).
 *
 * The stack only composes: the wave plan (constructs/fleet-pipeline-waves.ts), one Stage per tenant built by the
 * caller's `addTenant` (the same tenant stack, packs and verification as `cdk synth` without the pipeline), and the
 * FleetPipeline construct. Context is read in bin/app.ts only.
 */
import { Annotations, Stack, Stage, type StackProps } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as pipelines from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { FleetPipeline, type FleetPipelineTenant, type FleetPipelineWave } from '../../constructs/fleet-pipeline';
import { planWaves, type WavePlan } from '../../constructs/fleet-pipeline-waves';
import { partitionOf, type TenantManifest } from '../manifest/schema';

/** Where the pipeline gets the repository. */
export type PipelineSource =
  | {
      /** A CodeStar (CodeConnections) connection to GitHub, GitLab or Bitbucket. */
      readonly kind: 'connection';
      /** The connection's ARN, as the console shows it. */
      readonly connectionArn: string;
      /** `owner/repository`. */
      readonly repository: string;
      readonly branch: string;
    }
  | {
      /** A CodeCommit repository in the pipeline account. */
      readonly kind: 'codecommit';
      readonly repositoryName: string;
      readonly branch: string;
    };

export interface PipelineStackProps extends Omit<StackProps, 'env'> {
  /** The pipeline's account and region (the tooling account); the region decides the partition it serves. */
  readonly env: { readonly account: string; readonly region: string };
  /** Every manifest of the fleet; held-back tenants and tenants of other partitions get no Stage. */
  readonly manifests: readonly TenantManifest[];
  readonly source: PipelineSource;
  /**
   * Tenants per wave (1 to MAX_WAVE_SIZE). IMPORTANT: changing it moves tenants between waves, which is safe (the
   * guard matches stacks by name), but changes the pipeline's structure.
   */
  readonly waveSize: number;
  /**
   * This pipeline's shard of the fleet, when the fleet is split across several pipelines (see `shardOf`).
   * @default - one pipeline for the partition
   */
  readonly shard?: { readonly count: number; readonly index: number };
  /** Builds one tenant's stack in its Stage and returns it (bin/app.ts passes the app's own tenant builder). */
  readonly addTenant: (stage: Stage, manifest: TenantManifest) => Stack;
  /**
   * The synth command; it must rebuild this pipeline, so it passes the same context.
   * @default 'npx cdk synth -c pipeline=true'
   */
  readonly synthCommand?: string;
  /**
   * The read-only role the checks assume in each tenant account.
   * @default - the CDK bootstrap lookup role of the tenant's account and region
   */
  readonly readOnlyRoleName?: string;
  /**
   * CDK bootstrap qualifier of the tenant accounts.
   * @default 'hnb659fds'
   */
  readonly bootstrapQualifier?: string;
  /**
   * The pipeline's name.
   * @default - generated
   */
  readonly pipelineName?: string;
}

/** The fleet's delivery pipeline for one partition. */
export class PipelineStack extends Stack {
  public readonly plan: WavePlan;
  public readonly fleetPipeline: FleetPipeline;
  /** The Stage of each deployed tenant, by tenant id. */
  public readonly stages: Readonly<Record<string, Stage>>;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, {
      ...props,
      terminationProtection: props.terminationProtection ?? true,
      // CloudFormation's 1 MB template limit counts whitespace; the pipeline of a large fleet needs every byte.
      suppressTemplateIndentation: props.suppressTemplateIndentation ?? true,
      description: props.description ?? 'exclusive-desk fleet delivery pipeline (CDK Pipelines): tenants in waves',
    });
    const partition = partitionOf(props.env.region);
    this.plan = planWaves(props.manifests, { waveSize: props.waveSize, partition, shard: props.shard });
    if (this.plan.waves.length === 0) {
      throw new Error(
        `PipelineStack: no tenant to deploy in partition ${partition} (${props.manifests.length} manifests: ` +
          `${this.plan.heldBack.length} held back, ${this.plan.otherPartition.length} in other partitions)`,
      );
    }
    if (this.plan.otherPartition.length > 0) {
      Annotations.of(this).addWarningV2(
        'exclusive-desk:pipeline-partition',
        `tenants outside partition ${partition} are not deployed by this pipeline (one pipeline per partition): ` +
          this.plan.otherPartition.map((m) => `${m.id} (${m.partition})`).join(', '),
      );
    }
    if (this.plan.heldBack.length > 0) {
      Annotations.of(this).addInfo(`held back (delivery.holdBack): ${this.plan.heldBack.map((m) => m.id).join(', ')}`);
    }

    const stages: Record<string, Stage> = {};
    const waves: FleetPipelineWave[] = this.plan.waves.map((w) => ({
      name: `Wave${w.index}`,
      tenants: w.tenants.map((manifest): FleetPipelineTenant => {
        const stage = new Stage(this, manifest.id, { env: { account: manifest.account, region: manifest.region } });
        const stack = props.addTenant(stage, manifest);
        stages[manifest.id] = stage;
        return { manifest, stage, stackName: stack.stackName };
      }),
    }));
    this.stages = stages;

    this.fleetPipeline = new FleetPipeline(this, 'Fleet', {
      source: this.sourceOf(props.source),
      waves,
      synthCommand: props.synthCommand,
      readOnlyRoleName: props.readOnlyRoleName,
      bootstrapQualifier: props.bootstrapQualifier,
      pipelineName: props.pipelineName,
    });
  }

  private sourceOf(source: PipelineSource): pipelines.CodePipelineSource {
    if (source.kind === 'connection') {
      if (!/^[^/\s]+\/[^/\s]+$/.test(source.repository)) {
        throw new Error(`PipelineStack: source.repository must be owner/repository, got "${source.repository}"`);
      }
      return pipelines.CodePipelineSource.connection(source.repository, source.branch, {
        connectionArn: source.connectionArn,
      });
    }
    const repository = codecommit.Repository.fromRepositoryName(this, 'Repository', source.repositoryName);
    return pipelines.CodePipelineSource.codeCommit(repository, source.branch);
  }
}
