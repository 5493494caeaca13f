/**
 * Reads what a cloud assembly records beside the templates and the evidence pack needs: the CDK deployment roles and
 * asset destinations of each stack (the shared-plane disclosure), the acknowledgements of validation findings the
 * constructs made (`aws:cdk:acknowledged-rules` in `<stack>.metadata.json`: the cdk-nag result) and the CDK policy
 * validation report (`validation-report.json`), when the synth wrote one.
 *
 * This is the report's only I/O; `buildEvidence` takes the result as data. Reading never throws: what cannot be read
 * becomes a problem that the report lists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedTemplate } from '../assembly/read';

/** One acknowledged validation finding (a cdk-nag rule, a CloudFormation lint rule), with its reason. */
export interface Acknowledgement {
  /** Construct path the acknowledgement was made on, e.g. `/ExclusiveDesk-a/Database/Instance`. */
  readonly constructPath: string;
  /** The finding id as recorded, e.g. `Annotation::AwsSolutions-RDS11` or `CloudFormation-Validate::W3010`. */
  readonly id: string;
  readonly reason: string;
}

/** A role the CDK deploys a stack with (created by `cdk bootstrap`, outside the stack's template). */
export interface DeploymentRole {
  /** `deploy`, `cloudformation-execution`, `lookup`, `file-publishing`, `image-publishing`. */
  readonly purpose: string;
  readonly arn: string;
}

/** Where the CDK publishes an asset of the stack before deployment. */
export interface AssetDestination {
  readonly kind: 'file' | 'image';
  /** The asset's display name, e.g. `ExclusiveDesk-a/Hsm/OnEventHandler/Code`. */
  readonly name: string;
  /** `s3://bucket/key` or `<repository>:<tag>`. */
  readonly location: string;
}

/** What the assembly records about one stack. */
export interface StackAssemblyInfo {
  readonly stackName: string;
  /** The template file, as the template reader saw it (to match LoadedTemplate.file). */
  readonly templateFile: string;
  readonly roles: readonly DeploymentRole[];
  readonly assets: readonly AssetDestination[];
  /** `s3://...` URL of the template itself in the bootstrap bucket. */
  readonly templateAssetUrl?: string;
  /** The SSM parameter the stack checks the bootstrap version against. */
  readonly bootstrapVersionParameter?: string;
  readonly acknowledgements: readonly Acknowledgement[];
}

/** One violation (or acknowledged violation) in a policy validation report. */
export interface ReportedViolation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity?: string;
  readonly resources: readonly {
    readonly template?: string;
    readonly logicalId?: string;
    readonly constructPath?: string;
  }[];
  /** For acknowledged violations: the reason. */
  readonly reason?: string;
}

export interface ReportedPlugin {
  readonly name: string;
  readonly version?: string;
  /** `success` or `failure`, as the plugin concluded. */
  readonly conclusion: string;
  readonly violations: readonly ReportedViolation[];
  readonly acknowledged: readonly ReportedViolation[];
}

/** A `validation-report.json` the CDK wrote into an assembly. */
export interface ValidationReportSummary {
  readonly file: string;
  readonly plugins: readonly ReportedPlugin[];
}

/** A file of the assembly the evidence was read from, and what it is (for the attestation's subjects). */
export interface AssemblyFile {
  readonly file: string;
  readonly role: 'assembly-manifest' | 'asset-manifest' | 'stack-metadata' | 'validation-report';
}

export interface AssemblyEvidence {
  readonly stacks: readonly StackAssemblyInfo[];
  /** Every assembly file read (the templates aside). */
  readonly files?: readonly AssemblyFile[];
  readonly validationReports: readonly ValidationReportSummary[];
  /** What could not be read (the report lists these). */
  readonly problems: readonly string[];
}

type Json = Record<string, unknown>;

function readJson(file: string, problems: string[]): Json | undefined {
  try {
    const data: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (data && typeof data === 'object' && !Array.isArray(data)) return data as Json;
    problems.push(`${file}: not a JSON object`);
  } catch (e) {
    problems.push(`${file}: cannot be read (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  return undefined;
}

const obj = (v: unknown): Json | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function acknowledgementsOf(metadata: Json | undefined): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const [constructPath, entries] of Object.entries(metadata ?? {})) {
    if (!Array.isArray(entries)) continue;
    for (const e of entries) {
      const entry = obj(e);
      if (entry?.type !== 'aws:cdk:acknowledged-rules') continue;
      for (const [id, reason] of Object.entries(obj(entry.data) ?? {})) {
        out.push({ constructPath, id, reason: typeof reason === 'string' ? reason : JSON.stringify(reason) });
      }
    }
  }
  return out;
}

function rolesOf(props: Json): DeploymentRole[] {
  const roles: DeploymentRole[] = [];
  const add = (purpose: string, arn: unknown): void => {
    if (typeof arn === 'string' && !roles.some((r) => r.arn === arn)) roles.push({ purpose, arn });
  };
  add('deploy', props.assumeRoleArn);
  add('cloudformation-execution', props.cloudFormationExecutionRoleArn);
  add('lookup', obj(props.lookupRole)?.arn);
  return roles;
}

function assetsOf(manifest: Json | undefined, roles: DeploymentRole[]): AssetDestination[] {
  if (!manifest) return [];
  const out: AssetDestination[] = [];
  const addRole = (purpose: string, arn: unknown): void => {
    if (typeof arn === 'string' && !roles.some((r) => r.arn === arn)) roles.push({ purpose, arn });
  };
  for (const asset of Object.values(obj(manifest.files) ?? {})) {
    const a = obj(asset);
    for (const d of Object.values(obj(a?.destinations) ?? {})) {
      const dest = obj(d);
      if (!dest) continue;
      out.push({
        kind: 'file',
        name: str(a?.displayName) ?? '(file asset)',
        location: `s3://${str(dest.bucketName)}/${str(dest.objectKey)}`,
      });
      addRole('file-publishing', dest.assumeRoleArn);
    }
  }
  for (const asset of Object.values(obj(manifest.dockerImages) ?? {})) {
    const a = obj(asset);
    for (const d of Object.values(obj(a?.destinations) ?? {})) {
      const dest = obj(d);
      if (!dest) continue;
      out.push({
        kind: 'image',
        name: str(a?.displayName) ?? '(image asset)',
        location: `${str(dest.repositoryName)}:${str(dest.imageTag)}`,
      });
      addRole('image-publishing', dest.assumeRoleArn);
    }
  }
  return out;
}

function violationsOf(list: unknown): ReportedViolation[] {
  if (!Array.isArray(list)) return [];
  return list.map((v) => {
    const o = obj(v) ?? {};
    const resources = (
      Array.isArray(o.violatingConstructs)
        ? o.violatingConstructs
        : Array.isArray(o.violatingResources)
          ? o.violatingResources
          : []
    ).map((c: unknown) => {
      const r = obj(c) ?? {};
      const cfn = obj(r.cloudFormationResource);
      return {
        template: str(cfn?.templatePath) ?? str(r.templatePath),
        logicalId: str(cfn?.logicalId) ?? str(r.resourceLogicalId),
        constructPath: str(r.constructPath),
      };
    });
    return {
      ruleName: str(o.ruleName) ?? '(unnamed rule)',
      description: str(o.description) ?? '',
      severity: str(o.severity),
      resources,
      reason: str(o.reason),
    };
  });
}

function validationReportOf(file: string, report: Json | undefined): ValidationReportSummary | undefined {
  if (!report) return undefined;
  const plugins = (Array.isArray(report.pluginReports) ? report.pluginReports : []).map(
    (p: unknown): ReportedPlugin => {
      const o = obj(p) ?? {};
      return {
        name: str(o.pluginName) ?? '(unnamed plugin)',
        version: str(o.pluginVersion),
        conclusion: str(o.conclusion) ?? 'unknown',
        violations: violationsOf(o.violations),
        acknowledged: violationsOf(o.suppressedViolations),
      };
    },
  );
  return { file, plugins };
}

/** Reads the assembly records of every template that came from a cloud assembly. */
export function readAssemblyEvidence(templates: readonly LoadedTemplate[]): AssemblyEvidence {
  const problems: string[] = [];
  const stacks: StackAssemblyInfo[] = [];
  const reports: ValidationReportSummary[] = [];
  const files: AssemblyFile[] = [];
  const read = (file: string, role: AssemblyFile['role']): Json | undefined => {
    const data = readJson(file, problems);
    if (data && !files.some((f) => f.file === file)) files.push({ file, role });
    return data;
  };
  const dirs = [...new Set(templates.filter((t) => t.assemblyDir && !t.nestedIn).map((t) => t.assemblyDir!))];
  for (const dir of dirs) {
    const manifest = read(path.join(dir, 'manifest.json'), 'assembly-manifest');
    const artifacts = obj(manifest?.artifacts) ?? {};
    for (const [name, a] of Object.entries(artifacts)) {
      const artifact = obj(a);
      if (artifact?.type !== 'aws:cloudformation:stack') continue;
      const props = obj(artifact.properties) ?? {};
      const templateFile = str(props.templateFile);
      if (!templateFile) continue;
      const roles = rolesOf(props);
      let assets: AssetDestination[] = [];
      for (const dep of Array.isArray(artifact.dependencies) ? artifact.dependencies : []) {
        const depArtifact = obj(artifacts[String(dep)]);
        const file = str(obj(depArtifact?.properties)?.file);
        if (depArtifact?.type === 'cdk:asset-manifest' && file)
          assets = [...assets, ...assetsOf(read(path.join(dir, file), 'asset-manifest'), roles)];
      }
      // Metadata is inline (older CDKs) or in an additional file beside the manifest.
      let metadata = obj(artifact.metadata);
      const metadataFile = str(artifact.additionalMetadataFile);
      if (metadataFile) {
        const extra = read(path.join(dir, metadataFile), 'stack-metadata');
        metadata = { ...(metadata ?? {}), ...(extra ?? {}) };
      }
      stacks.push({
        stackName: str(props.stackName) ?? name,
        templateFile: path.join(dir, templateFile),
        roles,
        assets,
        templateAssetUrl: str(props.stackTemplateAssetObjectUrl),
        bootstrapVersionParameter: str(props.bootstrapStackVersionSsmParameter),
        acknowledgements: acknowledgementsOf(metadata),
      });
    }
    const reportFile = path.join(dir, 'validation-report.json');
    if (fs.existsSync(reportFile)) {
      const report = validationReportOf(reportFile, read(reportFile, 'validation-report'));
      if (report) reports.push(report);
    }
  }
  return { stacks, files, validationReports: reports, problems };
}
