/**
 * Synth-time isolation verification, with the CDK's own mechanisms:
 *
 * - `IsolationValidationPlugin`, a policy validation plugin registered once on the app, runs the rule catalogue
 *   over every synthesized template (and the fleet rules over all of them). A tenant below its promised level or
 *   with an error finding makes `cdk synth` fail, listing rule, resource, construct path, message and fix.
 * - `IsolationVerifier`, a construct in each tenant stack, checks with `node.addValidation` the invariants known
 *   before synthesis: the stack is pinned to the tenant's account and region, and it is termination-protected.
 *
 * The rule logic lives in lib/isolation; this file only adapts it to the CDK.
 */
import { Stack, Token, Validations, type App } from 'aws-cdk-lib';
import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
} from 'aws-cdk-lib/core/lib/validation';
import { Construct } from 'constructs';
import { readTemplateFile, type InputError, type LoadedTemplate } from '../lib/assembly/read';
import { buildTenantModels, tenantMetadata } from '../lib/assembly/tenants';
import { evaluateTemplates, type TenantVerdict } from '../lib/isolation/engine';
import type { IsolationLevel } from '../lib/isolation/levels';
import { RULES } from '../lib/isolation/rules';
import { TOOL_VERSION } from '../lib/version';

/** The outcome of the last validation, for tests and the bin script. */
export interface IsolationValidationOutcome {
  readonly verdicts: readonly TenantVerdict[];
  readonly errors: readonly InputError[];
}

export interface IsolationValidationPluginProps {
  /**
   * Verify only the templates that carry the tenant metadata every tenant stack writes (`exclusive-desk.tenant`),
   * and leave the others out: in pipeline mode the app also holds the delivery pipeline's own stacks, which belong
   * to no tenant. The tenant stacks inside the pipeline's Stages are still verified, fleet rules included.
   * @default false (every template is a tenant's)
   */
  readonly tenantTemplatesOnly?: boolean;
}

/** Runs the isolation rule catalogue over the synthesized templates of the app. */
export class IsolationValidationPlugin implements IPolicyValidationPlugin {
  public readonly name = 'exclusive-desk-isolation';
  public readonly version = TOOL_VERSION;
  public readonly ruleIds = RULES.map((r) => r.id);
  /** The verdicts of the last run. */
  public lastOutcome?: IsolationValidationOutcome;
  private readonly tenantTemplatesOnly: boolean;

  constructor(props: IsolationValidationPluginProps = {}) {
    this.tenantTemplatesOnly = props.tenantTemplatesOnly ?? false;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const templates: LoadedTemplate[] = [];
    const errors: InputError[] = [];
    const stacks = context.stackTemplates?.length
      ? context.stackTemplates
      : context.templatePaths.map((templatePath) => ({ templatePath, accountId: undefined, region: undefined, stackConstructPath: '' }));
    for (const s of stacks) {
      const loaded = readTemplateFile(
        s.templatePath,
        {
          account: s.accountId && /^\d{12}$/.test(s.accountId) ? s.accountId : undefined,
          region: s.region && !Token.isUnresolved(s.region) ? s.region : undefined,
        },
        false, // no SHA-256: the plugin only verifies
      );
      if ('message' in loaded) errors.push(loaded);
      else if (!this.tenantTemplatesOnly || tenantMetadata(loaded)?.tenant) templates.push(loaded);
    }
    const verdicts = evaluateTemplates(buildTenantModels(templates));
    this.lastOutcome = { verdicts, errors };
    const byFile = new Map(templates.map((t) => [t.file, t]));
    // A finding about the whole stack (no resource of that name) belongs to the stack's construct, so an
    // acknowledgement on the stack (with its reason, in the validation report) can apply to it.
    const stackPaths = new Map(stacks.map((s) => [s.templatePath, s.stackConstructPath]));
    const violations: PolicyViolation[] = [];
    for (const v of verdicts) {
      const stackFile = (name?: string): string | undefined => v.stacks.find((s) => s.name === name)?.file ?? v.stacks[0]?.file;
      for (const f of v.findings) {
        if (f.severity !== 'error') continue;
        const file = stackFile(f.stack);
        const resource = file ? byFile.get(file)?.template.Resources[f.resource] : undefined;
        const cdkPath = resource?.Metadata?.['aws:cdk:path'];
        violations.push({
          ruleName: f.rule,
          description: `${f.rule} [${v.tenant}] ${f.message}`,
          fix: f.remediation,
          severity: 'error',
          violatingResources: [
            {
              resourceLogicalId: f.resource,
              templatePath: file,
              constructPath: typeof cdkPath === 'string' ? cdkPath : !resource && file ? stackPaths.get(file) || undefined : undefined,
              locations: [f.path],
            },
          ],
        });
      }
      if (v.verdict === 'fail' && v.findings.every((f) => f.severity !== 'error')) {
        violations.push({
          ruleName: 'ISO-LEVEL',
          description: `ISO-LEVEL [${v.tenant}] achieves ${v.achieved} isolation, below the promised ${v.required}`,
          fix: 'See the rules of the missing level in docs/rules.md',
          severity: 'error',
          violatingResources: [{ resourceLogicalId: v.stacks[0]?.name ?? v.tenant, templatePath: v.stacks[0]?.file, locations: ['-'] }],
        });
      }
    }
    for (const e of errors) {
      violations.push({
        ruleName: 'ISO-INPUT',
        description: `could not read ${e.file}: ${e.message}`,
        severity: 'error',
        violatingResources: [{ templatePath: e.file, locations: ['-'] }],
      });
    }
    return {
      success: violations.length === 0,
      violations,
      pluginVersion: TOOL_VERSION,
      metadata: Object.fromEntries(verdicts.map((v) => [v.tenant, `${v.verdict}: required ${v.required}, achieved ${v.achieved}`])),
    };
  }
}

const PLUGIN = Symbol.for('exclusive-desk.isolation-plugin');

export interface IsolationVerifierProps {
  /** The tenant id, as in its manifest. */
  readonly tenant: string;
  /** The tenant's AWS account: the stack must be pinned to it. */
  readonly account: string;
  /** The tenant's region: the stack must be pinned to it. */
  readonly region: string;
  /** The level the licence promises. */
  readonly required: IsolationLevel;
}

/** Per-tenant verification invariants; registers the app-wide plugin on first use. */
export class IsolationVerifier extends Construct {
  /** Registers the isolation plugin on the app once and returns it. */
  public static attachToApp(app: App, props: IsolationValidationPluginProps = {}): IsolationValidationPlugin {
    const holder = app as unknown as Record<symbol, IsolationValidationPlugin | undefined>;
    if (!holder[PLUGIN]) {
      const plugin = new IsolationValidationPlugin(props);
      Validations.of(app).addPlugins(plugin);
      holder[PLUGIN] = plugin;
    }
    return holder[PLUGIN];
  }

  public readonly required: IsolationLevel;

  constructor(scope: Construct, id: string, props: IsolationVerifierProps) {
    super(scope, id);
    if (!/^\d{12}$/.test(props.account)) throw new Error(`IsolationVerifier: account must be 12 digits, got "${props.account}"`);
    this.required = props.required;
    const stack = Stack.of(this);
    this.node.addValidation({
      validate: (): string[] => {
        const problems: string[] = [];
        if (Token.isUnresolved(stack.account) || stack.account !== props.account) {
          problems.push(`tenant ${props.tenant}: the stack must be pinned to account ${props.account}, got ${Token.isUnresolved(stack.account) ? 'an environment-agnostic account' : stack.account}`);
        }
        if (Token.isUnresolved(stack.region) || stack.region !== props.region) {
          problems.push(`tenant ${props.tenant}: the stack must be pinned to region ${props.region}, got ${Token.isUnresolved(stack.region) ? 'an environment-agnostic region' : stack.region}`);
        }
        if (!stack.terminationProtection) {
          problems.push(`tenant ${props.tenant}: the stack holds stateful resources and must have termination protection`);
        }
        return problems;
      },
    });
  }
}
