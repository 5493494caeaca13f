/**
 * The auditor evidence pack: one serialisable object holding everything the HTML and Markdown reports show (fleet
 * summary, per-tenant rule evidence grouped by concern, the boundary picture, the compliance mapping with the cdk-nag
 * result, the shared-plane disclosure and the integrity data to re-run the checks). The renderers only format it.
 *
 * `buildEvidence` is pure: the CLI reads inputs, manifests and the assembly records and passes them in.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { templateDigest, type InputError, type LoadedTemplate } from '../assembly/read';
import { buildTenantModels, tenantMetadata, type GroupOptions } from '../assembly/tenants';
import type { RuleResult, TenantVerdict } from '../isolation/engine';
import { isLevel, type IsolationLevel } from '../isolation/levels';
import type { TenantModel } from '../isolation/model';
import type { Concern, Finding, Observation } from '../isolation/rule';
import { licenceStatus, type LicenceStatus } from '../manifest/load';
import type { TenantManifest } from '../manifest/schema';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import type { Acknowledgement, AssemblyEvidence, StackAssemblyInfo } from './assembly';
import { buildBoundary, type BoundaryGraph } from './boundary';
import { mapRegimes, nagEvidence, type NagEvidence, type RegimeEvidence } from './compliance';
import { codeAssetsOf, discloseSharedPlane, type SharedItem } from './disclosure';
import { worstFirst, type VerifyResult } from './formats';
import type { FleetComparison } from './tenant-pack';

export const EVIDENCE_SCHEMA = 'exclusive-desk/evidence-pack@1';

/** Concerns in report order, with their headings. */
export const CONCERNS: readonly { readonly concern: Concern; readonly title: string }[] = [
  { concern: 'account', title: 'Account' },
  { concern: 'access', title: 'Who can get in: roles and declared access paths' },
  { concern: 'network', title: 'Network' },
  { concern: 'database', title: 'Database' },
  { concern: 'search', title: 'Search' },
  { concern: 'keys', title: 'Keys' },
  { concern: 'compute', title: 'Compute' },
  { concern: 'references', title: 'References to outside the tenant' },
  { concern: 'template', title: 'Template verifiability' },
];

/** One observation or finding, as the report shows it. */
export interface EvidenceItem {
  readonly resource: string;
  readonly stack?: string;
  readonly path: string;
  readonly value?: string;
  /** Why it passes (an observation) or fails (a finding). */
  readonly message: string;
  /** Findings only. */
  readonly severity?: 'error' | 'warning';
  readonly kind?: 'violation' | 'unverifiable';
  readonly remediation?: string;
}

export interface RuleEvidence {
  readonly id: string;
  readonly title: string;
  readonly severity: 'error' | 'warning';
  readonly proves?: IsolationLevel;
  readonly status: 'pass' | 'fail' | 'unverifiable' | 'not-applicable' | 'warning';
  /** Whether the rule counts for the verdict (its level is at or below the promised level). */
  readonly counts: boolean;
  readonly rationale: string;
  readonly remediation: string;
  readonly controls: readonly string[];
  readonly findings: readonly EvidenceItem[];
  readonly evidence: readonly EvidenceItem[];
}

export interface ConcernEvidence {
  readonly concern: Concern;
  readonly title: string;
  readonly rules: readonly RuleEvidence[];
}

export interface LicenceEvidence {
  /** Where the licence facts come from. */
  readonly source: 'manifest' | 'template' | 'none';
  readonly status?: LicenceStatus;
  readonly reviewBy?: string;
  /** Days from the report's `today` to the review date; negative once expired. */
  readonly daysLeft?: number;
  readonly approvedBy?: string;
  readonly justification?: string;
  readonly ticket?: string;
  readonly manifestFile?: string;
  /** The template metadata and the manifest disagree: the cloud assembly is older than the manifest. */
  readonly mismatch?: string;
}

export interface TenantEvidence {
  readonly id: string;
  /** `verified` for tenants in the inputs; `missing` for a manifest with no template in the inputs. */
  readonly presence: 'verified' | 'missing';
  readonly account?: string;
  readonly accountSource?: string;
  readonly region?: string;
  readonly partition?: string;
  /** The level the licence promises (manifest, else template metadata). */
  readonly promised?: IsolationLevel;
  /** The level the verdict was judged against (promised, `--require`, else `account`). */
  readonly required?: IsolationLevel;
  readonly achieved?: IsolationLevel;
  readonly verdict?: 'pass' | 'fail';
  readonly regimes: readonly string[];
  readonly licence: LicenceEvidence;
  readonly counts: {
    readonly errors: number;
    readonly warnings: number;
    readonly rulesPassed: number;
    readonly rulesFailed: number;
    readonly rulesNotApplicable: number;
  };
  /** Counting error findings: why the tenant fails. */
  readonly failures: readonly (EvidenceItem & { readonly rule: string })[];
  readonly concerns: readonly ConcernEvidence[];
  readonly boundary?: BoundaryGraph;
  readonly compliance: readonly RegimeEvidence[];
  readonly nag: NagEvidence;
  readonly shared: readonly SharedItem[];
  readonly stacks: readonly { readonly name: string; readonly file: string; readonly sha256?: string }[];
  /** Notes on the inputs of this tenant (stale assembly, missing templates). */
  readonly notes: readonly string[];
}

export interface TemplateIntegrity {
  readonly tenant: string;
  readonly stack: string;
  /** Path relative to the report's base directory. */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  /**
   * Against the hash the cloud assembly records for the template at synthesis (ISO-TPL-2): `as synthesized`,
   * `modified after synthesis`, `no record` (from an assembly that records none), or absent for a template file.
   */
  readonly synthesis?: 'as synthesized' | 'modified after synthesis' | 'no record';
}

export interface EvidencePack {
  readonly schema: typeof EVIDENCE_SCHEMA;
  /** `revision`: the project's `git describe` (or commit) when the CLI knows it. */
  readonly tool: { readonly name: string; readonly version: string; readonly revision?: string };
  /** When the pack was generated (ISO 8601, UTC). */
  readonly generatedAt: string;
  /** The date licence status is judged against (YYYY-MM-DD). */
  readonly today: string;
  readonly source: 'template' | 'live';
  /** The inputs as given on the command line. */
  readonly inputs: readonly string[];
  readonly tenantsDir?: string;
  readonly fleet: {
    readonly tenants: number;
    readonly passed: number;
    readonly failed: number;
    readonly missing: number;
    readonly verdict: 'pass' | 'fail';
  };
  readonly tenants: readonly TenantEvidence[];
  readonly templates: readonly TemplateIntegrity[];
  readonly inputErrors: readonly InputError[];
  /** How to re-run the checks and compare. */
  readonly rerun: {
    readonly verify: string;
    readonly report: string;
    readonly checksums: string;
    readonly licences: string;
  };
  /** What the pack proves and what it cannot. */
  readonly limits: readonly string[];
  /** Problems reading the assembly records (they reduce the nag and disclosure evidence). */
  readonly assemblyProblems: readonly string[];
  /** A customer's pack (`report --tenant`): the one tenant it covers and its comparison with the rest of the fleet. */
  readonly scope?: { readonly tenant: string; readonly comparison: FleetComparison };
}

export interface BuildEvidenceOptions {
  /** The date licence status is judged against (YYYY-MM-DD). */
  readonly today: string;
  /** The generation time. */
  readonly now: Date;
  /** The inputs as given on the command line (for the re-run commands). @default - the template files */
  readonly inputs?: readonly string[];
  /** The tenants directory as given (for the re-run commands). */
  readonly tenantsDir?: string;
  /** Paths in the pack are made relative to this directory. @default - absolute paths */
  readonly baseDir?: string;
  /** The grouping the verification used (`--tenant`/`--account`), so the models match the verdicts. */
  readonly group?: GroupOptions;
  /** What the cloud assembly records (roles, assets, acknowledgements, validation report). */
  readonly assembly?: AssemblyEvidence;
}

const LIMITS: readonly string[] = [
  'The report verifies the synthesized templates, not the deployed account: a change made outside CloudFormation (console, CLI, drift) is not seen. `exclusive-desk verify --live` checks the deployed account.',
  'Dedicated tenancy (the hardware level) is what the templates request. AWS states that dedicated tenancy is requested, not guaranteed, for RDS; the report cannot prove where AWS placed an instance.',
  'AWS-operated shared planes (the KMS, Lambda, Step Functions, CloudWatch, Route 53 Resolver and control-plane fleets) are disclosed, not verified: they are outside what a tenant template can make exclusive.',
  'Resources created outside these templates (the CDK bootstrap stack, the account baseline, organisation policies, roles the vendor added by hand) are not seen; their trust policies decide who can deploy.',
  'A value the verifier cannot resolve is a failing "could not verify" finding, never a pass; but a rule can only catch the patterns it was written for (see docs/rules.md).',
  "The cdk-nag result is what the cloud assembly records (see each tenant's compliance section); the report does not run cdk-nag itself.",
  'The report was generated by whoever ran `exclusive-desk report`. Re-run the commands under Integrity on your own machine and compare the SHA-256 checksums and the JSON verdicts to depend on nothing but the templates.',
];

function rel(file: string, baseDir?: string): string {
  if (!baseDir) return file;
  const r = path.relative(baseDir, file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r.split(path.sep).join('/') : file;
}

function item(o: Observation): EvidenceItem {
  return { resource: o.resource, stack: o.stack, path: o.path, value: o.value, message: o.message };
}

function findingItem(f: Finding): EvidenceItem {
  return { ...item(f), severity: f.severity, kind: f.kind, remediation: f.remediation };
}

function ruleEvidence(r: RuleResult): RuleEvidence {
  return {
    id: r.rule.id,
    title: r.rule.title,
    severity: r.rule.severity,
    proves: r.rule.proves,
    status: r.status,
    counts: r.counts,
    rationale: r.rule.rationale,
    remediation: r.rule.remediation,
    controls: r.rule.controls,
    findings: r.findings.map(findingItem),
    evidence: r.evidence.map(item),
  };
}

/** Shell-quotes an argument for the re-run commands (POSIX sh). */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function licenceOf(
  manifest: TenantManifest | undefined,
  templates: readonly LoadedTemplate[],
  today: string,
  baseDir?: string,
): LicenceEvidence {
  const meta = templates.map(tenantMetadata).find((m) => m && typeof m === 'object');
  const rawLicence = (meta as { licence?: { reviewBy?: unknown; approvedBy?: unknown } } | undefined)?.licence;
  const tplReview =
    typeof rawLicence?.reviewBy === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(rawLicence.reviewBy)
      ? rawLicence.reviewBy
      : undefined;
  const tplApprover = typeof rawLicence?.approvedBy === 'string' ? rawLicence.approvedBy : undefined;
  if (manifest) {
    const l = manifest.licence;
    const mismatch =
      tplReview && tplReview !== l.reviewBy
        ? `the templates record review date ${tplReview} but the manifest says ${l.reviewBy}: the cloud assembly predates the manifest, re-run cdk synth`
        : undefined;
    return {
      source: 'manifest',
      status: licenceStatus(l.reviewBy, today),
      reviewBy: l.reviewBy,
      daysLeft: daysBetween(today, l.reviewBy),
      approvedBy: l.approvedBy,
      justification: l.justification,
      ticket: l.ticket,
      manifestFile: rel(manifest.file, baseDir),
      mismatch,
    };
  }
  if (tplReview) {
    return {
      source: 'template',
      status: licenceStatus(tplReview, today),
      reviewBy: tplReview,
      daysLeft: daysBetween(today, tplReview),
      approvedBy: tplApprover,
    };
  }
  return { source: 'none' };
}

function resourcesUnderFn(templates: readonly LoadedTemplate[]): (constructPath: string) => string[] {
  const paths: { path: string; id: string }[] = [];
  for (const t of templates) {
    for (const [id, r] of Object.entries(t.template.Resources)) {
      const p = r?.Metadata?.['aws:cdk:path'];
      if (typeof p === 'string') paths.push({ path: p, id });
    }
  }
  return (constructPath) => {
    const base = constructPath.replace(/^\//, '');
    return paths.filter((p) => p.path === base || p.path.startsWith(`${base}/`)).map((p) => p.id);
  };
}

/** cdk-nag suppressions the app may write into template metadata (`writeSuppressionsToCloudFormation`). */
function templateSuppressions(templates: readonly LoadedTemplate[]): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const t of templates) {
    for (const [id, r] of Object.entries(t.template.Resources)) {
      const nag = r?.Metadata?.cdk_nag as { rules_to_suppress?: unknown } | undefined;
      const list = Array.isArray(nag?.rules_to_suppress) ? nag.rules_to_suppress : [];
      const cdkPath = r?.Metadata?.['aws:cdk:path'];
      for (const s of list) {
        const o = s as { id?: unknown; reason?: unknown };
        if (typeof o.id !== 'string') continue;
        out.push({
          constructPath: typeof cdkPath === 'string' ? `/${cdkPath}` : `${t.stackName}/${id}`,
          id: o.id,
          reason: typeof o.reason === 'string' ? o.reason : '',
        });
      }
    }
  }
  return out;
}

function countsOf(v: TenantVerdict): TenantEvidence['counts'] {
  return {
    errors: v.findings.filter((f) => f.severity === 'error').length,
    warnings: v.findings.filter((f) => f.severity === 'warning').length,
    rulesPassed: v.results.filter((r) => r.counts && r.status === 'pass').length,
    rulesFailed: v.results.filter((r) => r.counts && (r.status === 'fail' || r.status === 'unverifiable')).length,
    rulesNotApplicable: v.results.filter((r) => r.counts && r.status === 'not-applicable').length,
  };
}

/** What the pack proves, from what, when, by which version, and what it does not: the banner at its top. */
export function bannerOf(pack: EvidencePack): { proven: string; notProven: string; footer: string } {
  const n = pack.templates.length;
  const version = `${pack.tool.name} ${pack.tool.version}${pack.tool.revision ? ` (${pack.tool.revision})` : ''}`;
  const scope = pack.scope ? `tenant ${pack.scope.tenant}` : `${pack.fleet.tenants} tenant(s)`;
  const proven =
    `What this pack proves: whether the synthesized CloudFormation templates of ${scope} (${n} template file(s), each ` +
    `SHA-256 listed under Integrity) achieve the isolation level each licence promises, judged by the rule catalogue of ` +
    `${version}, generated ${pack.generatedAt} (licences judged on ${pack.today}).`;
  const notProven =
    pack.source === 'template'
      ? 'Template evidence only: it does NOT show the deployed account (changes made outside CloudFormation, drift), where AWS ' +
        "placed dedicated hardware, or AWS's shared planes; see 'What this report can and cannot prove' at the end. " +
        'Check the deployed account with `exclusive-desk verify --live`.'
      : 'Live evidence: what the AWS APIs returned when observed; see "What this report can and cannot prove" at the end.';
  const inputs = createHash('sha256')
    .update(
      pack.templates
        .map((t) => t.sha256)
        .sort()
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 16);
  return { proven, notProven, footer: `${scope} \u00b7 ${version} \u00b7 ${pack.generatedAt} \u00b7 inputs ${inputs}` };
}

/** Builds the evidence pack of a verification result. */
export function buildEvidence(
  result: VerifyResult,
  templates: readonly LoadedTemplate[],
  manifests: readonly TenantManifest[] = [],
  options: BuildEvidenceOptions,
): EvidencePack {
  const { today, baseDir } = options;
  const models = buildTenantModels(templates, options.group);
  const modelOf = new Map<string, TenantModel>(models.map((m) => [m.id, m]));
  const manifestOf = new Map(manifests.map((m) => [m.id, m]));
  const assemblyStacks = options.assembly?.stacks ?? [];
  const plugins = options.assembly?.validationReports.flatMap((r) => r.plugins) ?? [];
  const templatesOf = (v: TenantVerdict): LoadedTemplate[] =>
    templates.filter((t) => v.stacks.some((s) => path.resolve(s.file) === path.resolve(t.file)));

  const codeByTenant = new Map<string, string[]>(models.map((m) => [m.id, codeAssetsOf(m)]));
  const otherTenantsCode = (tenant: string): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const [other, codes] of codeByTenant) {
      if (other === tenant) continue;
      for (const c of codes) out.set(c, [...(out.get(c) ?? []), other]);
    }
    return out;
  };

  const verified: TenantEvidence[] = worstFirst(result.tenants).map((v): TenantEvidence => {
    const model = modelOf.get(v.tenant);
    const tpl = templatesOf(v);
    const manifest = manifestOf.get(v.tenant);
    const stackInfo: StackAssemblyInfo[] = assemblyStacks.filter((s) =>
      tpl.some((t) => path.resolve(t.file) === path.resolve(s.templateFile)),
    );
    const regimes = manifest?.compliance ?? model?.compliance ?? [];
    const notes: string[] = [];
    const licence = licenceOf(manifest, tpl, today, baseDir);
    if (licence.mismatch) notes.push(licence.mismatch);
    if (manifest && model?.declared && manifest.isolation !== model.declared) {
      notes.push(
        `the templates declare isolation ${model.declared} but the manifest promises ${manifest.isolation}: the cloud assembly predates the manifest, re-run cdk synth`,
      );
    }
    if (manifest && model?.account && manifest.account !== model.account) {
      notes.push(`the templates are for account ${model.account} but the manifest names ${manifest.account}`);
    }
    if (!manifest && manifests.length > 0)
      notes.push('no manifest in the tenants directory names this tenant: it is deployed without a licence record');
    const promised = manifest && isLevel(manifest.isolation) ? manifest.isolation : model?.declared;
    const concerns = CONCERNS.map(({ concern, title }) => ({
      concern,
      title,
      rules: v.results.filter((r) => r.rule.concern === concern).map(ruleEvidence),
    })).filter((c) => c.rules.length > 0);
    const failures = v.results
      .filter((r) => r.counts)
      .flatMap((r) =>
        r.findings.filter((f) => f.severity === 'error').map((f) => ({ ...findingItem(f), rule: r.rule.id })),
      );
    return {
      id: v.tenant,
      presence: 'verified',
      account: v.account,
      accountSource: model?.accountSource,
      region: v.region ?? manifest?.region,
      partition: model?.partition,
      promised,
      required: v.required,
      achieved: v.achieved,
      verdict: v.verdict,
      regimes,
      licence,
      counts: countsOf(v),
      failures,
      concerns,
      boundary: model ? buildBoundary(model, v) : undefined,
      compliance: mapRegimes(regimes, v.results),
      nag: nagEvidence({
        regimes,
        fromAssembly: stackInfo.length > 0,
        acknowledgements: stackInfo.flatMap((s) => s.acknowledgements),
        templateSuppressions: templateSuppressions(tpl),
        plugins,
        resourcesUnder: resourcesUnderFn(tpl),
        stackNames: v.stacks.map((s) => s.name),
        modifiedAfterSynthesis: tpl
          .filter((t) => t.synthesis?.recorded && !t.synthesis.matches)
          .map((t) => rel(t.file, baseDir)),
      }),
      shared: model
        ? discloseSharedPlane({
            tenant: model,
            assembly: stackInfo,
            manifest,
            otherTenantsCode: otherTenantsCode(v.tenant),
          })
        : [],
      stacks: v.stacks.map((s) => ({
        name: s.name,
        file: rel(s.file, baseDir),
        sha256: tpl.find((t) => path.resolve(t.file) === path.resolve(s.file))?.sha256,
      })),
      notes,
    };
  });

  const missing: TenantEvidence[] = manifests
    .filter((m) => !result.tenants.some((t) => t.tenant === m.id))
    .map((m) => ({
      id: m.id,
      presence: 'missing',
      account: m.account,
      region: m.region,
      partition: m.partition,
      promised: m.isolation,
      regimes: m.compliance,
      licence: licenceOf(m, [], today, baseDir),
      counts: { errors: 0, warnings: 0, rulesPassed: 0, rulesFailed: 0, rulesNotApplicable: 0 },
      failures: [],
      concerns: [],
      compliance: mapRegimes(m.compliance, []),
      nag: nagEvidence({
        regimes: m.compliance,
        fromAssembly: false,
        acknowledgements: [],
        templateSuppressions: [],
        plugins: [],
        resourcesUnder: () => [],
        stackNames: [],
      }),
      shared: [],
      stacks: [],
      notes: ['the manifest names this tenant but the inputs hold no template for it: it was not verified'],
    }));

  const integrity: TemplateIntegrity[] = templates.map((t) => ({
    tenant:
      result.tenants.find((v) => v.stacks.some((s) => path.resolve(s.file) === path.resolve(t.file)))?.tenant ??
      '(none)',
    stack: t.displayName ?? t.stackName,
    file: rel(t.file, baseDir),
    ...templateDigest(t),
    ...(t.synthesis
      ? {
          synthesis: !t.synthesis.recorded
            ? ('no record' as const)
            : t.synthesis.matches
              ? ('as synthesized' as const)
              : ('modified after synthesis' as const),
        }
      : {}),
  }));

  const inputs = (options.inputs ?? templates.map((t) => rel(t.file, baseDir))).map(shellQuote);
  const failed = verified.filter((t) => t.verdict === 'fail').length;
  const tenantsDirArg = options.tenantsDir ? ` --tenants-dir ${shellQuote(options.tenantsDir)}` : '';
  const limits = [...LIMITS];
  if (manifests.length === 0)
    limits.push(
      'No tenant manifests were read: licence facts come from the template metadata only, and tenants missing from the inputs cannot be detected.',
    );
  return {
    schema: EVIDENCE_SCHEMA,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    generatedAt: options.now.toISOString(),
    today,
    source: result.source,
    inputs: options.inputs ?? inputs,
    tenantsDir: options.tenantsDir,
    fleet: {
      tenants: verified.length + missing.length,
      passed: verified.length - failed,
      failed,
      missing: missing.length,
      verdict: failed > 0 || verified.length === 0 ? 'fail' : 'pass',
    },
    tenants: [...verified, ...missing],
    templates: integrity,
    inputErrors: result.errors.map((e) => ({ file: rel(e.file, baseDir), message: e.message })),
    rerun: {
      verify: `npx exclusive-desk verify ${inputs.join(' ')} --format json`,
      report: `npx exclusive-desk report ${inputs.join(' ')} --output <dir>${tenantsDirArg} --today ${today}`,
      checksums: `sha256sum ${integrity.map((t) => shellQuote(t.file)).join(' ')}`,
      licences: `npx exclusive-desk licences${tenantsDirArg} --today ${today}`,
    },
    limits,
    assemblyProblems: (options.assembly?.problems ?? []).map((p) => p),
  };
}
