/**
 * Groups loaded templates into tenants and builds their models.
 *
 * The tenant of a template comes from, in order: the tenant it was read for (`--tenant <id>=<file>`), the
 * `exclusive-desk` metadata the app writes into every template, the parent of a nested stack, the stack name in a
 * cloud assembly, the file name.
 */
import { declaredAccessOf } from '../isolation/declared-access';
import { isLevel, type IsolationLevel } from '../isolation/levels';
import { TenantModel, type StackModelInput } from '../isolation/model';
import type { LoadedTemplate } from './read';

/** The metadata block bin/app.ts writes into every tenant template. */
export interface TemplateTenantMetadata {
  readonly tenant?: string;
  readonly account?: string;
  readonly region?: string;
  readonly partition?: string;
  readonly isolation?: string;
  readonly compliance?: readonly string[];
  /** The declared access paths (docs/access.md); read with declaredAccessOf, never trusted as typed. */
  readonly access?: unknown;
}

export const METADATA_KEY = 'exclusive-desk';

export function tenantMetadata(t: LoadedTemplate): TemplateTenantMetadata | undefined {
  const m = t.template.Metadata?.[METADATA_KEY];
  return m && typeof m === 'object' && !Array.isArray(m) ? (m) : undefined;
}

export interface GroupOptions {
  /** Explicit account of a tenant. */
  readonly accountOf?: ReadonlyMap<string, string>;
}

export interface GroupedTenant {
  readonly id: string;
  readonly templates: LoadedTemplate[];
}

/** Assigns every template to a tenant. */
export function groupByTenant(templates: readonly LoadedTemplate[]): GroupedTenant[] {
  const byStack = new Map<string, string>();
  const groups = new Map<string, LoadedTemplate[]>();
  const tenantOf = (t: LoadedTemplate): string => {
    if (t.tenant !== undefined) return t.tenant;
    const meta = tenantMetadata(t);
    if (typeof meta?.tenant === 'string' && meta.tenant) return meta.tenant;
    if (t.nestedIn) {
      const parent = byStack.get(t.nestedIn.stackName);
      if (parent) return parent;
    }
    return t.stackName;
  };
  // Parents before nested stacks so a nested template inherits its parent's tenant.
  const ordered = [...templates].sort((a, b) => Number(!!a.nestedIn) - Number(!!b.nestedIn));
  for (const t of ordered) {
    const tenant = tenantOf(t);
    byStack.set(t.stackName, tenant);
    groups.set(tenant, [...(groups.get(tenant) ?? []), t]);
  }
  return [...groups.entries()].map(([id, list]) => ({ id, templates: list }));
}

/** Builds the tenant model of one group; the account comes from --account, the assembly, then metadata. */
export function buildTenantModel(group: GroupedTenant, options: GroupOptions = {}): TenantModel {
  const metas = group.templates.map(tenantMetadata).filter((m): m is TemplateTenantMetadata => !!m);
  const explicit = options.accountOf?.get(group.id);
  const fromAssembly = group.templates.find((t) => t.account)?.account;
  const fromMetadata = metas.find((m) => typeof m.account === 'string' && /^\d{12}$/.test(m.account))?.account;
  const account = explicit ?? fromAssembly ?? fromMetadata;
  const accountSource = explicit ? '--account' : fromAssembly ? 'the cloud assembly stack environment' : fromMetadata ? 'the template metadata' : undefined;
  const region = group.templates.find((t) => t.region)?.region ?? metas.find((m) => typeof m.region === 'string')?.region;
  const declaredRaw = metas.find((m) => isLevel(m.isolation))?.isolation;
  const declared: IsolationLevel | undefined = isLevel(declaredRaw) ? declaredRaw : undefined;
  const compliance = metas.flatMap((m) => (Array.isArray(m.compliance) ? m.compliance.filter((c) => typeof c === 'string') : []));
  const stacks: StackModelInput[] = group.templates.map((t) => ({
    name: t.stackName,
    file: t.file,
    template: t.template,
    synthesis: t.synthesis,
  }));
  const model = new TenantModel({
    id: group.id,
    account,
    accountSource,
    region,
    partition: metas.find((m) => typeof m.partition === 'string')?.partition,
    declared,
    compliance: [...new Set(compliance)],
    access: declaredAccessOf(metas.find((m) => m.access !== undefined)?.access),
    stacks,
  });
  for (const t of group.templates) {
    if (!t.nestedIn) continue;
    const nested = model.stacks.find((s) => s.name === t.stackName);
    if (nested) model.bindNested(nested, t.nestedIn.stackName, t.nestedIn.logicalId);
  }
  return model;
}

export function buildTenantModels(templates: readonly LoadedTemplate[], options: GroupOptions = {}): TenantModel[] {
  return groupByTenant(templates).map((g) => buildTenantModel(g, options));
}
