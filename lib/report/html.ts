/**
 * Renders the evidence pack as ONE self-contained HTML page: inline CSS, inline SVG, no script, and nothing that
 * loads anything (no external font, image, stylesheet or link). A Content-Security-Policy of `default-src 'none'`
 * makes the browser refuse any load the page might still attempt, so it reads the same from a file:// URL on an
 * air-gapped laptop. Pure: a string from the pack.
 */
import { AREA_TITLES, type SharedItem } from './disclosure';
import {
  MAPPING_STATEMENT,
  type ControlSupport,
  type NagEvidence,
  type NagPackResult,
  type RegimeEvidence,
} from './compliance';
import { bannerOf, type EvidenceItem, type EvidencePack, type RuleEvidence, type TenantEvidence } from './evidence';
import { renderBoundarySvg, xml as esc } from './svg';
import type { FleetComparison } from './tenant-pack';

const CSS = `
:root { --red:#b42318; --red-bg:#fef3f2; --green:#067647; --green-bg:#ecfdf3; --amber:#b54708; --amber-bg:#fffaeb;
  --grey:#475467; --line:#d0d5dd; --ink:#101828; --muted:#667085; --blue:#1d4ed8; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; color:var(--ink); background:#fff; }
header.top { padding: 24px 32px 16px; border-bottom: 1px solid var(--line); background:#f8fafc; }
header.top h1 { margin:0 0 4px; font-size: 24px; }
.meta { color: var(--muted); font-size: 13px; }
main { padding: 8px 32px 48px; max-width: 1280px; }
nav.toc { margin: 16px 0; font-size: 13px; }
nav.toc a { margin-right: 14px; white-space: nowrap; }
a { color: var(--blue); }
h2 { margin-top: 40px; padding-top: 12px; border-top: 2px solid var(--ink); font-size: 20px; }
h3 { margin-top: 28px; font-size: 16px; }
h4 { margin: 20px 0 6px; font-size: 14px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
table.shared, table.rules { table-layout: fixed; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f2f4f7; font-weight: 600; }
.id code, code.id { white-space: nowrap; word-break: normal; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace; font-size: 12px; word-break: break-all; }
pre { background:#f2f4f7; border:1px solid var(--line); padding: 10px 12px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
.badge { display:inline-block; max-width: 100%; padding: 1px 8px; border-radius: 10px; font-weight: 700; font-size: 12px; letter-spacing: .02em; white-space: normal; overflow-wrap: anywhere; text-align: center; }
.pass { color: var(--green); background: var(--green-bg); }
.fail, .unverifiable, .expired, .not-supported, .failed { color: var(--red); background: var(--red-bg); }
.warning, .due, .missing { color: var(--amber); background: var(--amber-bg); }
.not-valid { color: var(--red); background: var(--red-bg); }
.not-applicable, .above-level, .not-recorded, .none { color: var(--grey); background: #f2f4f7; }
.valid, .supported, .passed, .passed-with-acknowledgements { color: var(--green); background: var(--green-bg); }
.verdict { font-size: 14px; padding: 3px 12px; }
.banner { margin: 16px 0 0; padding: 10px 14px; border-radius: 6px; font-weight: 600; }
.banner.fail { border: 1px solid var(--red); }
.banner.pass { border: 1px solid var(--green); }
.box { border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
.box.failures { border: 2px solid var(--red); background: var(--red-bg); }
.box.failures h3 { margin-top: 0; color: var(--red); }
.box.notes { border: 1px solid var(--amber); background: var(--amber-bg); }
tr.finding td, li.finding { color: var(--red); }
tr.failing-tenant td { background: var(--red-bg); }
tr.crossing td { background: var(--red-bg); color: var(--red); }
tr.counts-no td { color: var(--muted); }
ul.items { margin: 0; padding-left: 18px; }
ul.items li { margin: 2px 0; }
.why { color: var(--ink); }
li.finding .why, tr.finding .why { color: var(--red); font-weight: 600; }
.fix { color: var(--grey); font-style: italic; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
figure.boundary { margin: 8px 0; overflow-x: auto; }
figure.boundary svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; }
.small { font-size: 12px; color: var(--muted); }

.scope-banner { margin: 12px 0; padding: 10px 14px; border: 2px solid var(--amber); background: var(--amber-bg); border-radius: 6px; }
.scope-banner p { margin: 4px 0; }
.scope-banner .not-proven { color: var(--amber); }
.mapping-note { font-size: 12px; font-style: italic; border-left: 3px solid var(--amber); padding-left: 8px; }
h5 { margin: 14px 0 4px; font-size: 13px; }
`;

/** CSS string literal (CSS Syntax 4.3.5): quotes, backslashes and line breaks escaped. */
function cssString(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&').replace(/[\n\r]/g, ' ')}"`;
}

/**
 * The print stylesheet (CSS Paged Media): page numbers and a running footer naming the scope, the version, the time
 * and a digest of the inputs; headings kept with what follows, table rows unbroken, headers repeated, identifiers
 * wrapped instead of cut. Each tenant starts on a new page; other sections flow.
 */
function printCss(footer: string): string {
  return `
@page { size: A4; margin: 16mm 12mm 18mm;
  @bottom-left { content: ${cssString(footer)}; font: 8px system-ui, sans-serif; color: #475467; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8px system-ui, sans-serif; color: #475467; } }
@media print {
  nav.toc { display: none; }
  body { font-size: 11px; }
  main { padding: 0; max-width: none; }
  header.top { background: none; }
  section.tenant { break-before: page; }
  h2, h3, h4, h5 { break-after: avoid; }
  tr, figure, .badge, .box { break-inside: avoid; }
  thead { display: table-header-group; }
  code, .mono, td { overflow-wrap: anywhere; }
  a { color: inherit; text-decoration: none; }
}
`;
}

const STATUS_LABEL: Record<string, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  unverifiable: 'COULD NOT VERIFY',
  'not-applicable': 'NOT APPLICABLE',
  warning: 'WARNING',
};

function badge(cls: string, label: string, extra = ''): string {
  return `<span class="badge ${esc(cls)}${extra ? ` ${extra}` : ''}">${esc(label)}</span>`;
}

/** Escapes prose and renders its `code spans` as <code>. */
function prose(s: string): string {
  return esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function anchor(id: string): string {
  return `tenant-${id.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function c(s: string | undefined): string {
  return s === undefined || s === '' ? '' : `<code>${esc(s)}</code>`;
}

function verdictBadge(t: TenantEvidence): string {
  if (t.presence === 'missing') return badge('missing', 'NOT VERIFIED', 'verdict');
  return t.verdict === 'pass' ? badge('pass', 'PASS', 'verdict') : badge('fail', 'FAIL', 'verdict');
}

function licenceCell(t: TenantEvidence): string {
  const l = t.licence;
  if (!l.status) return badge('none', 'no licence record');
  const days =
    l.daysLeft === undefined ? '' : l.daysLeft < 0 ? ` (${-l.daysLeft} days ago)` : ` (in ${l.daysLeft} days)`;
  return `${badge(l.status, l.status === 'due' ? 'REVIEW DUE' : l.status.toUpperCase())} <span class="small">review by ${esc(l.reviewBy ?? '')}${esc(days)}</span>`;
}

function itemHtml(i: EvidenceItem, finding: boolean, single: boolean): string {
  const where = `${c(i.stack && !single ? `${i.stack}/${i.resource}` : i.resource)} ${i.path && i.path !== '-' ? c(i.path) : ''}${i.value !== undefined ? ` = ${c(i.value)}` : ''}`;
  const why = `<span class="why">${finding ? `${esc(i.kind === 'unverifiable' ? 'could not verify' : i.severity === 'warning' ? 'warning' : 'fails')}: ` : ''}${esc(i.message)}</span>`;
  const fix = finding && i.remediation ? `<br><span class="fix">Fix: ${esc(i.remediation)}</span>` : '';
  return `<li class="${finding ? 'finding' : 'evidence'}">${where} \u2014 ${why}${fix}</li>`;
}

function ruleRow(r: RuleEvidence, required: string | undefined, prefix: string, single: boolean): string {
  const status = r.counts
    ? badge(r.status, STATUS_LABEL[r.status] ?? r.status)
    : badge('above-level', `ABOVE LEVEL: ${(STATUS_LABEL[r.status] ?? r.status).toLowerCase()}`);
  const items: string[] = [];
  for (const f of r.findings) items.push(itemHtml(f, r.counts, single));
  for (const e of r.evidence) items.push(itemHtml(e, false, single));
  let body = items.length ? `<ul class="items">${items.join('')}</ul>` : '';
  if (r.status === 'not-applicable')
    body = `<span class="small">Matched nothing in the templates (not applicable, not a pass).</span>`;
  if (!r.counts)
    body = `<span class="small">Proves ${esc(r.proves ?? '')}, above the ${esc(required ?? '')} level this tenant is judged at: informative only.</span>${body}`;
  const failing = r.counts && (r.status === 'fail' || r.status === 'unverifiable');
  return (
    `<tr class="${failing ? 'finding' : r.counts ? '' : 'counts-no'}" id="${esc(`${prefix}-rule-${r.id}`)}"><td class="id"><code>${esc(r.id)}</code><br><span class="small">${esc(r.severity)}${r.proves ? ` \u00b7 proves ${esc(r.proves)}` : ''}</span></td>` +
    `<td><strong>${esc(r.title)}</strong><br><span class="small">${esc(r.rationale)}</span></td><td>${status}</td><td>${body}</td></tr>`
  );
}

function sharedRow(s: SharedItem, single: boolean): string {
  const ev = s.evidence
    .slice(0, 25)
    .map(
      (e) =>
        `<li>${c(e.stack && !single ? `${e.stack}/${e.resource}` : e.resource)} ${e.path !== '-' ? c(e.path) : ''} = ${c(e.value)}</li>`,
    );
  const more = s.evidence.length > 25 ? `<li class="small">+ ${s.evidence.length - 25} more</li>` : '';
  return (
    `<tr class="${s.crossesBoundary ? 'crossing' : ''}"><td>${esc(AREA_TITLES[s.area])}</td><td><strong>${esc(s.title)}</strong><br>${prose(s.detail)}</td>` +
    `<td>${s.crossesBoundary ? badge('fail', `CROSSES: ${s.sharedWith}`) : esc(s.sharedWith === 'aws' ? 'AWS' : s.sharedWith)}</td><td><ul class="items">${ev.join('')}${more}</ul></td></tr>`
  );
}

const SUPPORT_LABEL: Record<ControlSupport, string> = {
  supported: 'EVIDENCE PASSES',
  'not-supported': 'EVIDENCE FAILS',
  'not-applicable': 'NOTHING TO CHECK',
  'above-level': 'ABOVE LEVEL',
};

const NAG_LABEL: Record<NagPackResult['result'], string> = {
  passed: 'PASSED',
  'passed-with-acknowledgements': 'PASSED (acknowledged)',
  failed: 'FAILED',
  'not-recorded': 'NOT IN THE INPUTS',
  'not-valid': 'NOT VALID: TEMPLATE MODIFIED',
};

function regimeHtml(r: RegimeEvidence, nag: NagEvidence, prefix: string): string {
  const rows = r.controls.map(
    (ctl) =>
      `<tr><td><code>${esc(ctl.control)}</code>${ctl.title ? `<br><span class="small">${esc(ctl.title)}</span>` : ''}</td><td>${badge(ctl.support, SUPPORT_LABEL[ctl.support])}</td><td>${ctl.rules
        .map(
          (rule) =>
            `<a href="#${prefix}-rule-${esc(rule.id)}"><code>${esc(rule.id)}</code></a> ${badge(rule.counts ? rule.status : 'above-level', (rule.counts ? (STATUS_LABEL[rule.status] ?? rule.status) : 'above level').toLowerCase())}`,
        )
        .join('<br>')}</td></tr>`,
  );
  const packs = r.nagPacks.map((p) => {
    const result = nag.packs.find((x) => x.pack === p);
    return `<code>${esc(p)}</code> ${result ? badge(result.result, NAG_LABEL[result.result]) : ''}`;
  });
  return (
    `<h4>${esc(r.label)}</h4><p class="small">${prose(r.basis)}</p><p class="mapping-note">${esc(MAPPING_STATEMENT)}</p>` +
    (rows.length
      ? `<table><thead><tr><th>Control</th><th>Isolation evidence</th><th>Rules</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p class="small">No rule names a control of this regime.</p>') +
    (r.otherFindings.length
      ? `<h5>Other isolation findings (${r.otherFindings.length})</h5><p class="small">Error findings of rules that name no ${esc(r.label)} control: they fail the tenant all the same.</p><table><thead><tr><th>Rule</th><th>Resource</th><th>Finding</th></tr></thead><tbody>${r.otherFindings
          .map(
            (f) =>
              `<tr class="finding"><td class="id"><a href="#${prefix}-rule-${esc(f.rule)}"><code>${esc(f.rule)}</code></a></td><td>${c(f.resource)}</td><td class="why">${esc(f.message)}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '') +
    `<p>cdk-nag packs for ${esc(r.label)}: ${packs.join(', ') || 'none'}${r.nagPacks.length ? ' (and AwsSolutions for every tenant)' : ''}.</p>`
  );
}

function nagHtml(nag: NagEvidence): string {
  const rows = nag.packs.map(
    (p) =>
      `<tr><td><code>${esc(p.pack)}</code></td><td>${esc(p.regimes.join(', '))}</td><td>${badge(p.result, NAG_LABEL[p.result])}</td><td>${p.acknowledged.length}</td><td>${p.violations.length}</td></tr>`,
  );
  const acks = nag.packs.flatMap((p) =>
    p.acknowledged.map(
      (a) =>
        `<tr><td><code>${esc(a.rule)}</code></td><td><code>${esc(a.constructPath)}</code>${a.resources.length ? `<br><span class="small">${a.resources.map(esc).join(', ')}</span>` : ''}</td><td>${esc(a.reason)}</td></tr>`,
    ),
  );
  const violations = nag.packs.flatMap((p) =>
    p.violations.map(
      (v) =>
        `<tr class="finding"><td><code>${esc(p.pack)} ${esc(v.ruleName)}</code></td><td>${v.resources.map((r) => c(r.logicalId ?? r.constructPath)).join(', ')}</td><td>${esc(v.description)}</td></tr>`,
    ),
  );
  return (
    `<h4>cdk-nag result</h4><p class="small">${prose(nag.statement)}</p>` +
    `<table><thead><tr><th>Pack</th><th>Applied for</th><th>Result</th><th>Acknowledged</th><th>Unacknowledged</th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
    (violations.length
      ? `<table><thead><tr><th>Unacknowledged finding</th><th>Resources</th><th>Description</th></tr></thead><tbody>${violations.join('')}</tbody></table>`
      : '') +
    (acks.length
      ? `<table><thead><tr><th>Acknowledged finding</th><th>Where</th><th>Reason recorded</th></tr></thead><tbody>${acks.join('')}</tbody></table>`
      : '') +
    (nag.otherAcknowledgements.length
      ? `<p class="small">Other validation findings acknowledged: ${nag.otherAcknowledgements.map((a) => `<code>${esc(a.rule)}</code> on <code>${esc(a.constructPath)}</code> (${esc(a.reason)})`).join('; ')}.</p>`
      : '') +
    (nag.unusedAcknowledgements
      ? `<p class="small">${nag.unusedAcknowledgements} acknowledgement(s) recorded for packs this tenant does not apply (no effect).</p>`
      : '')
  );
}

function tenantHtml(t: TenantEvidence, index: number): string {
  const out: string[] = [];
  const prefix = anchor(t.id);
  /** One template: the stack name adds nothing to each resource. */
  const single = t.stacks.length <= 1;
  out.push(
    `<section class="tenant tenant-${t.verdict ?? t.presence}" id="${anchor(t.id)}" data-tenant="${esc(t.id)}">`,
  );
  out.push(`<h2>${esc(t.id)} ${verdictBadge(t)}</h2>`);
  const facts: [string, string][] = [
    [
      'Account',
      `${c(t.account ?? 'unknown')}${t.accountSource ? ` <span class="small">(from ${esc(t.accountSource)})</span>` : ''}`,
    ],
    [
      'Region',
      `${c(t.region ?? 'unknown')}${t.partition ? ` <span class="small">partition ${esc(t.partition)}</span>` : ''}`,
    ],
    [
      'Promised level',
      t.promised
        ? `<strong>${esc(t.promised)}</strong>`
        : '<span class="small">not declared (judged at account)</span>',
    ],
    [
      'Achieved level',
      t.achieved
        ? `<strong>${esc(t.achieved)}</strong>${t.required && t.required !== t.promised ? ` <span class="small">(judged at ${esc(t.required)})</span>` : ''}`
        : '\u2014',
    ],
    ['Regimes', t.regimes.length ? t.regimes.map(esc).join(', ') : 'none'],
    [
      'Licence',
      `${licenceCell(t)}${t.licence.approvedBy ? `<br>approved by ${esc(t.licence.approvedBy)}` : ''}${t.licence.justification ? `<br><span class="small">${esc(t.licence.justification)}</span>` : ''}${t.licence.ticket ? ` <span class="small">(${esc(t.licence.ticket)})</span>` : ''}${t.licence.manifestFile ? `<br><span class="small">from ${c(t.licence.manifestFile)}</span>` : t.licence.source === 'template' ? '<br><span class="small">from the template metadata (no manifest read)</span>' : ''}`,
    ],
    [
      'Templates',
      t.stacks
        .map(
          (s) =>
            `${c(s.file)}${s.sha256 ? `<br><span class="small">SHA-256 <span class="mono">${esc(s.sha256)}</span></span>` : ''}`,
        )
        .join('<br>') || '\u2014',
    ],
  ];
  if (t.presence === 'verified') {
    facts.push([
      'Result',
      `${t.counts.rulesPassed} rules pass, ${t.counts.rulesFailed} fail, ${t.counts.rulesNotApplicable} not applicable; ${t.counts.errors} errors, ${t.counts.warnings} warnings`,
    ]);
  }
  out.push(`<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`);
  if (t.notes.length)
    out.push(
      `<div class="box notes"><strong>Notes on the inputs</strong><ul>${t.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></div>`,
    );
  if (t.presence === 'missing') {
    out.push('</section>');
    return out.join('\n');
  }
  if (t.failures.length) {
    out.push(
      `<div class="box failures"><h3>Why ${esc(t.id)} fails</h3><table><thead><tr><th>Rule</th><th>Resource</th><th>Property</th><th>Value</th><th>Finding</th><th>Fix</th></tr></thead><tbody>` +
        t.failures
          .map(
            (f) =>
              `<tr class="finding"><td class="id"><a href="#${prefix}-rule-${esc(f.rule)}"><code>${esc(f.rule)}</code></a></td><td class="offending">${c(f.resource)}${f.stack ? `<br><span class="small">${esc(f.stack)}</span>` : ''}</td><td>${c(f.path)}</td><td>${c(f.value)}</td><td class="why">${esc(f.kind === 'unverifiable' ? 'could not verify: ' : '')}${esc(f.message.replace(/^could not verify: /, ''))}</td><td class="fix">${esc(f.remediation ?? '')}</td></tr>`,
          )
          .join('') +
        `</tbody></table></div>`,
    );
  }
  if (t.boundary) {
    const b = t.boundary;
    out.push(
      `<h3>Boundary</h3><figure class="boundary">${renderBoundarySvg(b, `Isolation boundary of tenant ${t.id}`, `b${index}`)}`,
    );
    out.push(
      `<figcaption>Drawn from the templates: ${b.vpcs.length} VPC(s), ${b.stores.length} data store(s), ${b.keys.length} key(s); ${b.crossings.length} thing(s) shared or crossing the boundary.</figcaption></figure>`,
    );
    if (b.crossings.length) {
      out.push(
        `<table><thead><tr><th>Shared or crossing</th><th>Resource</th><th>Property</th><th>Value</th></tr></thead><tbody>${b.crossings
          .map(
            (x) =>
              `<tr class="crossing"><td>${esc(x.label)}</td><td>${c(single ? x.resource : `${x.stack}/${x.resource}`)}</td><td>${c(x.path)}</td><td>${c(x.value)}</td></tr>`,
          )
          .join('')}</tbody></table>`,
      );
    }
    if (b.otherFailing.length) {
      out.push(
        `<p class="small">Also failing (not drawn): ${b.otherFailing.map((o) => `${c(o.resource)} (${o.rules.map(esc).join(', ')})`).join('; ')}.</p>`,
      );
    }
  }
  out.push(`<h3>Evidence by concern</h3>`);
  for (const concern of t.concerns) {
    out.push(
      `<h4>${esc(concern.title)}</h4><table class="rules"><thead><tr><th style="width:9em">Rule</th><th style="width:28%">Asserts</th><th style="width:9em">Status</th><th>Evidence: resource, property, value, why</th></tr></thead><tbody>${concern.rules
        .map((r) => ruleRow(r, t.required, prefix, single))
        .join('')}</tbody></table>`,
    );
  }
  out.push(`<h3>Compliance mapping</h3>`);
  if (t.compliance.length === 0) out.push('<p class="small">The tenant names no regime.</p>');
  for (const r of t.compliance) out.push(regimeHtml(r, t.nag, prefix));
  out.push(nagHtml(t.nag));
  out.push(
    `<h3>Shared-plane disclosure</h3><p class="small">What ${esc(t.id)} still shares with the vendor or AWS, as the templates, the cloud assembly and the manifest show it. These are not findings: they are what "exclusive" does not cover.</p>`,
  );
  out.push(
    `<table class="shared"><colgroup><col style="width:11em"><col style="width:38%"><col style="width:8em"><col></colgroup><thead><tr><th>Area</th><th>What is shared</th><th>Shared with</th><th>Evidence</th></tr></thead><tbody>${t.shared.map((s) => sharedRow(s, single)).join('')}</tbody></table>`,
  );
  out.push('</section>');
  return out.join('\n');
}

function comparisonHtml(c: FleetComparison): string {
  return (
    `<section id="fleet-comparison"><h2>Fleet comparison</h2>` +
    `<div class="banner ${c.holds ? 'pass' : 'fail'}">${badge(c.holds ? 'pass' : 'fail', c.holds ? 'NOTHING SHARED' : 'NOT PROVEN', 'verdict')} ${esc(c.statement)}</div>` +
    `<table><thead><tr><th>Fleet rule</th><th>Asserts</th><th>Result</th></tr></thead><tbody>${c.rules
      .map(
        (r) =>
          `<tr><td class="id"><code>${esc(r.id)}</code></td><td>${esc(r.title)}</td><td>${badge(r.status, r.status.toUpperCase())}</td></tr>`,
      )
      .join('')}</tbody></table>` +
    `<p class="small">The other tenants are named by keyed digests only: ${esc(c.algorithm)} under the vendor's fleet secret, over ${esc(c.over)}. ` +
    `This tenant's digest: <span class="mono">${esc(c.self)}</span>. Another customer's auditor, or the vendor's, can match digests without learning names.</p>` +
    `<ul class="items mono">${c.digests.map((d) => `<li>${esc(d)}</li>`).join('')}</ul></section>`
  );
}

/** Renders the evidence pack as a self-contained HTML page. */
export function renderHtml(pack: EvidencePack): string {
  const fleet = pack.fleet;
  const banner = bannerOf(pack);
  const summaryRows = pack.tenants.map(
    (t) =>
      `<tr class="${t.verdict === 'fail' ? 'failing-tenant' : ''}" data-tenant="${esc(t.id)}"><td><a href="#${anchor(t.id)}"><strong>${esc(t.id)}</strong></a></td><td>${c(t.account ?? 'unknown')}<br><span class="small">${esc(t.region ?? '')}</span></td>` +
      `<td>${esc(t.promised ?? '\u2014')}</td><td>${esc(t.achieved ?? '\u2014')}</td><td>${verdictBadge(t)}</td><td>${esc(t.regimes.join(', ') || 'none')}</td><td>${licenceCell(t)}</td>` +
      `<td>${t.presence === 'verified' ? `${t.counts.errors} errors, ${t.counts.warnings} warnings` : 'not in the inputs'}</td></tr>`,
  );
  const integrityRows = pack.templates.map(
    (t) =>
      `<tr><td>${esc(t.tenant)}</td><td>${c(t.stack)}</td><td>${c(t.file)}</td><td class="mono">${esc(t.sha256)}</td><td>${t.bytes}</td><td>${t.synthesis ? badge(t.synthesis === 'as synthesized' ? 'pass' : 'fail', t.synthesis.toUpperCase()) : '<span class="small">template file: no record</span>'}</td></tr>`,
  );
  const verdictText =
    fleet.verdict === 'pass'
      ? `All ${fleet.passed} verified tenant(s) achieve their promised level with no error finding.`
      : `${fleet.failed} of ${fleet.tenants - fleet.missing} verified tenant(s) FAIL: see each tenant's "Why it fails".`;
  const toc = [
    `<a href="#fleet">Fleet summary</a>`,
    ...(pack.scope ? [`<a href="#fleet-comparison">Fleet comparison</a>`] : []),
    ...pack.tenants.map((t) => `<a href="#${anchor(t.id)}">${esc(t.id)}</a>`),
    `<a href="#integrity">Integrity and re-running</a>`,
    `<a href="#limits">What this report can and cannot prove</a>`,
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(`${pack.tool.name} ${pack.tool.version}`)}">
<title>Isolation evidence pack: ${esc(pack.tenants.map((t) => t.id).join(', '))}</title>
<style>${CSS}${printCss(banner.footer)}</style>
</head>
<body>
<header class="top">
<h1>Isolation evidence pack</h1>
<div class="scope-banner" role="note"><p><strong>${esc(banner.proven)}</strong></p><p class="not-proven"><strong>${esc(banner.notProven)}</strong></p></div>
<div class="meta">${esc(pack.tool.name)} ${esc(pack.tool.version)}${pack.tool.revision ? ` (${esc(pack.tool.revision)})` : ''} \u00b7 generated ${esc(pack.generatedAt)} \u00b7 licences judged on ${esc(pack.today)} \u00b7 source: ${esc(pack.source === 'template' ? 'synthesized templates' : 'live account')}</div>
<div class="banner ${fleet.verdict}">${fleet.verdict === 'pass' ? badge('pass', 'PASS', 'verdict') : badge('fail', 'FAIL', 'verdict')} ${esc(verdictText)}${fleet.missing ? ` ${fleet.missing} tenant(s) of the manifests are not in the inputs.` : ''}</div>
<nav class="toc">${toc.join(' ')}</nav>
</header>
<main>
<section id="fleet">
<h2>Fleet summary</h2>
<table><thead><tr><th>Tenant</th><th>Account</th><th>Promised</th><th>Achieved</th><th>Verdict</th><th>Regimes</th><th>Licence</th><th>Findings</th></tr></thead><tbody>
${summaryRows.join('\n')}
</tbody></table>
${pack.inputErrors.length ? `<div class="box failures"><h3>Input errors</h3><ul>${pack.inputErrors.map((e) => `<li>${c(e.file)}: ${esc(e.message)}</li>`).join('')}</ul></div>` : ''}
</section>
${pack.scope ? comparisonHtml(pack.scope.comparison) : ''}
${pack.tenants.map((t, i) => tenantHtml(t, i)).join('\n')}
<section id="integrity">
<h2>Integrity and re-running</h2>
<p>The verdicts above are a function of these template files. Compute their SHA-256 yourself and compare; then re-run the verifier and compare its JSON verdicts with the fleet summary.</p>
<table><thead><tr><th>Tenant</th><th>Stack</th><th>File</th><th>SHA-256</th><th>Bytes</th><th>Against synthesis (asset manifest)</th></tr></thead><tbody>${integrityRows.join('')}</tbody></table>
<dl class="facts"><dt>Tool</dt><dd>${esc(pack.tool.name)} ${esc(pack.tool.version)}</dd><dt>Generated</dt><dd>${esc(pack.generatedAt)}</dd><dt>Licences judged on</dt><dd>${esc(pack.today)}</dd><dt>Inputs</dt><dd>${pack.inputs.map(c).join(' ')}</dd></dl>
<h4>Compare the checksums</h4><pre>${esc(pack.rerun.checksums)}</pre>
<h4>Re-run the isolation checks</h4><pre>${esc(pack.rerun.verify)}</pre>
<h4>Print the licence register</h4><pre>${esc(pack.rerun.licences)}</pre>
<h4>Regenerate this report</h4><pre>${esc(pack.rerun.report)}</pre>
${pack.assemblyProblems.length ? `<p class="small">Could not read from the cloud assembly: ${pack.assemblyProblems.map(esc).join('; ')}</p>` : ''}
</section>
<section id="limits">
<h2>What this report can and cannot prove</h2>
<ul>${pack.limits.map((l) => `<li>${prose(l)}</li>`).join('')}</ul>
</section>
</main>
</body>
</html>
`;
}
