#!/usr/bin/env node
/**
 * The CDK app (cdk.json: `npx tsx bin/app.ts`). The only place that reads context:
 *   -c tenant=<id>        build only that tenant's stack (every manifest is still validated)
 *   -c tenantsDir=<dir>   manifests directory (default: tenants)
 *   -c today=YYYY-MM-DD   the date licence expiry is judged against (default: today, UTC)
 *   -c pipeline=true      synthesize the fleet's delivery pipeline instead (docs/operations.md), with:
 *      pipelineAccount, pipelineRegion        the tooling account and region (required; the region's partition is
 *                                             the partition the pipeline serves)
 *      pipelineSource=codecommit|connection   (default codecommit), pipelineRepository (a CodeCommit name, or
 *                                             owner/repository with pipelineConnectionArn), pipelineBranch (main)
 *      pipelineWaveSize (10), pipelineShards (1), pipelineReadOnlyRole (default: the CDK bootstrap lookup role)
 * An invalid manifest or an unknown tenant prints one clean message and exits 1 before anything is synthesized.
 */
import { App } from 'aws-cdk-lib';
import { IsolationVerifier } from '../constructs/isolation-verifier';
import { UnknownTenantError, addTenantStack, buildApp } from '../lib/app';
import { ManifestError, loadManifests } from '../lib/manifest/load';
import { PipelineStack, type PipelineSource } from '../lib/stacks/pipeline-stack';

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
};

/** A missing or malformed pipeline context value: printed as one line, exit 1. */
class PipelineContextError extends Error {}

function required(key: string, pattern: RegExp, what: string): string {
  const value = context(key);
  if (value === undefined) throw new PipelineContextError(`-c pipeline=true needs -c ${key}=<${what}>`);
  if (!pattern.test(value)) throw new PipelineContextError(`-c ${key} must be ${what}, got "${value}"`);
  return value;
}

function wholeNumber(key: string, fallback: number): number {
  const raw = context(key);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new PipelineContextError(`-c ${key} must be a whole number >= 1, got "${raw}"`);
  return n;
}

/** The fleet's delivery pipeline(s): one per shard, for the partition of pipelineRegion. */
function buildPipelines(tenantsDir: string, today: string | undefined): void {
  const account = required('pipelineAccount', /^\d{12}$/, 'a 12-digit account id');
  const region = required('pipelineRegion', /^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'a region such as us-east-1');
  const kind = context('pipelineSource') ?? 'codecommit';
  const branch = context('pipelineBranch') ?? 'main';
  let source: PipelineSource;
  if (kind === 'connection') {
    source = {
      kind,
      connectionArn: required(
        'pipelineConnectionArn',
        /^arn:[a-z-]+:code(star-)?connections:/,
        'a CodeStar connection ARN',
      ),
      repository: required('pipelineRepository', /^[^/\s]+\/[^/\s]+$/, 'owner/repository'),
      branch,
    };
  } else if (kind === 'codecommit') {
    source = {
      kind,
      repositoryName: required('pipelineRepository', /^[\w.-]{1,100}$/, 'a CodeCommit repository name'),
      branch,
    };
  } else {
    throw new PipelineContextError(`-c pipelineSource must be codecommit or connection, got "${kind}"`);
  }
  const waveSize = wholeNumber('pipelineWaveSize', 10);
  const shards = wholeNumber('pipelineShards', 1);
  // The pipeline's synth step rebuilds this same app: it passes every pipeline context value it was built with.
  const keys = [
    'tenantsDir',
    'pipelineAccount',
    'pipelineRegion',
    'pipelineSource',
    'pipelineRepository',
    'pipelineBranch',
    'pipelineConnectionArn',
    'pipelineWaveSize',
    'pipelineShards',
    'pipelineReadOnlyRole',
  ];
  const synthCommand = [
    'npx cdk synth -c pipeline=true',
    ...keys.flatMap((k) => {
      const v = context(k);
      return v === undefined ? [] : [`-c ${k}='${v.replace(/'/g, '')}'`];
    }),
  ].join(' ');
  const manifests = loadManifests(tenantsDir, { today });
  // The isolation catalogue runs at synth over the tenant stacks of every Stage (fleet rules across all of them); the
  // pipeline's own stacks carry no tenant metadata and are left out. Each wave's Preflight runs it again on cdk.out.
  IsolationVerifier.attachToApp(app, { tenantTemplatesOnly: true });
  for (let index = 0; index < shards; index++) {
    new PipelineStack(app, shards === 1 ? 'ExclusiveDesk-Pipeline' : `ExclusiveDesk-Pipeline-${index}`, {
      env: { account, region },
      manifests,
      source,
      waveSize,
      shard: { count: shards, index },
      synthCommand,
      readOnlyRoleName: context('pipelineReadOnlyRole'),
      // The same tenant stack, packs and verifier construct as the plain synth.
      addTenant: (stage, manifest) => addTenantStack(stage, manifest, { today }).stack,
    });
  }
}

try {
  const tenantsDir = context('tenantsDir') ?? 'tenants';
  if (context('pipeline') === 'true') {
    buildPipelines(tenantsDir, context('today'));
  } else {
    buildApp(app, {
      tenantsDir,
      tenant: context('tenant'),
      today: context('today'),
    });
  }
} catch (e) {
  if (e instanceof ManifestError || e instanceof UnknownTenantError || e instanceof PipelineContextError) {
    process.stderr.write(`exclusive-desk: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}
app.synth();
