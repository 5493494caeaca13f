/**
 * A typed view of a tenant's CloudFormation templates that follows intrinsic functions.
 *
 * Resolution never guesses. A value is turned into the list of values it may take (`Val[]`): `Fn::If` on a
 * condition that cannot be decided yields both branches, a parameter with AllowedValues yields each of them, and
 * whatever cannot be followed (an unconstrained parameter, an import from outside the tenant, an unsupported
 * function) becomes an `ext` value that rules must treat as "could not verify", never as a pass.
 *
 * This module does no I/O and imports no construct classes.
 */
import type { CfnResource, CfnTemplate, SynthesisRecord } from '../assembly/read';
import type { DeclaredAccess } from './declared-access';
import type { IsolationLevel } from './levels';

/** A reference to something the tenant's own templates define. */
export interface ResourceVal {
  readonly k: 'res';
  readonly r: ResourceRef;
  /** The attribute for Fn::GetAtt; undefined for Ref. */
  readonly attr?: string;
}

/** A pseudo parameter (AWS::AccountId, AWS::Region, ...) that is not a known literal. */
export interface PseudoVal {
  readonly k: 'pseudo';
  readonly name: string;
}

/** Something the templates do not define: a parameter, an import from outside, an unsupported function. */
export interface ExtVal {
  readonly k: 'ext';
  readonly kind: 'param' | 'import' | 'dynamic-reference' | 'unsupported' | 'missing-resource' | 'azs' | 'nested-output';
  /** What it is, for messages: `parameter VpcId`, `Fn::ImportValue shared-vpc-id`. */
  readonly what: string;
  readonly name?: string;
  /** It stands for a whole list of unknown length (a list parameter, Fn::GetAZs), not for one element. */
  readonly list?: boolean;
}

export type Sym = ResourceVal | PseudoVal | ExtVal;
export type Piece = string | Sym;

/** One possible value of a template node. */
export type Val =
  | { readonly k: 'lit'; readonly v: string | number | boolean | null }
  | { readonly k: 'str'; readonly parts: readonly Piece[] }
  | { readonly k: 'absent' }
  | Sym;

/** A template node that is an object or array literal (its leaves may still hold intrinsics). */
export type RawNode = unknown;

export interface ResourceRef {
  readonly stack: StackModel;
  readonly id: string;
  readonly type: string;
  readonly props: Readonly<Record<string, unknown>>;
  readonly raw: CfnResource;
}


const MAX_ALTERNATIVES = 64;

/**
 * What `resolve` returns for a property that is not set: the commonest answer of all, shared and frozen (callers
 * only read the lists resolve returns).
 */
const ABSENT_ONLY: readonly Val[] = Object.freeze([Object.freeze({ k: 'absent' }) as Val]);

/** The key of a single-key object (an intrinsic function), without allocating the key list. */
export function onlyKey(obj: Record<string, unknown>): string | undefined {
  let only: string | undefined;
  for (const k in obj) {
    if (only !== undefined) return undefined;
    only = k;
  }
  return only;
}
const MAX_DEPTH = 40;

/** Values that a string can take when every piece is known. */
export function litString(v: Val): string | undefined {
  if (v.k === 'lit' && typeof v.v === 'string') return v.v;
  return undefined;
}

/** The pieces of a string-like value (a literal becomes one string piece). */
export function piecesOf(v: Val): Piece[] | undefined {
  switch (v.k) {
    case 'lit':
      return v.v === null ? undefined : [String(v.v)];
    case 'str':
      return [...v.parts];
    case 'absent':
      return undefined;
    default:
      return [v];
  }
}

function normalizeParts(parts: readonly Piece[]): Val {
  const merged: Piece[] = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if (typeof p === 'string' && typeof last === 'string') merged[merged.length - 1] = last + p;
    else if (p !== '') merged.push(p);
  }
  if (merged.length === 0) return { k: 'lit', v: '' };
  if (merged.length === 1) {
    const only = merged[0]!;
    return typeof only === 'string' ? { k: 'lit', v: only } : only;
  }
  return { k: 'str', parts: merged };
}

/**
 * Splits a string-like value at a delimiter (Fn::Split, or a list parameter passed as one comma-joined string).
 * Symbolic pieces stay whole: `${Ref A},${Ref B}` is the list [Ref A, Ref B]. With `trim`, each member is
 * space-trimmed as CloudFormation does for CommaDelimitedList parameters.
 */
export function splitValue(v: Val, delimiter: string, trim: boolean): Val[] {
  if (v.k === 'absent') return [];
  const pieces = v.k === 'str' ? v.parts : v.k === 'lit' ? (v.v === null ? undefined : [String(v.v)]) : undefined;
  if (!pieces) return [v];
  const out: Val[] = [];
  let current: Piece[] = [];
  const finish = (): void => {
    if (trim) {
      const first = current[0];
      if (typeof first === 'string') current[0] = first.trimStart();
      const last = current[current.length - 1];
      if (typeof last === 'string') current[current.length - 1] = last.trimEnd();
    }
    out.push(normalizeParts(current));
    current = [];
  };
  for (const p of pieces) {
    if (typeof p !== 'string') {
      current.push(p);
      continue;
    }
    let from = 0;
    for (let at = p.indexOf(delimiter); at >= 0; at = p.indexOf(delimiter, from)) {
      current.push(p.slice(from, at));
      finish();
      from = at + delimiter.length;
    }
    current.push(p.slice(from));
  }
  finish();
  return out;
}

/** Describes a value for a finding message. */
export function describe(v: Val): string {
  switch (v.k) {
    case 'lit':
      return JSON.stringify(v.v);
    case 'absent':
      return '(not set)';
    case 'res':
      return v.attr ? `Fn::GetAtt ${v.r.id}.${v.attr}` : `Ref ${v.r.id}`;
    case 'pseudo':
      return v.name;
    case 'ext':
      return v.what;
    case 'str':
      return JSON.stringify(v.parts.map((p) => (typeof p === 'string' ? p : `\${${describe(p)}}`)).join(''));
  }
}

/** The first unresolvable piece of a value, if any. */
export function extOf(v: Val): ExtVal | undefined {
  if (v.k === 'ext') return v;
  if (v.k === 'str') return v.parts.find((p): p is ExtVal => typeof p !== 'string' && p.k === 'ext');
  return undefined;
}

export interface StackModelInput {
  readonly name: string;
  readonly file: string;
  readonly template: CfnTemplate;
  /** Templates from a cloud assembly: what the assembly records about the template at synthesis. */
  readonly synthesis?: SynthesisRecord;
  /** For nested stacks: the parameters as the parent passes them, resolved in the parent. */
  readonly parent?: { readonly stack: StackModel; readonly parameters: Readonly<Record<string, unknown>> };
}

/**
 * Parameter types whose `Ref` is a list: `List<...>`, `CommaDelimitedList` and their SSM forms (CloudFormation User
 * Guide, "Parameters template section syntax": a CommaDelimitedList is "an array of literal strings that are
 * separated by commas", each member space-trimmed).
 */
export function isListParameterType(type: string | undefined): boolean {
  return type !== undefined && (type.includes('List<') || type.includes('CommaDelimitedList'));
}

/** One template of a tenant, with intrinsic resolution. */
export class StackModel {
  readonly name: string;
  readonly file: string;
  readonly template: CfnTemplate;
  readonly synthesis?: SynthesisRecord;
  readonly resources = new Map<string, ResourceRef>();
  private readonly ownProblems: { resource: string; message: string }[] = [];
  private parent?: StackModelInput['parent'];
  /** The nested stacks bound to this stack's AWS::CloudFormation::Stack resources, by logical id. */
  private readonly nested = new Map<string, StackModel>();
  private readonly conditionCache = new Map<string, boolean | undefined>();
  private readonly refVals = new Map<ResourceRef, Val[]>();

  constructor(
    readonly tenant: TenantModel,
    input: StackModelInput,
  ) {
    this.name = input.name;
    this.file = input.file;
    this.template = input.template;
    this.synthesis = input.synthesis;
    this.parent = input.parent;
    const resources = input.template.Resources ?? {};
    for (const id in resources) {
      const raw = resources[id]!;
      if (id.startsWith('Fn::ForEach::') || raw === null || typeof raw !== 'object' || typeof raw.Type !== 'string') {
        this.ownProblems.push({
          resource: id,
          message: `resource ${id} is not a plain resource (a Fn::ForEach loop or an unexpanded module), so it cannot be verified`,
        });
        continue;
      }
      const props =
        raw.Properties && typeof raw.Properties === 'object' && !Array.isArray(raw.Properties) ? raw.Properties : {};
      this.resources.set(id, { stack: this, id, type: raw.Type, props, raw });
    }
  }

  /** Binds a nested stack's parameters to the values its parent passes. */
  bindParent(parent: StackModelInput['parent']): void {
    this.parent = parent;
  }

  /** Records the template of the nested stack this stack's AWS::CloudFormation::Stack `logicalId` deploys. */
  bindChild(logicalId: string, child: StackModel): void {
    this.nested.set(logicalId, child);
  }

  /** The nested stack bound to an AWS::CloudFormation::Stack resource of this stack, if its template was read. */
  nestedStack(logicalId: string): StackModel | undefined {
    return this.nested.get(logicalId);
  }

  /**
   * Problems found while building the model: Fn::ForEach loops that are not expanded, and nested stacks whose
   * template was not read (what they deploy, and every output the parent reads from them, is unseen).
   */
  get modelProblems(): readonly { resource: string; message: string }[] {
    let out: { resource: string; message: string }[] | undefined;
    for (const r of this.tenant.ofType('AWS::CloudFormation::Stack')) {
      if (r.stack !== this || this.nested.has(r.id)) continue;
      (out ??= [...this.ownProblems]).push({
        resource: r.id,
        message:
          `nested stack ${r.id}: its template was not read, so nothing it deploys and no output the parent reads from ` +
          'it can be verified (verify the cloud assembly, or give TemplateURL as a local file path as `aws cloudformation package` takes it)',
      });
    }
    return out ?? this.ownProblems;
  }

  get parameters(): Record<string, { Type?: string; Default?: unknown; AllowedValues?: readonly unknown[] }> {
    return (this.template.Parameters ?? {});
  }

  /** Every value a node may take. */
  resolve(node: RawNode, depth = 0): Val[] {
    if (depth > MAX_DEPTH) return [{ k: 'ext', kind: 'unsupported', what: 'a value nested too deeply to follow' }];
    if (node === undefined) return ABSENT_ONLY as Val[];
    if (node === null || typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
      if (typeof node === 'string' && node.startsWith('{{resolve:')) {
        return [{ k: 'ext', kind: 'dynamic-reference', what: `dynamic reference ${node}`, name: node }];
      }
      return [{ k: 'lit', v: node }];
    }
    if (Array.isArray(node)) {
      return [{ k: 'ext', kind: 'unsupported', what: 'a list where a single value was expected' }];
    }
    const obj = node as Record<string, unknown>;
    const fn = onlyKey(obj);
    if (fn === undefined) return [{ k: 'ext', kind: 'unsupported', what: 'an object where a single value was expected' }];
    const arg = obj[fn];
    switch (fn) {
      case 'Ref': {
        const v = this.ref(arg, depth);
        return Array.isArray(v) ? v : [v];
      }
      case 'Fn::GetAtt':
        return this.getAtt(arg, depth);
      case 'Fn::Sub':
        return this.sub(arg, depth);
      case 'Fn::Join':
        return this.join(arg, depth);
      case 'Fn::If':
        return this.ifValues(arg, (n) => this.resolve(n, depth + 1));
      case 'Fn::ImportValue':
        return this.importValue(arg, depth);
      case 'Fn::FindInMap':
        return this.findInMap(arg, depth);
      case 'Fn::Select':
        return this.select(arg, depth);
      case 'Fn::Base64':
        return this.resolve(arg, depth + 1);
      case 'Fn::GetAZs':
        return [{ k: 'ext', kind: 'azs', what: 'Fn::GetAZs' }];
      case 'Fn::ToJsonString':
        return [{ k: 'ext', kind: 'unsupported', what: 'Fn::ToJsonString' }];
      default:
        if (fn.startsWith('Fn::') || fn === 'Condition') {
          return [{ k: 'ext', kind: 'unsupported', what: `${fn} (not followed by the verifier)` }];
        }
        return [{ k: 'ext', kind: 'unsupported', what: 'an object where a single value was expected' }];
    }
  }

  /**
   * The raw alternatives of a structured node (object or list) after expanding Fn::If, e.g. a list of
   * security group ids wrapped in Fn::If. Scalars come back as they are; AWS::NoValue disappears.
   */
  alternatives(node: RawNode, depth = 0): RawNode[] {
    if (depth > MAX_DEPTH) return [node];
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      const obj = node as Record<string, unknown>;
      const fn = onlyKey(obj);
      if (fn === 'Fn::If') return this.ifValues(obj['Fn::If'], (n) => this.alternatives(n, depth + 1));
      if (fn === 'Ref' && obj.Ref === 'AWS::NoValue') return [];
    }
    return [node];
  }

  /** Elements of a list node (each element's raw alternatives flattened); a non-list is one element. */
  elements(node: RawNode): RawNode[] {
    const out: RawNode[] = [];
    for (const alt of this.alternatives(node)) {
      if (Array.isArray(alt)) for (const el of alt) out.push(...this.alternatives(el));
      else if (alt !== undefined) out.push(alt);
    }
    return out;
  }

  /** Every value a property path may take, e.g. `['EncryptionAtRestOptions', 'KmsKeyId']`. */
  valuesAt(root: RawNode, path: readonly string[]): Val[] {
    // Fast path: plain objects all the way down (no Fn::If, no Ref in between), one node and no lists to build.
    let node: RawNode = root;
    let i = 0;
    for (; i < path.length; i++) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) {
        node = undefined;
        continue;
      }
      const fn = onlyKey(node as Record<string, unknown>);
      if (fn === 'Fn::If' || fn === 'Ref') break;
      node = (node as Record<string, unknown>)[path[i]!];
    }
    if (i === path.length) return this.resolve(node);
    let nodes: RawNode[] = [node];
    for (const key of path.slice(i)) {
      const next: RawNode[] = [];
      for (const n of nodes) {
        for (const alt of this.alternatives(n)) {
          if (alt && typeof alt === 'object' && !Array.isArray(alt)) next.push((alt as Record<string, unknown>)[key]);
          else next.push(undefined);
        }
      }
      nodes = next;
    }
    return nodes.flatMap((n) => this.resolve(n));
  }

  /** Raw alternatives at a property path (objects or lists, after Fn::If). */
  nodesAt(root: RawNode, path: readonly string[]): RawNode[] {
    let nodes: RawNode[] = [root];
    for (const key of path) {
      const next: RawNode[] = [];
      for (const n of nodes) {
        for (const alt of this.alternatives(n)) {
          if (alt && typeof alt === 'object' && !Array.isArray(alt)) {
            const v = (alt as Record<string, unknown>)[key];
            if (v !== undefined) next.push(...this.alternatives(v));
          }
        }
      }
      nodes = next;
    }
    return nodes;
  }

  /** Evaluates a named condition; undefined when it depends on something unknown. */
  condition(name: string, depth = 0): boolean | undefined {
    if (this.conditionCache.has(name)) return this.conditionCache.get(name);
    this.conditionCache.set(name, undefined); // guards cycles
    const def = this.template.Conditions?.[name];
    const value = def === undefined ? undefined : this.evalCondition(def, depth + 1);
    this.conditionCache.set(name, value);
    return value;
  }

  private evalCondition(node: unknown, depth: number): boolean | undefined {
    if (depth > MAX_DEPTH || !node || typeof node !== 'object' || Array.isArray(node)) {
      return typeof node === 'boolean' ? node : undefined;
    }
    const [fn, arg] = Object.entries(node as Record<string, unknown>)[0] ?? [];
    const args = Array.isArray(arg) ? arg : [];
    switch (fn) {
      case 'Condition':
        return typeof arg === 'string' ? this.condition(arg, depth) : undefined;
      case 'Fn::Not': {
        const v = this.evalCondition(args[0], depth + 1);
        return v === undefined ? undefined : !v;
      }
      case 'Fn::And': {
        const vs = args.map((a) => this.evalCondition(a, depth + 1));
        if (vs.includes(false)) return false;
        return vs.every((v) => v === true) ? true : undefined;
      }
      case 'Fn::Or': {
        const vs = args.map((a) => this.evalCondition(a, depth + 1));
        if (vs.includes(true)) return true;
        return vs.every((v) => v === false) ? false : undefined;
      }
      case 'Fn::Equals': {
        const a = this.resolve(args[0], depth + 1);
        const b = this.resolve(args[1], depth + 1);
        if (a.length !== 1 || b.length !== 1) return undefined;
        const [x, y] = [a[0]!, b[0]!];
        if (x.k === 'lit' && y.k === 'lit') return String(x.v) === String(y.v);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private ifValues<T>(arg: unknown, each: (n: unknown) => T[]): T[] {
    if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') {
      return each({ 'Fn::Unsupported': 'malformed Fn::If' });
    }
    const cond = this.condition(arg[0]);
    if (cond === true) return each(arg[1]);
    if (cond === false) return each(arg[2]);
    return [...each(arg[1]), ...each(arg[2])];
  }

  private ref(arg: unknown, depth: number): Val | Val[] {
    if (typeof arg !== 'string') return { k: 'ext', kind: 'unsupported', what: 'a Ref to a computed name' };
    const resource = this.resources.get(arg);
    if (resource) return this.refOf(resource);
    if (arg.startsWith('AWS::')) return this.pseudo(arg);
    const param = this.parameters[arg];
    if (param) return this.param(arg, param, depth);
    return { k: 'ext', kind: 'missing-resource', what: `Ref ${arg} (not defined in the template)`, name: arg };
  }

  /** `Ref` of a resource: one shared answer per resource (references are everywhere; callers only read). */
  private refOf(resource: ResourceRef): Val[] {
    let vals = this.refVals.get(resource);
    if (!vals) {
      vals = [{ k: 'res', r: resource }];
      this.refVals.set(resource, vals);
    }
    return vals;
  }

  private pseudo(name: string): Val {
    const t = this.tenant;
    switch (name) {
      case 'AWS::NoValue':
        return { k: 'absent' };
      case 'AWS::Region':
        return t.region ? { k: 'lit', v: t.region } : { k: 'pseudo', name };
      case 'AWS::Partition':
        return t.partition ? { k: 'lit', v: t.partition } : { k: 'pseudo', name };
      case 'AWS::URLSuffix':
        return t.partition === 'aws-cn' ? { k: 'lit', v: 'amazonaws.com.cn' } : { k: 'lit', v: 'amazonaws.com' };
      default:
        // AWS::AccountId stays symbolic: it always means the tenant's own account.
        return { k: 'pseudo', name };
    }
  }

  private param(name: string, def: { Type?: string; AllowedValues?: readonly unknown[] }, depth: number): Val[] {
    if (this.parent && name in this.parent.parameters) {
      return this.parent.stack.resolve(this.parent.parameters[name], depth + 1);
    }
    const type = def.Type ?? 'String';
    if (Array.isArray(def.AllowedValues) && def.AllowedValues.length > 0 && !type.startsWith('AWS::SSM')) {
      return def.AllowedValues.slice(0, MAX_ALTERNATIVES).map((v) =>
        v === null || ['string', 'number', 'boolean'].includes(typeof v)
          ? ({ k: 'lit', v: v as string | number | boolean | null })
          : ({ k: 'ext', kind: 'param', what: `parameter ${name}`, name }),
      );
    }
    return [{ k: 'ext', kind: 'param', what: `parameter ${name} (${type})`, name }];
  }

  private getAtt(arg: unknown, depth: number): Val[] {
    let id: unknown;
    let attr: unknown;
    if (typeof arg === 'string') [id, attr] = [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)];
    else if (Array.isArray(arg)) [id, attr] = arg as unknown[];
    if (typeof id !== 'string') return [{ k: 'ext', kind: 'unsupported', what: 'a malformed Fn::GetAtt' }];
    const resource = this.resources.get(id);
    if (!resource) return [{ k: 'ext', kind: 'missing-resource', what: `Fn::GetAtt ${id} (not defined in the template)` }];
    if (typeof attr === 'string' && resource.type === 'AWS::CloudFormation::Stack' && attr.startsWith('Outputs.')) {
      return this.nestedOutput(resource, attr.slice('Outputs.'.length), depth);
    }
    if (typeof attr !== 'string') {
      const attrs = this.resolve(attr, depth + 1);
      const name = attrs.length === 1 ? litString(attrs[0]!) : undefined;
      return [{ k: 'res', r: resource, attr: name ?? '?' }];
    }
    return [{ k: 'res', r: resource, attr }];
  }

  /**
   * `Fn::GetAtt [<nested stack>, Outputs.<Name>]`: the value of that output of the nested template, resolved in the
   * nested stack (whose parameters are bound to what this stack passes). CloudFormation User Guide,
   * "AWS::CloudFormation::Stack": "use the GetAtt function with the nested stack's logical name and the name of the
   * output value in the nested stack in the format Outputs.NestedStackOutputName". A nested stack whose template
   * was not read, or an output it does not declare, cannot be followed.
   */
  private nestedOutput(resource: ResourceRef, name: string, depth: number): Val[] {
    const child = this.nested.get(resource.id);
    const what = `Fn::GetAtt ${resource.id}.Outputs.${name}`;
    if (!child) {
      return [{ k: 'ext', kind: 'nested-output', what: `${what} (an output of a nested stack whose template was not read)`, name }];
    }
    const output = child.template.Outputs?.[name];
    if (!output || typeof output !== 'object') {
      return [{ k: 'ext', kind: 'missing-resource', what: `${what} (the nested template ${child.name} declares no output ${name})`, name }];
    }
    return child.resolve(output.Value, depth + 1);
  }

  private sub(arg: unknown, depth: number): Val[] {
    let text: unknown = arg;
    let vars: Record<string, unknown> = {};
    if (Array.isArray(arg)) {
      text = arg[0];
      if (arg[1] && typeof arg[1] === 'object' && !Array.isArray(arg[1])) vars = arg[1] as Record<string, unknown>;
    }
    if (typeof text !== 'string') return [{ k: 'ext', kind: 'unsupported', what: 'Fn::Sub with a computed string' }];
    // Split into literal text and ${...} placeholders; ${!x} is a literal ${x}.
    const segments: (string | { name: string })[] = [];
    let i = 0;
    while (i < text.length) {
      const start = text.indexOf('${', i);
      if (start < 0) {
        segments.push(text.slice(i));
        break;
      }
      const end = text.indexOf('}', start);
      if (end < 0) {
        segments.push(text.slice(i));
        break;
      }
      segments.push(text.slice(i, start));
      const name = text.slice(start + 2, end);
      if (name.startsWith('!')) segments.push(`\${${name.slice(1)}}`);
      else segments.push({ name: name.trim() });
      i = end + 1;
    }
    let combos: Piece[][] = [[]];
    for (const seg of segments) {
      let options: Piece[][];
      if (typeof seg === 'string') options = [[seg]];
      else {
        let vals: Val[];
        if (seg.name in vars) vals = this.resolve(vars[seg.name], depth + 1);
        else if (seg.name.includes('.') && !seg.name.startsWith('AWS::')) {
          const dot = seg.name.indexOf('.');
          vals = this.getAtt([seg.name.slice(0, dot), seg.name.slice(dot + 1)], depth + 1);
        } else vals = [this.ref(seg.name, depth + 1)].flat();
        options = vals.map((v) => piecesOf(v) ?? ['']);
      }
      const next: Piece[][] = [];
      for (const c of combos) for (const o of options) next.push([...c, ...o]);
      combos = next.slice(0, MAX_ALTERNATIVES);
    }
    return combos.map(normalizeParts);
  }

  private join(arg: unknown, depth: number): Val[] {
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') {
      return [{ k: 'ext', kind: 'unsupported', what: 'a malformed Fn::Join' }];
    }
    const delimiter = arg[0];
    const lists = this.listValues(arg[1], depth);
    return lists.slice(0, MAX_ALTERNATIVES).map((items) => {
      const parts: Piece[] = [];
      items.forEach((item, idx) => {
        if (idx > 0) parts.push(delimiter);
        parts.push(...(piecesOf(item) ?? []));
      });
      return normalizeParts(parts);
    });
  }

  /**
   * Every single value of a property that takes a list or one value (security groups, subnets, principals): the
   * elements of every list the node may be, or the values of a scalar node.
   */
  flatValues(node: RawNode): Val[] {
    if (!this.isListNode(node)) return this.resolve(node);
    const out: Val[] = [];
    for (const alt of this.alternatives(node)) {
      if (this.isListNode(alt)) for (const list of this.listValues(alt)) out.push(...list);
      else out.push(...this.resolve(alt));
    }
    return out;
  }

  /** Whether a node is a list: a literal list, a list parameter, Fn::Split, Fn::GetAZs (or Fn::If over them). */
  private isListNode(node: RawNode): boolean {
    if (Array.isArray(node)) return true;
    if (node === null || typeof node !== 'object') return false;
    const obj = node as Record<string, unknown>;
    const fn = onlyKey(obj);
    if (fn === 'Fn::If' || fn === 'Fn::Split' || fn === 'Fn::GetAZs') return true;
    if (fn !== 'Ref' || typeof obj.Ref !== 'string' || this.resources.has(obj.Ref)) return false;
    return isListParameterType(this.parameters[obj.Ref]?.Type);
  }

  /** The possible lists a list node may evaluate to, each a list of single values. */
  listValues(node: RawNode, depth = 0): Val[][] {
    const out: Val[][] = [];
    for (const alt of this.alternatives(node, depth)) {
      if (Array.isArray(alt)) {
        const single = this.singleValuedList(alt, depth);
        if (single) {
          out.push(single);
          continue;
        }
        let combos: Val[][] = [[]];
        for (const el of alt) {
          const els = this.alternatives(el, depth + 1);
          const options: Val[] = els.flatMap((e) => this.resolve(e, depth + 1)).filter((v) => v.k !== 'absent');
          if (els.length === 0) continue;
          const next: Val[][] = [];
          for (const c of combos) for (const o of options) next.push([...c, o]);
          combos = next.slice(0, MAX_ALTERNATIVES);
        }
        out.push(...combos);
      } else out.push(...this.computedList(alt, depth));
    }
    return out;
  }

  /**
   * A list that is not written out: a list parameter (bound to what a parent stack passes, which CloudFormation
   * only takes as a comma-joined string), `Fn::Split`, `Fn::GetAZs`. What cannot be followed is one value that
   * stands for the whole list (`list: true`).
   */
  private computedList(node: RawNode, depth: number): Val[][] {
    if (depth > MAX_DEPTH) return [[{ k: 'ext', kind: 'unsupported', what: 'a list nested too deeply to follow', list: true }]];
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      const obj = node as Record<string, unknown>;
      const fn = onlyKey(obj);
      if (fn === 'Ref' && typeof obj.Ref === 'string' && !this.resources.has(obj.Ref)) {
        const def = this.parameters[obj.Ref];
        if (def && isListParameterType(def.Type)) return this.listParameter(obj.Ref, def.Type!, depth);
      } else if (fn === 'Fn::Split') {
        const arg = obj['Fn::Split'];
        if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || arg[0] === '') {
          return [[{ k: 'ext', kind: 'unsupported', what: 'a malformed Fn::Split', list: true }]];
        }
        const delimiter = arg[0];
        return this.resolve(arg[1], depth + 1).slice(0, MAX_ALTERNATIVES).map((v) => splitValue(v, delimiter, false));
      } else if (fn === 'Fn::GetAZs') {
        return [[{ k: 'ext', kind: 'azs', what: 'Fn::GetAZs', list: true }]];
      }
    }
    return [[{ k: 'ext', kind: 'unsupported', what: 'a computed list (a list attribute or a function the verifier does not follow)', list: true }]];
  }

  /** The lists a list parameter may be: what the parent passes (split at commas), else unknown. */
  private listParameter(name: string, type: string, depth: number): Val[][] {
    if (this.parent && name in this.parent.parameters && !type.startsWith('AWS::SSM')) {
      return this.parent.stack
        .resolve(this.parent.parameters[name], depth + 1)
        .slice(0, MAX_ALTERNATIVES)
        .map((v) => splitValue(v, ',', true));
    }
    return [[{ k: 'ext', kind: 'param', what: `parameter ${name} (${type})`, name, list: true }]];
  }

  /**
   * The common case of listValues: every element takes exactly one value (no Fn::If, no parameter with
   * AllowedValues), so there is one list and no combinations to build. Undefined when that does not hold.
   */
  private singleValuedList(list: readonly unknown[], depth: number): Val[] | undefined {
    const out: Val[] = [];
    for (const el of list) {
      if (el !== null && typeof el === 'object' && !Array.isArray(el)) {
        const fn = onlyKey(el as Record<string, unknown>);
        if (fn === 'Fn::If') return undefined;
        if (fn === 'Ref' && (el as Record<string, unknown>).Ref === 'AWS::NoValue') continue;
      }
      const vals = this.resolve(el, depth + 1);
      if (vals.length !== 1) return undefined;
      if (vals[0]!.k !== 'absent') out.push(vals[0]!);
    }
    return out;
  }

  private importValue(arg: unknown, depth: number): Val[] {
    const names = this.resolve(arg, depth + 1);
    return names.flatMap((n): Val[] => {
      const name = litString(n);
      if (name === undefined) {
        return [{ k: 'ext', kind: 'import', what: `Fn::ImportValue of a computed name ${describe(n)}` }];
      }
      const exported = this.tenant.findExport(name);
      if (exported) return exported.stack.resolve(exported.value, depth + 1);
      return [{ k: 'ext', kind: 'import', what: `Fn::ImportValue ${name} (exported outside the tenant)`, name }];
    });
  }

  private findInMap(arg: unknown, depth: number): Val[] {
    if (!Array.isArray(arg) || arg.length < 3) return [{ k: 'ext', kind: 'unsupported', what: 'a malformed Fn::FindInMap' }];
    const mapNames = this.resolve(arg[0], depth + 1).map(litString);
    const out: Val[] = [];
    for (const mapName of mapNames) {
      const map = mapName === undefined ? undefined : this.template.Mappings?.[mapName];
      if (!map) {
        out.push({ k: 'ext', kind: 'unsupported', what: `Fn::FindInMap on an unknown map ${String(mapName)}` });
        continue;
      }
      const firstKeys = this.resolve(arg[1], depth + 1).map(litString);
      const secondKeys = this.resolve(arg[2], depth + 1).map(litString);
      const tops = firstKeys.some((k) => k === undefined)
        ? Object.values(map)
        : firstKeys.map((k) => map[k!]).filter((x) => x !== undefined);
      for (const top of tops) {
        if (!top || typeof top !== 'object') continue;
        const leaves = secondKeys.some((k) => k === undefined)
          ? Object.values(top)
          : secondKeys.map((k) => (top)[k!]);
        for (const leaf of leaves) out.push(...this.resolve(leaf, depth + 1));
      }
    }
    return out.length > 0 ? out.slice(0, MAX_ALTERNATIVES) : [{ k: 'ext', kind: 'unsupported', what: 'Fn::FindInMap with no matching entry' }];
  }

  private select(arg: unknown, depth: number): Val[] {
    if (!Array.isArray(arg) || arg.length !== 2) return [{ k: 'ext', kind: 'unsupported', what: 'a malformed Fn::Select' }];
    const indexes = this.resolve(arg[0], depth + 1);
    const lists = this.listValues(arg[1], depth + 1);
    const out: Val[] = [];
    for (const list of lists) {
      for (const idx of indexes) {
        const i = idx.k === 'lit' ? Number(idx.v) : NaN;
        if (Number.isInteger(i) && list.length > 0 && !list.some((v) => v.k === 'ext' && v.list)) {
          const v = list[i];
          out.push(v ?? { k: 'ext', kind: 'unsupported', what: `Fn::Select index ${i} out of range` });
        } else out.push(...(list.length ? list : [{ k: 'ext', kind: 'unsupported', what: 'Fn::Select of a computed list' } as Val]));
      }
    }
    return out.slice(0, MAX_ALTERNATIVES);
  }
}

export interface TenantModelInput {
  readonly id: string;
  readonly account?: string;
  readonly region?: string;
  readonly partition?: string;
  /** The level the templates or the user say the licence promises. */
  readonly declared?: IsolationLevel;
  readonly compliance?: readonly string[];
  /** Where the account came from, for evidence: `cloud assembly environment`, `template metadata`, `--account`. */
  readonly accountSource?: string;
  /** The paths into the tenant its manifest declares (template metadata `access`). @default - none */
  readonly access?: readonly DeclaredAccess[];
  readonly stacks: readonly StackModelInput[];
}

/** An output one of the tenant's stacks exports. */
export interface TenantExport {
  readonly name: string;
  readonly stack: StackModel;
  /** The output's logical id. */
  readonly output: string;
  readonly value: unknown;
}

/** All templates of one tenant. */
export class TenantModel {
  readonly id: string;
  readonly account?: string;
  readonly region?: string;
  readonly partition?: string;
  readonly declared?: IsolationLevel;
  readonly compliance: readonly string[];
  readonly accountSource?: string;
  /** The declared paths into the tenant (docs/access.md); none for a template that declares none. */
  readonly access: readonly DeclaredAccess[];
  readonly stacks: StackModel[];
  private readonly exports = new Map<string, TenantExport>();
  private readonly memo = new Map<string, unknown>();
  private readonly retainedFacts = new Set<string>();
  private byType?: Map<string, ResourceRef[]>;

  constructor(input: TenantModelInput) {
    this.id = input.id;
    this.account = input.account;
    this.region = input.region;
    this.partition = input.partition ?? (input.region ? partitionOfRegion(input.region) : undefined);
    this.declared = input.declared;
    this.compliance = input.compliance ?? [];
    this.accountSource = input.accountSource;
    this.access = input.access ?? [];
    this.stacks = input.stacks.map((s) => new StackModel(this, s));
    for (const stack of this.stacks) {
      const outputs = stack.template.Outputs ?? {};
      for (const output in outputs) {
        const o = outputs[output];
        if (!o || typeof o !== 'object' || !o.Export) continue;
        const names = stack.resolve(o.Export.Name).map(litString);
        for (const name of names) if (name !== undefined) this.exports.set(name, { name, stack, output, value: o.Value });
      }
    }
  }

  /** Binds nested stacks to their parents (by the parent's AWS::CloudFormation::Stack resource). */
  bindNested(nested: StackModel, parentName: string, logicalId: string): void {
    const parent = this.stacks.find((s) => s.name === parentName);
    const resource = parent?.resources.get(logicalId);
    if (!parent || !resource) return;
    const params = resource.props.Parameters;
    parent.bindChild(logicalId, nested);
    nested.bindParent({
      stack: parent,
      parameters: params && typeof params === 'object' ? (params as Record<string, unknown>) : {},
    });
  }

  findExport(name: string): TenantExport | undefined {
    return this.exports.get(name);
  }

  /** Every value the tenant's stacks export (by literal name). */
  exported(): IterableIterator<TenantExport> {
    return this.exports.values();
  }

  private all?: readonly ResourceRef[];

  /** Every resource of every stack. */
  resources(): readonly ResourceRef[] {
    if (!this.all) {
      const all: ResourceRef[] = [];
      for (const stack of this.stacks) for (const r of stack.resources.values()) all.push(r);
      this.all = all;
    }
    return this.all;
  }

  ofType(...types: string[]): ResourceRef[] {
    if (!this.byType) {
      this.byType = new Map();
      for (const r of this.resources()) {
        const list = this.byType.get(r.type);
        if (list) list.push(r);
        else this.byType.set(r.type, [r]);
      }
    }
    if (types.length === 1) return this.byType.get(types[0]!) ?? [];
    return types.flatMap((t) => this.byType!.get(t) ?? []);
  }

  /**
   * Memoizes a derived fact (shared by several rules) on this tenant. A fact the fleet rules read after every
   * tenant's own checks is `retained`; the others go with `releaseFacts()`.
   */
  cached<T>(key: string, compute: () => T, options: { readonly retained?: boolean } = {}): T {
    let value = this.memo.get(key) as T | undefined;
    if (value === undefined && !this.memo.has(key)) {
      value = compute();
      this.memo.set(key, value);
      if (options.retained) this.retainedFacts.add(key);
    }
    return value as T;
  }

  /**
   * Drops the facts only this tenant's own checks use, once they have run: on a large fleet they would otherwise
   * stay in memory (and in every garbage collection) until the last tenant is done. Dropped facts are recomputed
   * if asked for again.
   */
  releaseFacts(): void {
    for (const key of [...this.memo.keys()]) if (!this.retainedFacts.has(key)) this.memo.delete(key);
  }
}

export function partitionOfRegion(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}
