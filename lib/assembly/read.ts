/**
 * Reads verifier inputs: cloud assembly directories (cdk.out, nested Stage assemblies and nested stack templates
 * included) and CloudFormation template files (JSON or YAML with short-form tags).
 *
 * Reading never throws for a bad input: each bad file becomes an InputError and the rest are still read.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCfnYaml } from './yaml-cfn';

/** A CloudFormation template as parsed JSON. */
export type CfnTemplate = {
  readonly AWSTemplateFormatVersion?: string;
  readonly Description?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Parameters?: Record<string, CfnParameter>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, CfnOutput>;
  readonly Transform?: unknown;
};

export interface CfnParameter {
  readonly Type?: string;
  readonly Default?: unknown;
  readonly AllowedValues?: readonly unknown[];
  readonly [key: string]: unknown;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: string | readonly string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly [key: string]: unknown;
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Export?: { readonly Name: unknown };
  readonly Condition?: string;
  readonly Description?: string;
}

/** One template read from an input, with what its source says about it. */
export interface LoadedTemplate {
  /** Path of the template file. */
  readonly file: string;
  /** The stack name (cloud assembly), or the file name without extension. */
  readonly stackName: string;
  /** Hierarchical display name (e.g. `Stage/Stack`) when read from an assembly. */
  readonly displayName?: string;
  readonly template: CfnTemplate;
  /** The account from the assembly's stack environment, when it is not `unknown-account`. */
  readonly account?: string;
  /** The region from the assembly's stack environment, when it is not `unknown-region`. */
  readonly region?: string;
  /** The tenant named for this input on the command line (`--tenant <id>=<file>`): it decides the grouping. */
  readonly tenant?: string;
  /** The cloud assembly directory this template came from. */
  readonly assemblyDir?: string;
  /** For a nested stack template: the parent stack's name and the AWS::CloudFormation::Stack logical id. */
  readonly nestedIn?: { readonly stackName: string; readonly logicalId: string };
  /** SHA-256 of the file's bytes, hex (absent when read with `digest: false`). */
  readonly sha256?: string;
  /** The file's size in bytes (absent when read with `digest: false`). */
  readonly bytes?: number;
  /** Templates read from a cloud assembly: the hash its asset manifest records for the template at synthesis. */
  readonly synthesis?: SynthesisRecord;
}

/**
 * What a cloud assembly records about a template at synthesis, and whether the file still matches it. The CDK
 * publishes every stack template as a file asset (`files.<hash>.source.path` in `<stack>.assets.json`) whose asset id
 * is the SHA-256 of the template text it wrote (aws-cdk-lib StackSynthesizer: `contentHash` of the template file; a
 * nested stack's is the SHA-256 of its compact JSON).
 */
export interface SynthesisRecord {
  /** The asset manifest recording the template; absent when no asset manifest of the assembly names it. */
  readonly manifest?: string;
  /** The SHA-256 recorded (hex). */
  readonly recorded?: string;
  /** The SHA-256 of the template file as read (hex). */
  readonly actual: string;
  /** The file is the one synthesized (its bytes, or for a nested stack its compact JSON, hash to `recorded`). */
  readonly matches: boolean;
}

export interface InputError {
  readonly file: string;
  readonly message: string;
}

export interface ReadResult {
  readonly templates: LoadedTemplate[];
  readonly errors: InputError[];
}

export interface ReadOptions {
  /**
   * Record each file's SHA-256 and size, for the evidence report. The verifier alone does not need them and reads
   * faster without (the file is then decoded straight to text, as a plain JSON.parse would read it).
   * @default true
   */
  readonly digest?: boolean;
}

/** Reads every input path (assembly directory or template file). */
export function readInputs(inputs: readonly string[], options: ReadOptions = {}): ReadResult {
  const digest = options.digest ?? true;
  const templates: LoadedTemplate[] = [];
  const errors: InputError[] = [];
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch {
      errors.push({ file: input, message: 'no such file or directory' });
      continue;
    }
    if (stat.isDirectory()) {
      if (fs.existsSync(path.join(input, 'manifest.json'))) readAssembly(input, templates, errors, new Set(), digest);
      else errors.push({ file: input, message: 'is a directory but not a cloud assembly (no manifest.json)' });
    } else {
      const result = readTemplateFile(input, {}, digest);
      if ('message' in result) errors.push(result);
      else {
        templates.push(result);
        readLocalNestedStacks(result, templates, errors, digest, new Set([path.resolve(input)]));
      }
    }
  }
  // A template file also given on its own that a parent deploys as its nested stack is read once, as the nested one.
  const nested = new Set(templates.filter((t) => t.nestedIn && !t.assemblyDir).map((t) => path.resolve(t.file)));
  if (nested.size === 0) return { templates, errors };
  return { templates: templates.filter((t) => t.nestedIn || t.assemblyDir || !nested.has(path.resolve(t.file))), errors };
}

/**
 * Nested stacks of a template file whose TemplateURL is a local file path, the form `aws cloudformation package`
 * takes before it uploads the file (AWS CLI reference, "cloudformation package": TemplateURL of
 * AWS::CloudFormation::Stack may be a local path), resolved against the parent's directory. An S3 URL is not read:
 * the model reports that nested stack as not verifiable.
 */
function readLocalNestedStacks(parent: LoadedTemplate, out: LoadedTemplate[], errors: InputError[], digest: boolean, seen: Set<string>): void {
  for (const logicalId in parent.template.Resources) {
    const r = parent.template.Resources[logicalId]!;
    const url = r.Type === 'AWS::CloudFormation::Stack' ? r.Properties?.TemplateURL : undefined;
    if (typeof url !== 'string' || url === '' || /^[a-z][a-z0-9+.-]*:/i.test(url)) continue;
    const file = path.resolve(path.dirname(parent.file), url);
    if (seen.has(file) || !fs.existsSync(file)) continue;
    const loaded = readTemplateFile(
      file,
      { stackName: `${parent.stackName}/${logicalId}`, nestedIn: { stackName: parent.stackName, logicalId } },
      digest,
    );
    if ('message' in loaded) errors.push(loaded);
    else {
      out.push(loaded);
      readLocalNestedStacks(loaded, out, errors, digest, new Set([...seen, file]));
    }
  }
}

/** Reads one template file (JSON or YAML). */
export function readTemplateFile(
  file: string,
  extra: Partial<LoadedTemplate> = {},
  digest = true,
  recorded?: RecordedHashes,
): LoadedTemplate | InputError {
  let buf: Buffer | undefined;
  let text: string;
  try {
    if (digest) {
      buf = fs.readFileSync(file);
      text = buf.toString('utf8');
    } else text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { file, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  const parsed = parseTemplateText(text, file);
  if ('message' in parsed) return parsed;
  const sha256 = buf ? createHash('sha256').update(buf).digest('hex') : undefined;
  return {
    file,
    stackName: path.basename(file).replace(/(\.template)?\.(json|ya?ml|template)$/i, ''),
    template: parsed.template,
    ...(buf ? { sha256, bytes: buf.length } : {}),
    ...extra,
    ...(recorded ? { synthesis: synthesisOf(recorded, sha256 ?? createHash('sha256').update(text).digest('hex'), parsed.template) } : {}),
  };
}

/** Compares a template with its assembly record (the nested-stack form is checked only when the bytes differ). */
function synthesisOf(recorded: RecordedHashes, actual: string, template: CfnTemplate): SynthesisRecord {
  const hashes = recorded.hashes ?? [];
  if (!recorded.manifest || hashes.length === 0) return { actual, matches: false };
  if (hashes.includes(actual)) return { manifest: recorded.manifest, recorded: actual, actual, matches: true };
  const compact = createHash('sha256').update(JSON.stringify(template)).digest('hex');
  if (hashes.includes(compact)) return { manifest: recorded.manifest, recorded: compact, actual, matches: true };
  return { manifest: recorded.manifest, recorded: hashes[0], actual, matches: false };
}

/** The hashes an assembly's asset manifests record for one template file (empty: the assembly records none). */
interface RecordedHashes {
  readonly manifest?: string;
  readonly hashes?: readonly string[];
}

/** Asset manifests of one assembly: template file (relative path) -> the asset manifest and the hashes recorded. */
function recordedTemplateHashes(dir: string, artifacts: Record<string, AssemblyArtifact>): Map<string, RecordedHashes> {
  const out = new Map<string, { manifest: string; hashes: string[] }>();
  for (const name in artifacts) {
    const artifact = artifacts[name]!;
    const file = artifact.properties?.file;
    if (artifact.type !== 'cdk:asset-manifest' || typeof file !== 'string') continue;
    let files: Record<string, { source?: { path?: unknown; packaging?: unknown } }> | undefined;
    try {
      files = (JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { files?: typeof files }).files;
    } catch {
      continue; // an unreadable asset manifest records nothing: the templates it would cover cannot be checked
    }
    for (const id in files ?? {}) {
      const source = files![id]?.source;
      if (typeof source?.path !== 'string' || source.packaging !== 'file' || !/^[0-9a-f]{64}$/.test(id)) continue;
      const key = path.normalize(source.path);
      const entry = out.get(key) ?? { manifest: path.join(dir, file), hashes: [] };
      entry.hashes.push(id);
      out.set(key, entry);
    }
  }
  return out;
}

/** SHA-256 and size of a template as read, or of its file now when it was read with `digest: false`. */
export function templateDigest(t: LoadedTemplate): { sha256: string; bytes: number } {
  if (t.sha256 !== undefined && t.bytes !== undefined) return { sha256: t.sha256, bytes: t.bytes };
  const buf = fs.readFileSync(t.file);
  return { sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length };
}

/** Parses template text and checks it is a CloudFormation template. */
export function parseTemplateText(text: string, file: string): { template: CfnTemplate } | InputError {
  let data: unknown;
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  const looksJson = trimmed.startsWith('{') || trimmed.startsWith('[') || /\.json$/i.test(file);
  try {
    data = looksJson && !/\.ya?ml$/i.test(file) ? JSON.parse(trimmed) : parseCfnYaml(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { file, message: looksJson ? `not valid JSON: ${msg}` : msg! };
  }
  const problem = templateProblem(data);
  if (problem) return { file, message: `not a CloudFormation template: ${problem}` };
  return { template: data as CfnTemplate };
}

function templateProblem(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'the document is not an object';
  const t = data as Record<string, unknown>;
  const resources = t.Resources;
  if (resources === undefined) return 'it has no Resources section';
  if (resources === null || typeof resources !== 'object' || Array.isArray(resources))
    return 'Resources is not an object';
  for (const id in resources) {
    const r = (resources as Record<string, unknown>)[id];
    if (id.startsWith('Fn::ForEach::')) continue; // language-extension loops: the model reports them
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return `resource ${id} is not an object`;
    if (typeof (r as Record<string, unknown>).Type !== 'string') return `resource ${id} has no Type string (an unexpanded module or macro?)`;
    const props = (r as Record<string, unknown>).Properties;
    if (props !== undefined && (props === null || typeof props !== 'object' || Array.isArray(props)))
      return `resource ${id} has Properties that are not an object`;
  }
  for (const section of ['Parameters', 'Mappings', 'Conditions', 'Outputs', 'Metadata'] as const) {
    const s = t[section];
    if (s !== undefined && (s === null || typeof s !== 'object' || Array.isArray(s)))
      return `${section} is not an object`;
  }
  return undefined;
}

interface AssemblyArtifact {
  readonly type?: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: Record<string, unknown>;
}

function readAssembly(dir: string, out: LoadedTemplate[], errors: InputError[], seen: Set<string>, digest: boolean): void {
  const real = fs.realpathSync(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const manifestFile = path.join(dir, 'manifest.json');
  let manifest: { artifacts?: Record<string, AssemblyArtifact> };
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as typeof manifest;
  } catch (e) {
    errors.push({ file: manifestFile, message: `not a readable cloud assembly manifest: ${(e as Error).message}` });
    return;
  }
  const recorded = recordedTemplateHashes(dir, manifest.artifacts ?? {});
  for (const [name, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly') {
      const sub = artifact.properties?.directoryName;
      if (typeof sub === 'string') readAssembly(path.join(dir, sub), out, errors, seen, digest);
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = artifact.properties?.templateFile;
    if (typeof templateFile !== 'string') {
      errors.push({ file: manifestFile, message: `stack ${name} has no templateFile` });
      continue;
    }
    const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
    const account = env && /^\d{12}$/.test(env[1]!) ? env[1] : undefined;
    const region = env && env[2] !== 'unknown-region' ? env[2] : undefined;
    const stackName = typeof artifact.properties?.stackName === 'string' ? artifact.properties.stackName : name;
    const loaded = readTemplateFile(
      path.join(dir, templateFile),
      { stackName, displayName: artifact.displayName ?? name, account, region, assemblyDir: dir },
      digest,
      recorded.get(path.normalize(templateFile)) ?? {},
    );
    if ('message' in loaded) {
      errors.push(loaded);
      continue;
    }
    out.push(loaded);
    readNestedStacks(dir, loaded, out, errors, digest, recorded);
  }
}

/** Nested stack templates are assets named by the parent's `aws:asset:path` metadata. */
function readNestedStacks(
  dir: string,
  parent: LoadedTemplate,
  out: LoadedTemplate[],
  errors: InputError[],
  digest: boolean,
  recorded: ReadonlyMap<string, RecordedHashes>,
): void {
  for (const logicalId in parent.template.Resources) {
    const r = parent.template.Resources[logicalId]!;
    if (r.Type !== 'AWS::CloudFormation::Stack') continue;
    const assetPath = r.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') continue;
    const loaded = readTemplateFile(
      path.join(dir, assetPath),
      {
        stackName: `${parent.stackName}/${logicalId}`,
        displayName: `${parent.displayName ?? parent.stackName}/${logicalId}`,
        account: parent.account,
        region: parent.region,
        assemblyDir: dir,
        nestedIn: { stackName: parent.stackName, logicalId },
      },
      digest,
      recorded.get(path.normalize(assetPath)) ?? {},
    );
    if ('message' in loaded) errors.push(loaded);
    else {
      out.push(loaded);
      readNestedStacks(dir, loaded, out, errors, digest, recorded);
    }
  }
}
