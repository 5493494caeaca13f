/**
 * The rule model: an isolation rule is data plus pure check functions with a stable id.
 *
 * The same rule object drives the synth-time check, the CLI over templates, the auditor report and the live
 * verifier. Rules never throw on odd input: the engine turns a throw into a "could not verify" finding anyway.
 */
import type { IsolationLevel } from './levels';
import type { TenantModel } from './model';
import type { TenantInventory } from './inventory';

export type Severity = 'error' | 'warning';

/** The concern a rule belongs to, for grouping in reports. */
export type Concern = 'account' | 'access' | 'network' | 'database' | 'search' | 'keys' | 'compute' | 'references' | 'template';

/** What a rule says about one thing it looked at. */
export interface Observation {
  /** Logical id (templates) or ARN / physical id (live); the stack name for stack-wide facts. */
  readonly resource: string;
  /** The stack (templates) or account/region (live) the resource belongs to. */
  readonly stack?: string;
  /** Property path, e.g. `Properties.StorageEncrypted`; `-` when the finding is about the resource as a whole. */
  readonly path: string;
  readonly message: string;
  /** The value found, as the template or API states it. */
  readonly value?: string;
}

export interface Finding extends Observation {
  readonly rule: string;
  readonly severity: Severity;
  readonly remediation: string;
  /** `violation`: the evidence shows the problem; `unverifiable`: the verifier could not follow the value. */
  readonly kind: 'violation' | 'unverifiable';
}

/** Collects what a check saw. Status follows from what was recorded. */
export interface Reporter {
  /** Records compliant evidence (makes the rule applicable). */
  pass(o: Observation): void;
  /** Records a violation. */
  fail(o: Observation & { severity?: Severity }): void;
  /** Records a value the check could not follow: a failing finding (fail closed). */
  unverifiable(o: Observation & { severity?: Severity }): void;
}

export interface FleetReporter {
  /** The reporter for one tenant of the fleet. */
  forTenant(tenant: string): Reporter;
}

export type RuleStatus = 'pass' | 'fail' | 'unverifiable' | 'not-applicable';

export interface IsolationRule {
  /** Stable forever, e.g. `ISO-KMS-1`; retired ids are never reused. */
  readonly id: string;
  /** Present-tense desired state. */
  readonly title: string;
  readonly severity: Severity;
  readonly concern: Concern;
  /** The level this rule's evidence supports; a rule above a tenant's required level does not fail it. */
  readonly proves?: IsolationLevel;
  /** The fake-exclusivity pattern the rule catches. */
  readonly rationale: string;
  /** What to change, naming the construct prop where one exists. */
  readonly remediation: string;
  /** Compliance controls the rule supports, e.g. `HIPAA 164.312(a)(2)(iv)`, `NIST SC-28`. */
  readonly controls: readonly string[];
  /** Checks one tenant's templates. */
  readonly checkTemplate?: (tenant: TenantModel, report: Reporter) => void;
  /** Checks the whole fleet's templates (cross-tenant rules). */
  readonly checkFleet?: (tenants: readonly TenantModel[], report: FleetReporter) => void;
  /**
   * The read-only AWS API actions the live checks of this rule need (e.g. `rds:DescribeDBInstances`). The live
   * verifier's IAM policy is generated from these, so a rule cannot need a permission nobody granted.
   */
  readonly liveActions?: readonly string[];
  /** Checks one tenant's live inventory. */
  readonly checkLive?: (inventory: TenantInventory, report: Reporter) => void;
  /** Checks the whole fleet's live inventories. */
  readonly checkLiveFleet?: (inventories: readonly TenantInventory[], report: FleetReporter) => void;
}
