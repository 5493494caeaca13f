/**
 * bin/app.ts with `-c pipeline=true`, run as the CDK CLI runs it (a child process, context in CDK_CONTEXT_JSON).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCdkApp } from '../support/fleet';

const runApp = (context: Record<string, unknown>) => runCdkApp({ 'aws:cdk:bundling-stacks': [], ...context }, { timeoutMs: 120_000 });

const PIPELINE = {
  pipeline: 'true',
  pipelineAccount: '999999999999',
  pipelineRegion: 'us-east-1',
  pipelineRepository: 'exclusive-desk',
};

test('-c pipeline=true synthesizes the pipeline with a Stage per tenant of its partition, and no top-level tenant stack', () => {
  const r = runApp({ ...PIPELINE, pipelineWaveSize: '2' });
  expect([r.status, r.stderr.includes('Error')]).toEqual([0, false]);
  expect(
    r.written.filter((f) => f.endsWith('.template.json')).filter((f) => !f.startsWith('cross-region-stack-')),
  ).toEqual(['ExclusiveDesk-Pipeline.template.json']);
  expect(r.written.filter((f) => f.startsWith('assembly-')).sort()).toEqual([
    'assembly-ExclusiveDesk-Pipeline-acme-health',
    'assembly-ExclusiveDesk-Pipeline-contoso-markets',
    'assembly-ExclusiveDesk-Pipeline-northwind-bank',
  ]);
  expect(r.stderr).toContain('fedline-gov (aws-us-gov)');
  // The synth step rebuilds the same pipeline: it passes the context the pipeline was built with.
  const template = fs.readFileSync(path.join(r.outdir, 'ExclusiveDesk-Pipeline.template.json'), 'utf8');
  expect(template).toContain(
    "npx cdk synth -c pipeline=true -c pipelineAccount='999999999999' -c pipelineRegion='us-east-1' -c pipelineRepository='exclusive-desk' -c pipelineWaveSize='2'",
  );
});

test('-c pipeline=true without the pipeline account fails with one line and nothing synthesized', () => {
  const r = runApp({ pipeline: 'true' });
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toBe('exclusive-desk: -c pipeline=true needs -c pipelineAccount=<a 12-digit account id>');
  expect(r.written).toEqual([]);
});
