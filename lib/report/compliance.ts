/**
 * The compliance mapping of one tenant: for each of its regimes, the controls the isolation rules support (from each
 * rule's `controls`) with the rules' results, and the cdk-nag packs the app applies for that regime with what the
 * cloud assembly records of their result. Pure: no I/O.
 */
import type { RuleResult } from '../isolation/engine';
import { NAG_PACKS, PACKS_BY_REGIME, packsFor, type NagPackName } from '../compliance/packs';
import { REGIMES, type Regime } from '../manifest/schema';
import type { Acknowledgement, ReportedPlugin, ReportedViolation } from './assembly';
import { controlTitle } from './controls';

export const REGIME_LABELS: Readonly<Record<Regime, string>> = {
  hipaa: 'HIPAA',
  'pci-dss': 'PCI DSS',
  sox: 'SOX',
  'fedramp-moderate': 'FedRAMP Moderate',
  'fedramp-high': 'FedRAMP High',
  itar: 'ITAR',
};

interface RegimeBasis {
  readonly matches: (control: string) => boolean;
  /** How the regime's controls are read from the catalogue. */
  readonly basis: string;
}

const BASIS: Readonly<Record<Regime, RegimeBasis>> = {
  hipaa: {
    matches: (c) => c.startsWith('HIPAA '),
    basis: 'HIPAA Security Rule (45 CFR 164) safeguards named by the rules.',
  },
  'pci-dss': {
    matches: (c) => c.startsWith('PCI DSS '),
    basis: 'PCI DSS v4 requirements named by the rules (A1: multi-tenant service providers).',
  },
  sox: {
    matches: (c) => /^NIST (AC|AU|CM|CP)-/.test(c),
    basis:
      'SOX names no technical controls. Its IT general controls (access, change management, logging, backup) are read as the ' +
      'NIST 800-53 AC, AU, CM and CP controls the rules support; the app applies the NIST 800-53 cdk-nag pack for SOX.',
  },
  'fedramp-moderate': {
    matches: (c) => c.startsWith('NIST ') || c.startsWith('FedRAMP '),
    basis: 'FedRAMP baselines are NIST SP 800-53 Rev. 5 controls; listed are those the rules support.',
  },
  'fedramp-high': {
    matches: (c) => c.startsWith('NIST ') || c.startsWith('FedRAMP ') || c.startsWith('FIPS '),
    basis:
      'FedRAMP baselines are NIST SP 800-53 Rev. 5 controls (High also requires FIPS-validated key storage); listed are those the rules support.',
  },
  itar: {
    matches: (c) => c.startsWith('ITAR ') || c.startsWith('FIPS '),
    basis: 'ITAR (22 CFR 120-130) controls on technical data and the FIPS 140 key storage the rules support.',
  },
};

export type ControlSupport = 'supported' | 'not-supported' | 'not-applicable' | 'above-level';

export interface ControlEvidence {
  readonly control: string;
  /** The control's short title (lib/report/controls.ts), when known. */
  readonly title?: string;
  readonly support: ControlSupport;
  readonly rules: readonly {
    readonly id: string;
    readonly title: string;
    readonly status: string;
    readonly counts: boolean;
  }[];
}

/** The recorded result of one cdk-nag pack for one tenant. */
export interface NagPackResult {
  readonly pack: NagPackName;
  /** The regimes that bring the pack; AwsSolutions applies to every tenant. */
  readonly regimes: readonly string[];
  /**
   * - `passed`: the assembly exists (synth passed) and no finding of the pack was acknowledged;
   * - `passed-with-acknowledgements`: synth passed; these findings were acknowledged with a reason;
   * - `failed`: the validation report lists unacknowledged violations of the pack;
   * - `not-recorded`: the inputs are template files, not a cloud assembly, so the result is not part of them;
   * - `not-valid`: a template of the tenant was modified after synthesis, so what the assembly records is about
   *   another template (ISO-TPL-2).
   */
  readonly result: 'passed' | 'passed-with-acknowledgements' | 'failed' | 'not-recorded' | 'not-valid';
  readonly acknowledged: readonly NagAcknowledgement[];
  readonly violations: readonly ReportedViolation[];
}

export interface NagAcknowledgement {
  readonly rule: string;
  readonly reason: string;
  readonly constructPath: string;
  /** Logical ids of the template resources under the construct path. */
  readonly resources: readonly string[];
}

export interface NagEvidence {
  /** Whether the inputs include the cloud assembly the result is recorded in. */
  readonly recorded: boolean;
  readonly packs: readonly NagPackResult[];
  /** Acknowledgements of other validation plugins (e.g. CloudFormation Validate), for completeness. */
  readonly otherAcknowledgements: readonly NagAcknowledgement[];
  /** Acknowledgements recorded for packs the tenant does not apply (they have no effect). */
  readonly unusedAcknowledgements: number;
  /** What this result can and cannot prove. */
  readonly statement: string;
}

export interface RegimeEvidence {
  readonly regime: string;
  readonly label: string;
  readonly basis: string;
  readonly controls: readonly ControlEvidence[];
  /** The cdk-nag packs the app applies for this regime (AwsSolutions is applied for every tenant). */
  readonly nagPacks: readonly NagPackName[];
  /** A regime the tool does not know: no mapping. */
  readonly unknown?: boolean;
  /**
   * Error findings of counting rules that name no control of this regime: shown in the regime's view as "other
   * isolation findings", so no regime reads clean while the tenant fails.
   */
  readonly otherFindings: readonly {
    readonly rule: string;
    readonly title: string;
    readonly resource: string;
    readonly message: string;
  }[];
}

/** The statement every regime view carries. */
export const MAPPING_STATEMENT =
  'The mapping shows which controls this isolation evidence bears on and whether that evidence passes. It is evidence for a control, not an assessment of it: whether a control is met is for the assessor to decide, with evidence beyond these templates.';

export function isRegime(r: string): r is Regime {
  return (REGIMES as readonly string[]).includes(r);
}

function controlOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function otherFindingsOf(
  results: readonly RuleResult[],
  inRegime: (control: string) => boolean,
): RegimeEvidence['otherFindings'] {
  return results
    .filter((r) => r.counts && !r.rule.controls.some(inRegime))
    .flatMap((r) =>
      r.findings
        .filter((f) => f.severity === 'error')
        .map((f) => ({ rule: r.rule.id, title: r.rule.title, resource: f.resource, message: f.message })),
    );
}

/** The compliance mapping of each regime of a tenant. */
export function mapRegimes(regimes: readonly string[], results: readonly RuleResult[]): RegimeEvidence[] {
  return regimes.map((regime): RegimeEvidence => {
    if (!isRegime(regime)) {
      return {
        regime,
        label: regime,
        basis: 'A regime this tool does not know: no controls are mapped.',
        controls: [],
        nagPacks: [],
        unknown: true,
        otherFindings: otherFindingsOf(results, () => false),
      };
    }
    const basis = BASIS[regime];
    const byControl = new Map<string, RuleResult[]>();
    for (const r of results) {
      for (const c of r.rule.controls) if (basis.matches(c)) byControl.set(c, [...(byControl.get(c) ?? []), r]);
    }
    const controls = [...byControl.entries()]
      .sort(([a], [b]) => controlOrder(a, b))
      .map(([control, rs]): ControlEvidence => {
        const counting = rs.filter((r) => r.counts);
        const applicable = counting.filter((r) => r.status !== 'not-applicable');
        let support: ControlSupport;
        if (counting.length === 0) support = 'above-level';
        else if (applicable.length === 0) support = 'not-applicable';
        else
          support = applicable.every((r) => r.status === 'pass' || r.status === 'warning')
            ? 'supported'
            : 'not-supported';
        return {
          control,
          title: controlTitle(control),
          support,
          rules: rs.map((r) => ({ id: r.rule.id, title: r.rule.title, status: r.status, counts: r.counts })),
        };
      });
    return {
      regime,
      label: REGIME_LABELS[regime],
      basis: basis.basis,
      controls,
      nagPacks: PACKS_BY_REGIME[regime],
      otherFindings: otherFindingsOf(results, (c) => basis.matches(c)),
    };
  });
}

/** A recorded acknowledgement id split into pack and rule, e.g. `Annotation::HIPAA.Security-LambdaDLQ`. */
export function parseAcknowledgementId(id: string): { pack?: NagPackName; rule: string } {
  const bare = id.replace(/^Annotation::/, '');
  for (const pack of NAG_PACKS) if (bare.startsWith(`${pack}-`)) return { pack, rule: bare };
  return { rule: id };
}

export interface NagInput {
  readonly regimes: readonly string[];
  /** Whether the tenant's templates came from a cloud assembly. */
  readonly fromAssembly: boolean;
  readonly acknowledgements: readonly Acknowledgement[];
  /** cdk-nag suppressions written into template metadata (`cdk_nag.rules_to_suppress`). */
  readonly templateSuppressions: readonly Acknowledgement[];
  /** Plugin reports of the assembly's validation-report.json, if any. */
  readonly plugins: readonly ReportedPlugin[];
  /** Logical ids by construct path (`aws:cdk:path` of each resource). */
  readonly resourcesUnder: (constructPath: string) => string[];
  readonly stackNames: readonly string[];
  /** Template files of the tenant that no longer match their synthesis record. @default - none */
  readonly modifiedAfterSynthesis?: readonly string[];
}

/** What the assembly records of the cdk-nag packs the tenant's regimes apply. */
export function nagEvidence(input: NagInput): NagEvidence {
  const regimes = input.regimes.filter(isRegime);
  const applied = packsFor(regimes);
  const acks = [...input.acknowledgements, ...input.templateSuppressions];
  const toAck = (a: Acknowledgement, rule: string): NagAcknowledgement => ({
    rule,
    reason: a.reason,
    constructPath: a.constructPath,
    resources: input.resourcesUnder(a.constructPath),
  });
  const other: NagAcknowledgement[] = [];
  let unused = 0;
  const byPack = new Map<NagPackName, NagAcknowledgement[]>();
  for (const a of acks) {
    const { pack, rule } = parseAcknowledgementId(a.id);
    if (!pack) other.push(toAck(a, rule));
    else if (!applied.includes(pack)) unused++;
    else byPack.set(pack, [...(byPack.get(pack) ?? []), toAck(a, rule)]);
  }
  const packs = applied.map((pack): NagPackResult => {
    const plugins = input.plugins.filter(
      (p) =>
        p.name === pack || (p.name.startsWith(`${pack}@`) && input.stackNames.includes(p.name.slice(pack.length + 1))),
    );
    const violations = plugins.flatMap((p) => p.violations);
    const acknowledged = byPack.get(pack) ?? [];
    const result: NagPackResult['result'] = !input.fromAssembly
      ? 'not-recorded'
      : input.modifiedAfterSynthesis?.length
        ? 'not-valid'
        : violations.length > 0 || plugins.some((p) => p.conclusion === 'failure')
          ? 'failed'
          : acknowledged.length > 0
            ? 'passed-with-acknowledgements'
            : 'passed';
    return {
      pack,
      regimes:
        pack === 'AwsSolutions'
          ? ['every tenant']
          : regimes.filter((r) => PACKS_BY_REGIME[r].includes(pack)).map((r) => REGIME_LABELS[r]),
      result,
      acknowledged,
      violations,
    };
  });
  const modified = input.modifiedAfterSynthesis ?? [];
  const statement =
    input.fromAssembly && modified.length
      ? `Not valid: ${modified.join(', ')} ${modified.length === 1 ? 'was' : 'were'} modified after synthesis (ISO-TPL-2), so the ` +
        'cdk-nag result the cloud assembly records is about a different template. Re-run `npx cdk synth` and report on the new assembly.'
      : input.fromAssembly
        ? 'cdk-nag 3 runs as a CDK validation plugin during `cdk synth`, and a failing plugin makes synth fail, so a cloud assembly ' +
          'exists only if every pack reported no finding that was not acknowledged (unless the app set ' +
          '`@aws-cdk/core:failSynthOnValidationErrors` to false, which the assembly does not record). The assembly does not record ' +
          "which plugins ran: the packs listed follow from the tenant's regimes exactly as lib/compliance/packs.ts selects them for synth, " +
          'and the acknowledgements are those the constructs recorded with their reasons (`aws:cdk:acknowledged-rules` in the stack ' +
          'metadata). Re-run `npx cdk synth` to run the packs again.'
        : 'The inputs are template files, not a cloud assembly: the cdk-nag result is not part of them and is not shown. The packs ' +
          "listed are those the app applies for the tenant's regimes; run `npx cdk synth` to run them, and pass `cdk.out` to the report.";
  return {
    recorded: input.fromAssembly,
    packs,
    otherAcknowledgements: other,
    unusedAcknowledgements: unused,
    statement,
  };
}
