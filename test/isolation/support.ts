/** Helpers for rule tests: verify hand-written template fragments without touching the disk. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCfnYaml } from '../../lib/assembly/yaml-cfn';
import type { CfnTemplate } from '../../lib/assembly/read';
import { evaluateTemplates, type TenantVerdict } from '../../lib/isolation/engine';
import type { IsolationLevel } from '../../lib/isolation/levels';
import { TenantModel } from '../../lib/isolation/model';
import type { Finding } from '../../lib/isolation/rule';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'isolation');

export function loadFixture(name: string): CfnTemplate {
  return parseCfnYaml(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as CfnTemplate;
}

export interface TenantSpec {
  readonly id?: string;
  readonly account?: string;
  readonly region?: string;
  readonly declared?: IsolationLevel;
  readonly compliance?: string[];
  readonly templates: readonly CfnTemplate[];
  /** Nested stacks: template `child` is deployed by the AWS::CloudFormation::Stack `logicalId` of template `parent`. */
  readonly nested?: readonly { readonly child: number; readonly parent: number; readonly logicalId: string }[];
}

export function model(spec: TenantSpec): TenantModel {
  const id = spec.id ?? 'tenant-a';
  const m = new TenantModel({
    id,
    account: 'account' in spec ? spec.account : '111111111111',
    region: spec.region ?? 'eu-west-1',
    declared: spec.declared,
    compliance: spec.compliance,
    stacks: spec.templates.map((template, i) => ({ name: `${id}-stack${i}`, file: `${id}-${i}.json`, template })),
  });
  for (const n of spec.nested ?? []) m.bindNested(m.stacks[n.child]!, m.stacks[n.parent]!.name, n.logicalId);
  return m;
}

export function verify(...specs: TenantSpec[]): TenantVerdict[] {
  return evaluateTemplates(specs.map(model));
}

/** The single tenant's result for one rule. */
export function ruleResult(ruleId: string, spec: TenantSpec) {
  const v = verify(spec)[0]!;
  const r = v.results.find((x) => x.rule.id === ruleId);
  if (!r) throw new Error(`no rule ${ruleId}`);
  return r;
}

export function statusOf(ruleId: string, spec: TenantSpec): string {
  return ruleResult(ruleId, spec).status;
}

export function findingsOf(ruleId: string, spec: TenantSpec): readonly Finding[] {
  return ruleResult(ruleId, spec).findings;
}

/** A template from resources alone. */
export function tpl(resources: Record<string, unknown>, extra: Record<string, unknown> = {}): CfnTemplate {
  return { Resources: resources, ...extra } as unknown as CfnTemplate;
}

/** Deep copy with changes applied to resource properties: `{ 'Database.Properties.KmsKeyId': undefined }`. */
export function mutate(t: CfnTemplate, changes: Record<string, unknown>): CfnTemplate {
  const copy = JSON.parse(JSON.stringify(t)) as Record<string, unknown>;
  for (const [p, value] of Object.entries(changes)) {
    const parts = p.split('.');
    let node = copy.Resources as Record<string, unknown>;
    if (parts[0] === '$') {
      parts.shift();
      node = copy;
    }
    for (const part of parts.slice(0, -1)) {
      if (!(part in node) || typeof node[part] !== 'object' || node[part] === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return copy as unknown as CfnTemplate;
}

/** The genuine hardware-level layout (fixture) and its account: the base the rule tests mutate. */
export const GENUINE = loadFixture('genuine-hardware.yaml');
export const GENUINE_ACCOUNT = '555555555555';

/** The genuine layout with `changes` applied (see `mutate`), declared at `hardware`, in its account. */
export function genuine(changes: Record<string, unknown> = {}, extra: Partial<TenantSpec> = {}): TenantSpec {
  return { account: GENUINE_ACCOUNT, declared: 'hardware', templates: [mutate(GENUINE, changes)], ...extra };
}
