/**
 * Renders verification results for machines and people: JSON, text, SARIF 2.1.0 and JUnit XML. Pure functions
 * of the results; the CLI writes them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InputError } from '../assembly/read';
import type { TenantVerdict } from '../isolation/engine';
import type { Finding, IsolationRule } from '../isolation/rule';
import { RULES } from '../isolation/rules';
import { TOOL_NAME, TOOL_VERSION, TOOL_URI } from '../version';

export interface VerifyResult {
  readonly tenants: readonly TenantVerdict[];
  readonly errors: readonly InputError[];
  /** Whether the results come from templates or from the live account. */
  readonly source: 'template' | 'live';
}

export const FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * Tenants worst first: failing before passing, more errors first, then by id in code-point order. Not
 * `localeCompare`: the order must not depend on the machine's locale, and the first `localeCompare` of a process
 * loads ICU's collation data (about 0.1 s, a cost a one-tenant run never pays: docs/performance.md).
 */
export function worstFirst(tenants: readonly TenantVerdict[]): TenantVerdict[] {
  const errors = new Map(tenants.map((t) => [t, t.findings.filter((f) => f.severity === 'error').length]));
  return [...tenants].sort(
    (a, b) =>
      Number(b.verdict === 'fail') - Number(a.verdict === 'fail') ||
      errors.get(b)! - errors.get(a)! ||
      (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0),
  );
}

function findingJson(f: Finding): Record<string, unknown> {
  return {
    rule: f.rule,
    severity: f.severity,
    resource: f.resource,
    path: f.path,
    message: f.message,
    remediation: f.remediation,
    stack: f.stack,
    kind: f.kind,
    value: f.value,
  };
}

export function toJson(result: VerifyResult): string {
  return `${JSON.stringify(
    {
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      source: result.source,
      tenants: result.tenants.map((t) => ({
        tenant: t.tenant,
        account: t.account ?? null,
        required: t.required,
        achieved: t.achieved,
        verdict: t.verdict,
        findings: t.findings.map(findingJson),
        stacks: t.stacks.map((s) => s.name),
      })),
      errors: result.errors.map((e) => ({ file: e.file, message: e.message })),
    },
    null,
    2,
  )}\n`;
}

export function toText(result: VerifyResult, options: { color?: boolean } = {}): string {
  const c = (code: string, s: string): string => (options.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  for (const t of worstFirst(result.tenants)) {
    const head = t.verdict === 'pass' ? c('32', 'PASS') : c('31', 'FAIL');
    lines.push(
      `${head} ${t.tenant}  account ${t.account ?? 'unknown'}  required ${t.required}  achieved ${t.achieved}` +
        `  (${t.findings.filter((f) => f.severity === 'error').length} errors, ${t.findings.filter((f) => f.severity === 'warning').length} warnings)`,
    );
    for (const f of t.findings) {
      const sev = f.severity === 'error' ? c('31', 'error  ') : c('33', 'warning');
      lines.push(`  ${sev} ${f.rule.padEnd(12)} ${f.stack ? `${f.stack}/` : ''}${f.resource} ${f.path}: ${f.message}`);
    }
  }
  for (const e of result.errors) lines.push(`${c('31', 'INPUT')} ${e.file}: ${e.message}`);
  const failed = result.tenants.filter((t) => t.verdict === 'fail').length;
  lines.push(
    `${result.tenants.length} tenant${result.tenants.length === 1 ? '' : 's'} verified (${result.source}): ` +
      `${result.tenants.length - failed} pass, ${failed} fail` +
      (result.errors.length ? `; ${result.errors.length} input error${result.errors.length === 1 ? '' : 's'}` : ''),
  );
  return `${lines.join('\n')}\n`;
}

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // XML 1.0 forbids most control characters.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function toJunit(result: VerifyResult): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const t of result.tenants) {
    const cases: string[] = [];
    let suiteFailures = 0;
    let suiteSkipped = 0;
    const level = t.verdict === 'fail' && !levelMet(t);
    cases.push(
      `    <testcase classname="${xml(t.tenant)}" name="isolation level: required ${t.required}, achieved ${t.achieved}">` +
        (level ? `\n      <failure message="${xml(`achieved ${t.achieved} is below the required ${t.required}`)}" type="level"/>\n    ` : '') +
        `</testcase>`,
    );
    if (level) suiteFailures++;
    for (const r of t.results) {
      const name = xml(`${r.rule.id} ${r.rule.title}`);
      const counted = r.counts ? r.findings : [];
      const errs = counted.filter((f) => f.severity === 'error');
      const warns = counted.filter((f) => f.severity === 'warning');
      let body = '';
      if (errs.length > 0) {
        suiteFailures++;
        body += `\n      <failure message="${xml(errs[0]!.message)}" type="${errs[0]!.kind}">${xml(errs.map(findingLine).join('\n'))}</failure>`;
      } else if (!r.counts || r.status === 'not-applicable') {
        suiteSkipped++;
        body += `\n      <skipped message="${xml(r.counts ? 'not applicable: nothing in the input for this rule' : `above the required level ${t.required}`)}"/>`;
      }
      if (warns.length > 0) body += `\n      <system-out>${xml(warns.map(findingLine).join('\n'))}</system-out>`;
      cases.push(`    <testcase classname="${xml(t.tenant)}" name="${name}">${body ? `${body}\n    ` : ''}</testcase>`);
    }
    tests += cases.length;
    failures += suiteFailures;
    skipped += suiteSkipped;
    suites.push(
      `  <testsuite name="${xml(t.tenant)}" tests="${cases.length}" failures="${suiteFailures}" errors="0" skipped="${suiteSkipped}">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  if (result.errors.length > 0) {
    const cases = result.errors.map(
      (e) => `    <testcase classname="input" name="${xml(e.file)}">\n      <error message="${xml(e.message)}" type="input"/>\n    </testcase>`,
    );
    tests += cases.length;
    errors += cases.length;
    suites.push(`  <testsuite name="input" tests="${cases.length}" failures="0" errors="${cases.length}" skipped="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${TOOL_NAME} verify" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}

function levelMet(t: TenantVerdict): boolean {
  const order = ['pooled', 'network', 'account', 'hardware', 'hsm'];
  return order.indexOf(t.achieved) >= order.indexOf(t.required);
}

function findingLine(f: Finding): string {
  return `${f.severity} ${f.rule} ${f.stack ? `${f.stack}/` : ''}${f.resource} ${f.path}: ${f.message} (fix: ${f.remediation})`;
}

/** Finds the line where a logical id is defined in a template file, for SARIF regions. */
function lineOf(file: string, logicalId: string, cache: Map<string, string[]>): number | undefined {
  let lines = cache.get(file);
  if (!lines) {
    try {
      lines = fs.readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    cache.set(file, lines);
  }
  const json = `"${logicalId}"`;
  const idx = lines.findIndex((l) => {
    const t = l.trim();
    return t.startsWith(`${json}:`) || t.startsWith(`${logicalId}:`);
  });
  return idx >= 0 ? idx + 1 : undefined;
}

function sarifRule(r: IsolationRule): Record<string, unknown> {
  return {
    id: r.id,
    name: r.id.replace(/-/g, ''),
    shortDescription: { text: r.title },
    fullDescription: { text: r.rationale },
    help: { text: `${r.remediation}\nControls: ${r.controls.join('; ')}`, markdown: `**Fix:** ${r.remediation}\n\n**Controls:** ${r.controls.join('; ')}` },
    defaultConfiguration: { level: r.severity === 'error' ? 'error' : 'warning' },
    properties: { tags: ['security', 'isolation', r.concern], proves: r.proves ?? null },
  };
}

export function toSarif(result: VerifyResult, options: { baseDir?: string } = {}): string {
  const baseDir = options.baseDir ?? process.cwd();
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  const cache = new Map<string, string[]>();
  const results: Record<string, unknown>[] = [];
  for (const t of result.tenants) {
    const files = new Map(t.stacks.map((s) => [s.name, s.file]));
    for (const f of t.findings) {
      const file = (f.stack && files.get(f.stack)) ?? t.stacks[0]?.file;
      const location: Record<string, unknown> = {
        logicalLocations: [
          { name: f.resource, fullyQualifiedName: `${t.tenant}/${f.stack ?? ''}/${f.resource}`, kind: 'resource' },
        ],
      };
      if (file) {
        const line = lineOf(file, f.resource, cache);
        location.physicalLocation = {
          artifactLocation: { uri: path.relative(baseDir, file).split(path.sep).join('/') },
          ...(line ? { region: { startLine: line } } : {}),
        };
      }
      results.push({
        ruleId: f.rule,
        ruleIndex: ruleIndex.get(f.rule) ?? -1,
        level: f.severity === 'error' ? 'error' : 'warning',
        message: { text: `[${t.tenant}] ${f.message}${f.path && f.path !== '-' ? ` (${f.path})` : ''}. Fix: ${f.remediation}` },
        locations: [location],
        partialFingerprints: { 'exclusiveDesk/v1': `${t.tenant}|${f.rule}|${f.stack ?? ''}|${f.resource}|${f.path}` },
        properties: { tenant: t.tenant, kind: f.kind, value: f.value ?? null, required: t.required, achieved: t.achieved },
      });
    }
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, informationUri: TOOL_URI, rules: RULES.map(sarifRule) } },
        results,
        invocations: [
          {
            executionSuccessful: result.errors.length === 0,
            toolExecutionNotifications: result.errors.map((e) => ({
              level: 'error',
              message: { text: e.message },
              locations: [{ physicalLocation: { artifactLocation: { uri: path.relative(baseDir, e.file).split(path.sep).join('/') } } }],
            })),
          },
        ],
        properties: {
          tenants: result.tenants.map((t) => ({ tenant: t.tenant, required: t.required, achieved: t.achieved, verdict: t.verdict })),
        },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

export function render(format: Format, result: VerifyResult, options: { color?: boolean; baseDir?: string } = {}): string {
  switch (format) {
    case 'json':
      return toJson(result);
    case 'sarif':
      return toSarif(result, options);
    case 'junit':
      return toJunit(result);
    default:
      return toText(result, options);
  }
}
