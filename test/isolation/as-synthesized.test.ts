/**
 * ISO-TPL-2 on real cloud assemblies synthesized here (a stack and a nested stack, DefaultStackSynthesizer), then
 * edited after synthesis; and through both front ends that read assemblies (verify and report).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { readInputs } from '../../lib/assembly/read';
import { buildTenantModels } from '../../lib/assembly/tenants';
import { memoryIO } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';
import { evaluateTemplates } from '../../lib/isolation/engine';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tpl2-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A one-stack assembly with a nested stack, written to tmp/cdk.out. */
function synth(): string {
  const outdir = path.join(tmp, 'cdk.out');
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } }); // as the CDK CLI sets it
  const stack = new Stack(app, 'Desk', { env: { account: '111111111111', region: 'eu-west-1' } });
  new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic', properties: { TopicName: 'desk-topic' } });
  const nested = new NestedStack(stack, 'Inner');
  new CfnResource(nested, 'Queue', { type: 'AWS::SQS::Queue', properties: { QueueName: 'desk-queue' } });
  app.synth();
  return outdir;
}

function tpl2(dir: string) {
  const { templates, errors } = readInputs([dir], { digest: false });
  expect(errors).toEqual([]);
  const [v] = evaluateTemplates(buildTenantModels(templates));
  return { verdict: v!, result: v!.results.find((r) => r.rule.id === 'ISO-TPL-2')! };
}

const templateOf = (dir: string) => path.join(dir, 'Desk.template.json');

describe('ISO-TPL-2 templates are as synthesized', () => {
  test('passes for a freshly synthesized stack and its nested stack', () => {
    const dir = synth();
    const { result } = tpl2(dir);
    expect(result.status).toBe('pass');
    expect(result.findings).toEqual([]);
    expect(result.evidence.map((e) => [e.resource, e.message.split(dir).join('<out>')])).toEqual([
      ['Desk', `<out>/Desk.template.json is as synthesized: its SHA-256 is the one <out>/Desk.assets.json records`],
      [
        expect.stringMatching(/^Desk\/Inner/),
        expect.stringMatching(/^<out>\/DeskInner[0-9A-F]+\.nested\.template\.json is as synthesized/),
      ],
    ]);
  });

  test('fails a template edited after synthesis, naming the file and both hashes', () => {
    const dir = synth();
    const file = templateOf(dir);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('desk-topic', 'platform-shared-topic'));
    const { verdict, result } = tpl2(dir);
    expect(result.status).toBe('fail');
    expect(verdict.verdict).toBe('fail');
    expect(result.findings).toEqual([
      expect.objectContaining({
        rule: 'ISO-TPL-2',
        resource: 'Desk',
        path: 'sha256',
        kind: 'violation',
        severity: 'error',
        message: expect.stringMatching(
          new RegExp(
            `^${file.replace(/[.]/g, '\\.')} was modified after synthesis: its SHA-256 is [0-9a-f]{64}, but ${path.join(dir, 'Desk.assets.json').replace(/[.]/g, '\\.')} records [0-9a-f]{64}$`,
          ),
        ),
      }),
    ]);
  });

  test('could not verify when no asset manifest of the assembly records the template', () => {
    const dir = synth();
    const assets = path.join(dir, 'Desk.assets.json');
    const manifest = JSON.parse(fs.readFileSync(assets, 'utf8')) as {
      files: Record<string, { source: { path: string } }>;
    };
    for (const [id, f] of Object.entries(manifest.files))
      if (f.source.path === 'Desk.template.json') delete manifest.files[id];
    fs.writeFileSync(assets, JSON.stringify(manifest));
    const { result } = tpl2(dir);
    expect(result.status).toBe('unverifiable');
    expect(result.findings.map((f) => [f.kind, f.message])).toEqual([
      [
        'unverifiable',
        `could not verify that ${templateOf(dir)} is the synthesized template: no asset manifest of its cloud assembly records it`,
      ],
    ]);
  });

  test('does not apply to template files given alone (they carry no record)', () => {
    const dir = synth();
    const { templates } = readInputs([templateOf(dir)]);
    const [v] = evaluateTemplates(buildTenantModels(templates));
    expect(v!.results.find((r) => r.rule.id === 'ISO-TPL-2')!.status).toBe('not-applicable');
  });

  test('verify and report exit 1 naming the file modified after synthesis', async () => {
    const dir = synth();
    fs.appendFileSync(templateOf(dir), '\n');
    const io = memoryIO(tmp);
    expect(await main(['verify', 'cdk.out'], io)).toBe(1);
    expect(io.out).toContain('cdk.out/Desk.template.json was modified after synthesis');
    const rep = memoryIO(tmp, { SOURCE_DATE_EPOCH: '1780306200' });
    expect(await main(['report', 'cdk.out', '--output', 'pack', '--today', '2026-06-01'], rep)).toBe(1);
    expect(rep.err).toMatch(/FAIL Desk: \d+ error finding\(s\)/);
    const md = fs.readFileSync(path.join(tmp, 'pack', 'report.md'), 'utf8');
    expect(md).toContain('was modified after synthesis');
    // The integrity table and the cdk-nag result (recorded for another template) say so too.
    expect(md).toMatch(/\| Desk \| `Desk` \| `cdk.out\/Desk.template.json` \| `[0-9a-f]{64}` \| \d+ \| \*\*MODIFIED AFTER SYNTHESIS\*\* \|/);
    expect(md).toContain('| `AwsSolutions` | every tenant | **NOT VALID: template modified after synthesis** |');
    expect(md).toContain('Not valid: cdk.out/Desk.template.json was modified after synthesis (ISO-TPL-2)');
  });
});
