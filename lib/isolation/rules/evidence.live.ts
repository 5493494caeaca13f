/**
 * Shared reading of a live inventory for the live checks: where a finding is, what a collection error means,
 * whose account an id is, and how a data store's key is judged. Pure: no I/O, no SDK.
 */
import type { Collected, CollectionError, LiveKey, LiveVpc, TenantInventory } from '../inventory';
import type { IsolationRule, Reporter } from '../rule';
import { accountOwner } from './keys/policy';

/** The actions that produce each part of the inventory (a rule declares those of every part it reads). */
export const ACTIONS = {
  identity: ['sts:GetCallerIdentity'],
  databases: ['rds:DescribeDBInstances'],
  snapshots: ['rds:DescribeDBSnapshots'],
  snapshotAttributes: ['rds:DescribeDBSnapshotAttributes'],
  searchDomains: ['es:ListDomainNames', 'es:DescribeDomains'],
  searchTags: ['es:ListTags'],
  searchConnections: ['es:DescribeOutboundConnections', 'es:DescribeInboundConnections'],
  vpcs: ['ec2:DescribeVpcs'],
  /** What decides which keys are in the inventory: the stores that use them and the tenant's aliases. */
  keySources: ['rds:DescribeDBInstances', 'rds:DescribeDBSnapshots', 'logs:DescribeLogGroups', 'es:ListDomainNames', 'es:DescribeDomains', 'kms:ListAliases'],
  keyMetadata: ['kms:DescribeKey'],
} as const;

/** The `stack` of a live finding: the account and region the resource is in. */
export function liveStack(inv: TenantInventory): string {
  return `${inv.account ?? 'unknown-account'}/${inv.region ?? 'unknown-region'}`;
}

/** Where a live finding is: the resource (ARN or id), its account/region and the API field. */
export function at(inv: TenantInventory, resource: string, path: string): { resource: string; stack: string; path: string } {
  return { resource, stack: liveStack(inv), path };
}

/** One sentence on why a part of the inventory is missing, naming the action (and so the missing permission). */
export function explain(e: CollectionError): string {
  const on = e.resource ? ` on ${e.resource}` : '';
  switch (e.reason) {
    case 'denied':
      return `${e.action}${on} was denied (${e.code}): the verifier's role needs the permission ${e.action}`;
    case 'skipped':
      return `${e.action}${on} ${e.message}`;
    default:
      return `${e.action}${on} failed (${e.code}: ${e.message})`;
  }
}

/** Causes already reported per rule (reporter): one finding per rule when nothing could be read for one reason. */
const reportedCauses = new WeakMap<Reporter, Set<string>>();

/**
 * Reports a collection error as a "could not verify" finding (fail closed). A call that was not made for a reason
 * shared by every call (no credentials, the wrong account) is reported once per rule, not once per API.
 *
 * Always error severity, whatever the rule's own: a warning-severity rule (hygiene) judges what it reads as a
 * warning, but evidence the verifier could not read is not a judgement, and a warning would let the tenant (and the
 * deploy-time gate) pass on an API it was never allowed to call.
 */
export function cannotVerify(inv: TenantInventory, report: Reporter, e: CollectionError, what: string): void {
  if (e.reason === 'skipped' && e.code !== 'NotCollected') {
    const seen = reportedCauses.get(report) ?? new Set<string>();
    const cause = `${e.code}|${e.message}`;
    if (seen.has(cause)) return;
    reportedCauses.set(report, seen.add(cause));
  }
  report.unverifiable({
    ...at(inv, e.resource ?? inv.account ?? inv.tenant, e.action),
    value: e.code,
    message: `could not verify ${what}: ${explain(e)}`,
    severity: 'error',
  });
}

/** The value of a part of the inventory, or undefined after reporting why it could not be verified. */
export function need<T>(c: Collected<T>, inv: TenantInventory, report: Reporter, what: string): T | undefined {
  if (c.ok) return c.value;
  cannotVerify(inv, report, c.error, what);
  return undefined;
}

/** Every collection error anywhere in an inventory (nested parts too: a key's policy, a snapshot's attributes). */
const errorsOf = new WeakMap<TenantInventory, readonly CollectionError[]>();

export function collectionErrors(inv: TenantInventory): readonly CollectionError[] {
  const cached = errorsOf.get(inv);
  if (cached) return cached;
  const out: CollectionError[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
    } else if (v !== null && typeof v === 'object') {
      const part = v as { ok?: unknown; error?: CollectionError; value?: unknown };
      if (part.ok === false && part.error && typeof part.error.action === 'string') out.push(part.error);
      else for (const x of Object.values(v)) walk(x);
    }
  };
  walk(inv);
  errorsOf.set(inv, out);
  return out;
}

/**
 * After a rule's live check: every call of an action the rule declares that was denied, failed, or was cut short is
 * a "could not verify <action>" error finding of the rule, whether or not the check happened to read that part (a
 * check may skip a part, e.g. the parameter groups of a non-PostgreSQL database). Parts not collected because no
 * counting rule declares them, or because their input is itself unknown (reported where it failed), are left out.
 * The rule's own report of the same error is not repeated (one finding per resource, path and kind). When
 * `sts:GetCallerIdentity` failed nothing else was called, and every other part's error quotes it: those are
 * reported (once per rule, one cause), the identity's own error by the rule that reads it (ISO-ACCT-1).
 */
export function reportCollectionErrors(rule: IsolationRule, inv: TenantInventory, report: Reporter): void {
  const declared = rule.liveActions;
  if (!declared || declared.length === 0) return;
  for (const e of collectionErrors(inv)) {
    if (e.code === 'NotCollected' || !declared.includes(e.action)) continue;
    if (!inv.identity.ok && e === inv.identity.error) continue;
    cannotVerify(inv, report, e, e.action);
  }
}

/** A policy grant's value without the JSON quotes the shared analysis puts around literals. */
export function unquote(value: string): string {
  return /^"[^"]*"$/.test(value) ? value.slice(1, -1) : value;
}

/** The 12-digit account of an ARN, if it has one. */
export function accountOfArn(arn: string | undefined): string | undefined {
  return arn ? /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1] : undefined;
}

/** Whose account an account id is, relative to the tenant's. */
export function ownerOf(inv: TenantInventory, account: string | undefined): 'self' | 'other' | 'unknown' | 'aws' {
  return account === undefined ? 'unknown' : accountOwner(inv.account, account);
}

/** Whether a resource carries the tenant's tag. */
export function taggedForTenant(inv: TenantInventory, tags: Readonly<Record<string, string>>): boolean {
  return tags[inv.tag.key] === inv.tag.value;
}

/** The tenant (another one) a resource is tagged for, if any. */
export function taggedForOther(inv: TenantInventory, tags: Readonly<Record<string, string>>): string | undefined {
  const t = tags[inv.tag.key];
  return t !== undefined && t !== inv.tag.value ? t : undefined;
}

/** The VPCs the tenant's tag marks (the ones its stack created). */
export function tenantVpcs(vpcs: readonly LiveVpc[], inv: TenantInventory): LiveVpc[] {
  return vpcs.filter((v) => taggedForTenant(inv, v.tags));
}

/** The inventory's key for a reference (ARN, key id or alias) as a resource names it. */
export function keyFor(inv: TenantInventory, ref: string): LiveKey | undefined {
  return inv.keys.find((k) => k.ref === ref || k.refs.includes(ref));
}

/**
 * Judges the key protecting one store of tenant data: a customer-managed key of the tenant's account, enabled.
 * Returns the key when it passed (callers may judge more, e.g. its origin), undefined otherwise.
 */
export function judgeDataKey(
  inv: TenantInventory,
  report: Reporter,
  where: { readonly resource: string; readonly path: string; readonly what: string },
  ref: string | undefined,
): LiveKey | undefined {
  const base = at(inv, where.resource, where.path);
  if (!ref) {
    report.fail({ ...base, value: '(not set)', message: `${where.what} names no key: it is encrypted with an AWS-managed or AWS-owned key, not a customer-managed key of the tenant` });
    return undefined;
  }
  const arnAccount = accountOfArn(ref);
  if (arnAccount && ownerOf(inv, arnAccount) === 'other') {
    report.fail({ ...base, value: ref, message: `${where.what} is encrypted with ${ref}, a key of account ${arnAccount}, not the tenant's ${inv.account}` });
    return undefined;
  }
  const key = keyFor(inv, ref);
  if (!key) {
    report.unverifiable({ ...base, value: ref, message: `could not verify ${where.what}: its key ${ref} was not collected` });
    return undefined;
  }
  if (!key.metadata.ok) {
    cannotVerify(inv, report, key.metadata.error, `the key of ${where.what} (${ref})`);
    return undefined;
  }
  const m = key.metadata.value;
  const owner = ownerOf(inv, m.account ?? accountOfArn(m.arn));
  if (owner !== 'self') {
    const msg = `${where.what} is encrypted with ${m.arn}, owned by account ${m.account ?? 'unknown'}, not the tenant's ${inv.account}`;
    if (owner === 'unknown') report.unverifiable({ ...base, value: m.arn, message: `could not verify ${msg}` });
    else report.fail({ ...base, value: m.arn, message: msg });
    return undefined;
  }
  if (m.keyManager !== 'CUSTOMER') {
    report.fail({ ...base, value: m.arn, message: `${where.what} is encrypted with ${m.arn}, an AWS-managed key (KeyManager ${m.keyManager ?? 'unknown'}) shared by everything in the account` });
    return undefined;
  }
  if (m.keyState !== 'Enabled') {
    report.fail({
      ...base,
      value: `${m.arn} KeyState=${m.keyState ?? 'unknown'}`,
      message: `${where.what} is encrypted with ${m.arn}, whose KeyState is ${m.keyState ?? 'unknown'}, not Enabled (disabled, scheduled for deletion or its key store disconnected: the data is unreadable or about to be lost)`,
    });
    return undefined;
  }
  report.pass({ ...base, value: m.arn, message: `${where.what} is encrypted with the tenant's customer-managed key ${m.arn} (Enabled, origin ${m.origin ?? 'unknown'})` });
  return key;
}

/** Every place the inventory's data stores name a key: the resource, the API field, what it is and the key. */
export interface DataKeyUse {
  readonly resource: string;
  readonly path: string;
  readonly what: string;
  readonly ref: string | undefined;
  /** Encryption switched off altogether: a violation in itself. */
  readonly disabled?: string;
  /** Logs need the tenant's key but hold no ticket data (an hsm licence lets a key outside the HSM protect them). */
  readonly logs?: boolean;
}

/** The key uses of databases, snapshots and search domains (parts that could not be collected are skipped). */
export function dataKeyUses(inv: TenantInventory): DataKeyUse[] {
  const out: DataKeyUse[] = [];
  for (const d of inv.databases.ok ? inv.databases.value : []) {
    out.push({ resource: d.arn, path: 'DescribeDBInstances.KmsKeyId', what: `DB instance ${d.id} (database storage)`, ref: d.kmsKeyId, disabled: d.storageEncrypted ? undefined : 'StorageEncrypted is false' });
    if (d.performanceInsightsEnabled) {
      out.push({ resource: d.arn, path: 'DescribeDBInstances.PerformanceInsightsKMSKeyId', what: `DB instance ${d.id} (Performance Insights)`, ref: d.performanceInsightsKmsKeyId });
    }
    if (d.masterUserSecret) {
      out.push({ resource: d.arn, path: 'DescribeDBInstances.MasterUserSecret.KmsKeyId', what: `DB instance ${d.id} (master user secret${d.masterUserSecret.secretArn ? ` ${d.masterUserSecret.secretArn}` : ''})`, ref: d.masterUserSecret.kmsKeyId });
    }
  }
  for (const s of inv.snapshots.ok ? inv.snapshots.value : []) {
    out.push({ resource: s.arn, path: 'DescribeDBSnapshots.KmsKeyId', what: `DB snapshot ${s.id}`, ref: s.kmsKeyId, disabled: s.encrypted ? undefined : 'Encrypted is false' });
  }
  for (const g of inv.logGroups.ok ? inv.logGroups.value : []) {
    out.push({ resource: g.arn ?? g.name, path: 'DescribeLogGroups.kmsKeyId', what: `log group ${g.name}`, ref: g.kmsKeyId, logs: true });
  }
  for (const d of inv.searchDomains.ok ? inv.searchDomains.value : []) {
    out.push({
      resource: d.arn,
      path: 'DescribeDomains.EncryptionAtRestOptions.KmsKeyId',
      what: `search domain ${d.name}`,
      ref: d.encryptionAtRest.kmsKeyId,
      disabled: d.encryptionAtRest.enabled ? undefined : 'EncryptionAtRestOptions.Enabled is false',
    });
  }
  return out;
}
