/**
 * Renders a GuardReport as text (one line per finding, then a summary line) or JSON.
 */
import type { GuardFinding, GuardReport } from './compare';

/** Version of the JSON output shape; bumped on any incompatible change. */
export const GUARD_JSON_VERSION = 1;

export function renderGuardText(report: GuardReport): string {
  const lines: string[] = [];
  for (const st of report.stacks) {
    if (st.status !== 'compared' || st.pairedBy === 'name') continue;
    const why = st.pairedBy === 'single-stack' ? 'each side holds one stack' : `--stack ${st.stack}=${st.candidateStack ?? st.stack}`;
    lines.push(
      `note: baseline stack ${st.stack} (${st.baselineFile}) compared with candidate stack ${st.candidateStack ?? st.stack} (${st.candidateFile}): ${why}`,
    );
  }
  for (const f of report.findings) lines.push(findingLine(f));
  for (const u of report.updates) {
    lines.push(
      `ok   update          ${u.stack}/${u.logicalId} (${u.type}): updated in place: ${u.properties.join(', ')}`,
    );
    for (const note of u.notes ?? []) lines.push(`       note: ${note}`);
  }
  for (const a of report.additions) lines.push(`ok   add             ${a.stack}/${a.logicalId} (${a.type}): added`);
  for (const a of report.unusedAllow) lines.push(`note: --allow ${a} matched no finding`);
  const s = report.summary;
  const scope =
    `${count(s.stacksCompared, 'stack')} compared, ${s.stacksAdded} added, ${s.stacksRemoved} removed; ` +
    `${count(s.statefulResources, 'stateful resource')} in the baseline, ${s.inPlaceUpdates} updated in place, ` +
    `${s.additions} added` +
    (s.acknowledged ? `; ${s.acknowledged} acknowledged` : '');
  lines.push(
    report.passed
      ? `guard: passed: no stateful resource is replaced or removed (${scope})`
      : `guard: FAILED: ${count(s.errors, 'finding')} on stateful resources (${scope})`,
  );
  return `${lines.join('\n')}\n`;
}

function findingLine(f: GuardFinding): string {
  const status = f.severity === 'error' ? 'FAIL' : 'ACK ';
  return `${status} ${f.kind.padEnd(15)} ${f.stack}/${f.logicalId} (${f.type}): ${f.message}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function renderGuardJson(report: GuardReport): string {
  return `${JSON.stringify({ tool: 'exclusive-desk guard', version: GUARD_JSON_VERSION, ...report }, null, 2)}\n`;
}
