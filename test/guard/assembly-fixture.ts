/**
 * Writes small cloud assemblies (manifest.json + templates) for guard tests, shaped like `cdk synth` output:
 * top-level stacks, a nested Stage assembly and nested stack templates named by `aws:asset:path`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CfnTemplate } from '../../lib/assembly/read';

export interface StackSpec {
  /** Artifact id (and template file name). */
  readonly id: string;
  /** The deployed stack name. @default - the artifact id */
  readonly stackName?: string;
  readonly env?: string;
  readonly template: CfnTemplate;
  /** Nested stack templates by the parent's AWS::CloudFormation::Stack logical id. */
  readonly nested?: Record<string, CfnTemplate>;
}

const created: string[] = [];

/** A fresh temporary directory; `removeTempDirs` deletes every one created. */
export function tempDir(prefix = 'guard-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes an assembly with `stacks`, and each `stages` entry as a nested Stage assembly. */
export function writeAssembly(
  dir: string,
  stacks: readonly StackSpec[],
  stages: Record<string, readonly StackSpec[]> = {},
): string {
  fs.mkdirSync(dir, { recursive: true });
  const artifacts: Record<string, unknown> = {};
  for (const s of stacks) {
    let template = s.template;
    for (const [logicalId, nestedTemplate] of Object.entries(s.nested ?? {})) {
      const asset = `${s.id}${logicalId}.nested.template.json`;
      fs.writeFileSync(path.join(dir, asset), JSON.stringify(nestedTemplate));
      template = {
        ...template,
        Resources: {
          ...template.Resources,
          [logicalId]: {
            Type: 'AWS::CloudFormation::Stack',
            Properties: { TemplateURL: `https://s3.amazonaws.com/assets/${asset}` },
            Metadata: { 'aws:asset:path': asset },
          },
        },
      };
    }
    fs.writeFileSync(path.join(dir, `${s.id}.template.json`), JSON.stringify(template, null, 1));
    artifacts[s.id] = {
      type: 'aws:cloudformation:stack',
      environment: s.env ?? 'aws://111111111111/eu-west-1',
      properties: { templateFile: `${s.id}.template.json`, ...(s.stackName ? { stackName: s.stackName } : {}) },
      displayName: s.id,
    };
  }
  for (const [stage, stageStacks] of Object.entries(stages)) {
    const sub = `assembly-${stage}`;
    writeAssembly(path.join(dir, sub), stageStacks);
    artifacts[sub] = { type: 'cdk:cloud-assembly', properties: { directoryName: sub, displayName: stage } };
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '36.0.0', artifacts }, null, 1));
  return dir;
}
