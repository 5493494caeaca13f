/**
 * bin/app.ts with `-c pipeline=true`, run as the CDK CLI runs it (a child process, context in CDK_CONTEXT_JSON).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, TODAY, appContext } from '../support/fleet';

function runApp(context: Record<string, unknown>) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-out-'));
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bin/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(appContext({ today: TODAY, 'aws:cdk:bundling-stacks': [], ...context })),
      CDK_VALIDATION: 'false',
    },
    timeout: 120_000,
  });
  return { ...result, outdir, written: fs.readdirSync(outdir) };
}

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
