/**
 * Retention periods the compliance regimes require. Data, not logic: the stack reads them, the docs cite them.
 */
import type { Regime } from '../manifest/schema';

/** Backup retention of a tenant without a regime (days). */
export const BASELINE_BACKUP_RETENTION_DAYS = 7;
/** Backup retention every regulated regime requires (days; the RDS maximum). */
export const REGULATED_BACKUP_RETENTION_DAYS = 35;

/** Every regime this tool knows is a regulated regime for backup purposes. */
export function isRegulated(regimes: readonly Regime[]): boolean {
  return regimes.length > 0;
}

/** The minimum backup retention (days) the tenant's regimes require. */
export function minimumBackupRetentionDays(regimes: readonly Regime[]): number {
  return isRegulated(regimes) ? REGULATED_BACKUP_RETENTION_DAYS : BASELINE_BACKUP_RETENTION_DAYS;
}

/** Log retention (days) each regime asks for; the tenant gets the longest of its regimes. */
export const LOG_RETENTION_DAYS_BY_REGIME: Readonly<Record<Regime, number>> = {
  hipaa: 2192, // 6 years: HIPAA 164.316(b)(2) documentation retention
  sox: 2557, // 7 years: SOX 802 audit record retention
  'pci-dss': 365, // PCI DSS 10.7: one year, three months online
  'fedramp-moderate': 365, // NIST AU-11 as set by the FedRAMP baseline
  'fedramp-high': 365,
  itar: 1827, // 5 years: ITAR 122.5 record keeping
};

/** Log retention of a tenant without a regime (days). */
export const BASELINE_LOG_RETENTION_DAYS = 365;

export function logRetentionDays(regimes: readonly Regime[]): number {
  return Math.max(BASELINE_LOG_RETENTION_DAYS, ...regimes.map((r) => LOG_RETENTION_DAYS_BY_REGIME[r]));
}
