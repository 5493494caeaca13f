/**
 * cdk-nag 3 rule packs as CDK validation plugins, chosen per tenant stack by the tenant's regimes.
 *
 * A cdk-nag 3 pack walks the whole app it is given (`context.appConstruct`), and plugins can only be registered on a
 * Stage or App. To give each tenant only its own regimes' packs, every pack is wrapped in a plugin bound to one
 * tenant stack that validates just that stack's construct tree (`NagPack.validateScope(stack)`).
 */
import {
  Validations,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  type Stack,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, type NagPack } from 'cdk-nag';
import type { Regime } from '../manifest/schema';
import { packsFor, type NagPackName } from './packs';

export { PACKS_BY_REGIME, packsFor, type NagPackName } from './packs';

const FACTORIES: Readonly<Record<NagPackName, () => NagPack>> = {
  AwsSolutions: () => new AwsSolutionsChecks(),
  'HIPAA.Security': () => new HIPAASecurityChecks(),
  'PCI.DSS.321': () => new PCIDSS321Checks(),
  'NIST.800.53.R5': () => new NIST80053R5Checks(),
};

/** A cdk-nag pack that validates one stack only. */
export class StackScopedNagPack implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;

  constructor(
    public readonly pack: NagPack,
    public readonly stack: Stack,
  ) {
    this.name = `${pack.readPackName}@${stack.stackName}`;
    this.version = pack.version;
  }

  public validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.pack.validateScope(this.stack);
  }
}

/** Registers AwsSolutions plus the packs of the tenant's regimes for one tenant stack; returns the pack names. */
export function addCompliancePacks(stack: Stack, regimes: readonly Regime[]): NagPackName[] {
  const names = packsFor(regimes);
  Validations.of(stack).addPlugins(...names.map((n) => new StackScopedNagPack(FACTORIES[n](), stack)));
  return names;
}
