/**
 * Which cdk-nag packs each regime brings. Data only (no cdk-nag import), shared by the pack selection (nag.ts) and
 * the acknowledgements the constructs make.
 */
import type { Regime } from '../manifest/schema';

export const NAG_PACKS = ['AwsSolutions', 'HIPAA.Security', 'PCI.DSS.321', 'NIST.800.53.R5'] as const;
export type NagPackName = (typeof NAG_PACKS)[number];

/** The regime packs; AwsSolutions applies to every tenant. */
export const PACKS_BY_REGIME: Readonly<Record<Regime, readonly NagPackName[]>> = {
  hipaa: ['HIPAA.Security'],
  'pci-dss': ['PCI.DSS.321'],
  sox: ['NIST.800.53.R5'],
  'fedramp-moderate': ['NIST.800.53.R5'],
  'fedramp-high': ['NIST.800.53.R5'],
  itar: ['NIST.800.53.R5'],
};

/** AwsSolutions plus the packs of the regimes, without repeats, in a stable order. */
export function packsFor(regimes: readonly Regime[]): NagPackName[] {
  const wanted = new Set<NagPackName>(['AwsSolutions', ...regimes.flatMap((r) => PACKS_BY_REGIME[r])]);
  return NAG_PACKS.filter((p) => wanted.has(p));
}
