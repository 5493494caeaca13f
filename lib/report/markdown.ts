/**
 * Renders the evidence pack as Markdown (GitHub-flavoured tables): the same content as the HTML page, minus the
 * picture, whose elements are listed as text instead. Pure: a string from the pack.
 */
import { MAPPING_STATEMENT } from './compliance';
import { AREA_TITLES } from './disclosure';
import { bannerOf, type EvidenceItem, type EvidencePack, type RuleEvidence, type TenantEvidence } from './evidence';

/** A table cell: no line breaks, pipes escaped. */
function cell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** Inline code that survives backticks in the value; empty for no value. */
function code(s: string | undefined): string {
  if (s === undefined || s === '') return '';
  const ticks = (s.match(/`+/g) ?? []).reduce((m, t) => Math.max(m, t.length), 0);
  const fence = '`'.repeat(ticks + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** Markdown-significant characters in prose (outside code), escaped; `code spans` kept. */
function text(s: string): string {
  return s
    .split(/(`[^`]+`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/([\\*_[\]<>#])/g, '\\$1')))
    .join('');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

const STATUS: Record<string, string> = {
  pass: 'PASS',
  fail: '**FAIL**',
  unverifiable: '**COULD NOT VERIFY**',
  'not-applicable': 'not applicable',
  warning: 'WARNING',
};

function verdict(t: TenantEvidence): string {
  if (t.presence === 'missing') return 'NOT VERIFIED';
  return t.verdict === 'pass' ? 'PASS' : '**FAIL**';
}

function licence(t: TenantEvidence): string {
  const l = t.licence;
  if (!l.status) return 'no licence record';
  const days = l.daysLeft === undefined ? '' : l.daysLeft < 0 ? `, ${-l.daysLeft} days ago` : `, in ${l.daysLeft} days`;
  const status = l.status === 'expired' ? '**EXPIRED**' : l.status === 'due' ? '**REVIEW DUE**' : 'valid';
  return `${status} (review by ${l.reviewBy}${days})`;
}

function item(i: EvidenceItem, finding: boolean, single: boolean): string {
  const where = [
    code(i.stack && !single ? `${i.stack}/${i.resource}` : i.resource),
    i.path && i.path !== '-' ? code(i.path) : '',
    i.value !== undefined ? `= ${code(i.value)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const why = finding
    ? `**${i.kind === 'unverifiable' ? 'could not verify' : i.severity === 'warning' ? 'warning' : 'fails'}:** ${text(i.message)}`
    : text(i.message);
  return `${where}: ${why}${finding && i.remediation ? ` *Fix: ${text(i.remediation)}*` : ''}`;
}

function ruleRows(r: RuleEvidence, required: string | undefined, single: boolean): string[] {
  const status = r.counts
    ? (STATUS[r.status] ?? r.status)
    : `above level (${(STATUS[r.status] ?? r.status).replace(/\*/g, '').toLowerCase()})`;
  const entries = [
    ...r.findings.map((f) => item(f, r.counts, single)),
    ...r.evidence.map((e) => item(e, false, single)),
  ];
  let body = entries.join('<br>');
  if (r.status === 'not-applicable') body = 'matched nothing in the templates (not applicable, not a pass)';
  if (!r.counts)
    body = `proves ${r.proves}, above the ${required} level this tenant is judged at: informative only${body ? `<br>${body}` : ''}`;
  return [code(r.id), text(r.title), status, body];
}

function tenantMd(t: TenantEvidence): string {
  const out: string[] = [];
  const single = t.stacks.length <= 1;
  out.push(`## Tenant ${t.id}`, '');
  out.push(
    t.presence === 'missing'
      ? '**NOT VERIFIED**: the inputs hold no template for this tenant.'
      : `${verdict(t)}: promised ${t.promised ?? 'nothing (judged at account)'}, achieved ${t.achieved}.`,
    '',
  );
  out.push(
    table(
      ['Fact', 'Value'],
      [
        ['Account', `${code(t.account ?? 'unknown')}${t.accountSource ? ` (from ${t.accountSource})` : ''}`],
        ['Region', `${code(t.region ?? 'unknown')}${t.partition ? `, partition ${t.partition}` : ''}`],
        ['Promised level', t.promised ?? 'not declared (judged at account)'],
        [
          'Achieved level',
          `${t.achieved ?? '-'}${t.required && t.required !== t.promised ? ` (judged at ${t.required})` : ''}`,
        ],
        ['Verdict', verdict(t)],
        ['Regimes', t.regimes.join(', ') || 'none'],
        ['Licence', licence(t)],
        ['Approved by', t.licence.approvedBy ?? '-'],
        ['Justification', t.licence.justification ? text(t.licence.justification) : '-'],
        [
          'Licence source',
          t.licence.manifestFile
            ? code(t.licence.manifestFile)
            : t.licence.source === 'template'
              ? 'template metadata'
              : '-',
        ],
        ...t.stacks.map((s): [string, string] => [
          'Template',
          `${code(s.file)}${s.sha256 ? ` SHA-256 ${code(s.sha256)}` : ''}`,
        ]),
        ...(t.presence === 'verified'
          ? [
              [
                'Result',
                `${t.counts.rulesPassed} rules pass, ${t.counts.rulesFailed} fail, ${t.counts.rulesNotApplicable} not applicable; ${t.counts.errors} errors, ${t.counts.warnings} warnings`,
              ] as [string, string],
            ]
          : []),
      ],
    ),
    '',
  );
  if (t.notes.length) out.push('**Notes on the inputs:**', '', ...t.notes.map((n) => `- ${text(n)}`), '');
  if (t.presence === 'missing') return out.join('\n');
  if (t.failures.length) {
    out.push(`### Why ${t.id} fails`, '');
    out.push(
      table(
        ['Rule', 'Resource', 'Property', 'Value', 'Finding', 'Fix'],
        t.failures.map((f) => [
          code(f.rule),
          code(f.stack && !single ? `${f.stack}/${f.resource}` : f.resource),
          code(f.path),
          code(f.value),
          `${f.kind === 'unverifiable' ? 'could not verify: ' : ''}${text(f.message.replace(/^could not verify: /, ''))}`,
          text(f.remediation ?? ''),
        ]),
      ),
      '',
    );
  }
  const b = t.boundary;
  if (b) {
    out.push('### Boundary', '');
    out.push(
      `Account ${code(b.account ?? 'unknown')}${b.region ? ` in ${code(b.region)}` : ''}, as the templates define it (the HTML report draws it).`,
      '',
    );
    for (const v of b.vpcs) {
      const stores = b.stores.filter((s) => s.vpcs[0] === v.id);
      out.push(
        `- VPC ${code(v.id)} ${v.cidr ? code(v.cidr) : ''}, **${v.tenancy} tenancy**${v.flagged ? ' **(failing)**' : ''}${stores.length ? `: ${stores.map((s) => `${s.kind} ${code(s.id)}${s.detail ? ` (${s.detail})` : ''}${s.flagged ? ' **(failing)**' : ''}`).join(', ')}` : ''}`,
      );
    }
    for (const s of b.stores.filter((x) => x.vpcs.length === 0)) {
      out.push(
        `- **Not in a VPC the tenant defines:** ${s.kind} ${code(s.id)}${s.placementProblem ? `: ${text(s.placementProblem)}` : ''}`,
      );
    }
    for (const l of b.links)
      out.push(`- Peering ${code(l.resource)} between tenant VPCs ${code(l.from)} and ${code(l.to)}`);
    for (const k of b.keys) {
      out.push(
        `- ${k.kind === 'cloudhsm' ? 'CloudHSM key' : 'KMS key'} ${code(k.id)}${k.alias ? ` (${code(k.alias)})` : ''} protects: ${k.protects.map((p) => `${code(p.resource)} (${p.dataClass})`).join(', ') || 'nothing in the templates'}${k.flagged ? ' **(failing)**' : ''}`,
      );
    }
    out.push('');
    if (b.crossings.length) {
      out.push(`**Shared or crossing the boundary (${b.crossings.length}):**`, '');
      out.push(
        table(
          ['What', 'Resource', 'Property', 'Value'],
          b.crossings.map((x) => [
            text(x.label),
            code(single ? x.resource : `${x.stack}/${x.resource}`),
            code(x.path),
            code(x.value),
          ]),
        ),
        '',
      );
    } else out.push('Nothing shared or crossing the boundary was found in the templates.', '');
    if (b.otherFailing.length)
      out.push(
        `Also failing: ${b.otherFailing.map((o) => `${code(o.resource)} (${o.rules.join(', ')})`).join('; ')}.`,
        '',
      );
  }
  out.push('### Evidence by concern', '');
  for (const c of t.concerns) {
    out.push(`#### ${c.title}`, '');
    out.push(
      table(
        ['Rule', 'Asserts', 'Status', 'Evidence: resource, property, value, why'],
        c.rules.map((r) => ruleRows(r, t.required, single)),
      ),
      '',
    );
  }
  out.push('### Compliance mapping', '');
  if (t.compliance.length === 0) out.push('The tenant names no regime.', '');
  for (const r of t.compliance) {
    out.push(`#### ${r.label}`, '', text(r.basis), '', `*${text(MAPPING_STATEMENT)}*`, '');
    if (r.controls.length) {
      out.push(
        table(
          ['Control', 'Isolation evidence', 'Rules'],
          r.controls.map((c) => [
            `${code(c.control)}${c.title ? ` ${text(c.title)}` : ''}`,
            c.support === 'not-supported'
              ? '**evidence fails**'
              : c.support === 'supported'
                ? 'evidence passes'
                : c.support === 'not-applicable'
                  ? 'nothing to check'
                  : 'above level',
            c.rules.map((x) => `${code(x.id)} ${x.counts ? x.status : 'above level'}`).join(', '),
          ]),
        ),
        '',
      );
    }
    if (r.otherFindings.length)
      out.push(
        `Other isolation findings (${r.otherFindings.length}): error findings of rules that name no ${r.label} control; they fail the tenant all the same.`,
        '',
        table(
          ['Rule', 'Resource', 'Finding'],
          r.otherFindings.map((f) => [code(f.rule), code(f.resource), text(f.message)]),
        ),
        '',
      );
    const packs = r.nagPacks.map(
      (p) => `${code(p)} (${t.nag.packs.find((x) => x.pack === p)?.result ?? 'not applied'})`,
    );
    out.push(
      `cdk-nag packs for ${r.label}: ${packs.join(', ') || 'none'}${r.nagPacks.length ? ', and AwsSolutions for every tenant' : ''}.`,
      '',
    );
  }
  out.push('#### cdk-nag result', '', text(t.nag.statement), '');
  out.push(
    table(
      ['Pack', 'Applied for', 'Result', 'Acknowledged', 'Unacknowledged'],
      t.nag.packs.map((p) => [
        code(p.pack),
        p.regimes.join(', '),
        p.result === 'failed'
          ? '**FAILED**'
          : p.result === 'not-valid'
            ? '**NOT VALID: template modified after synthesis**'
            : p.result,
        String(p.acknowledged.length),
        String(p.violations.length),
      ]),
    ),
    '',
  );
  const violations = t.nag.packs.flatMap((p) =>
    p.violations.map((v) => [
      code(`${p.pack} ${v.ruleName}`),
      v.resources.map((r) => code(r.logicalId ?? r.constructPath)).join(', '),
      text(v.description),
    ]),
  );
  if (violations.length) out.push(table(['Unacknowledged finding', 'Resources', 'Description'], violations), '');
  const acks = t.nag.packs.flatMap((p) =>
    p.acknowledged.map((a) => [
      code(a.rule),
      `${code(a.constructPath)}${a.resources.length ? ` (${a.resources.join(', ')})` : ''}`,
      text(a.reason),
    ]),
  );
  if (acks.length) out.push(table(['Acknowledged finding', 'Where', 'Reason recorded'], acks), '');
  out.push(
    '### Shared-plane disclosure',
    '',
    `What ${t.id} still shares with the vendor or AWS, as the templates, the cloud assembly and the manifest show it. These are not findings: they are what "exclusive" does not cover.`,
    '',
  );
  out.push(
    table(
      ['Area', 'What is shared', 'Shared with', 'Evidence'],
      t.shared.map((s) => [
        AREA_TITLES[s.area],
        `**${text(s.title)}**: ${text(s.detail)}`,
        s.crossesBoundary
          ? `**crosses the boundary (${s.sharedWith})**`
          : s.sharedWith === 'aws'
            ? 'AWS'
            : s.sharedWith,
        s.evidence
          .slice(0, 25)
          .map(
            (e) =>
              `${code(e.stack && !single ? `${e.stack}/${e.resource}` : e.resource)} ${e.path !== '-' ? code(e.path) : ''} = ${code(e.value)}`,
          )
          .join('<br>') + (s.evidence.length > 25 ? `<br>+ ${s.evidence.length - 25} more` : ''),
      ]),
    ),
    '',
  );
  return out.join('\n');
}

/** Renders the evidence pack as Markdown. */
export function renderMarkdown(pack: EvidencePack): string {
  const f = pack.fleet;
  const out: string[] = [];
  out.push('# Isolation evidence pack', '');
  const banner = bannerOf(pack);
  out.push(`> **${text(banner.proven)}**`, '>', `> **${text(banner.notProven)}**`, '');
  out.push(
    `${pack.tool.name} ${pack.tool.version}${pack.tool.revision ? ` (${pack.tool.revision})` : ''}, generated ${pack.generatedAt}; licences judged on ${pack.today}; source: ${pack.source === 'template' ? 'synthesized templates' : 'live account'}.`,
    '',
  );
  out.push(
    f.verdict === 'pass'
      ? `**PASS**: all ${f.passed} verified tenant(s) achieve their promised level with no error finding.`
      : `**FAIL**: ${f.failed} of ${f.tenants - f.missing} verified tenant(s) fail.`,
    '',
  );
  if (f.missing) out.push(`${f.missing} tenant(s) of the manifests are not in the inputs.`, '');
  out.push('## Fleet summary', '');
  out.push(
    table(
      ['Tenant', 'Account', 'Region', 'Promised', 'Achieved', 'Verdict', 'Regimes', 'Licence', 'Findings'],
      pack.tenants.map((t) => [
        `[${t.id}](#tenant-${t.id
          .toLowerCase()
          .replace(/[^a-z0-9 _-]/g, '')
          .replace(/ /g, '-')})`,
        code(t.account ?? 'unknown'),
        t.region ?? '',
        t.promised ?? '-',
        t.achieved ?? '-',
        verdict(t),
        t.regimes.join(', ') || 'none',
        licence(t),
        t.presence === 'verified' ? `${t.counts.errors} errors, ${t.counts.warnings} warnings` : 'not in the inputs',
      ]),
    ),
    '',
  );
  if (pack.inputErrors.length)
    out.push('**Input errors:**', '', ...pack.inputErrors.map((e) => `- ${code(e.file)}: ${text(e.message)}`), '');
  if (pack.scope) {
    const c = pack.scope.comparison;
    out.push(
      '## Fleet comparison',
      '',
      `**${text(c.statement)}.**`,
      '',
      table(
        ['Fleet rule', 'Asserts', 'Result'],
        c.rules.map((r) => [code(r.id), text(r.title), r.status === 'pass' ? 'pass' : `**${r.status}**`]),
      ),
      '',
      `The other tenants are named by keyed digests only: ${c.algorithm} under the vendor's fleet secret, over ${text(c.over)}. ` +
        `This tenant's digest: ${code(c.self)}. Another customer's auditor, or the vendor's, can match digests without learning names.`,
      '',
      ...c.digests.map((d) => `- ${code(d)}`),
      '',
    );
  }
  for (const t of pack.tenants) out.push(tenantMd(t), '');
  out.push('## Integrity and re-running', '');
  out.push(
    'The verdicts above are a function of these template files. Compute their SHA-256 yourself and compare; then re-run the verifier and compare its JSON verdicts with the fleet summary.',
    '',
  );
  out.push(
    table(
      ['Tenant', 'Stack', 'File', 'SHA-256', 'Bytes', 'Against synthesis'],
      pack.templates.map((t) => [
        t.tenant,
        code(t.stack),
        code(t.file),
        code(t.sha256),
        String(t.bytes),
        t.synthesis === 'modified after synthesis'
          ? '**MODIFIED AFTER SYNTHESIS**'
          : (t.synthesis ?? 'template file: no record'),
      ]),
    ),
    '',
  );
  out.push(
    `Tool ${pack.tool.name} ${pack.tool.version}; generated ${pack.generatedAt}; licences judged on ${pack.today}.`,
    '',
  );
  const block = (title: string, cmd: string): string[] => [`${title}:`, '', '```sh', cmd, '```', ''];
  out.push(...block('Compare the checksums', pack.rerun.checksums));
  out.push(...block('Re-run the isolation checks', pack.rerun.verify));
  out.push(...block('Print the licence register', pack.rerun.licences));
  out.push(...block('Regenerate this report', pack.rerun.report));
  if (pack.assemblyProblems.length)
    out.push(`Could not read from the cloud assembly: ${pack.assemblyProblems.map(text).join('; ')}`, '');
  out.push('## What this report can and cannot prove', '', ...pack.limits.map((l) => `- ${text(l)}`), '');
  return out.join('\n');
}
