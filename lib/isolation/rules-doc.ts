/** Renders docs/rules.md from the catalogue, so the documentation cannot drift from the code. */
import { RULES } from './rules';

const CONCERNS = ['account', 'access', 'database', 'search', 'compute', 'keys', 'network', 'references', 'template'] as const;

export function renderRulesDoc(): string {
  const out: string[] = [
    '# Isolation rules',
    '',
    '<!-- Generated from lib/isolation/rules by `npm run docs:rules`; a test fails when this file is stale. -->',
    '',
    'Each rule has a stable id (never renamed or reused), a severity, and the isolation level its evidence proves',
    '(see [isolation-model.md](isolation-model.md)). Errors fail a tenant when the rule\'s level is at or below the',
    'level the tenant requires; warnings are hygiene and never decide isolation. A value the verifier cannot follow',
    'is a failing "could not verify" finding.',
    '',
    '| id | title | severity | proves | template | live |',
    '|---|---|---|---|---|---|',
    ...RULES.map(
      (r) =>
        `| [${r.id}](#${r.id.toLowerCase()}) | ${r.title} | ${r.severity} | ${r.proves ?? '-'} | ${r.checkTemplate || r.checkFleet ? 'yes' : '-'} | ${r.checkLive || r.checkLiveFleet ? 'yes' : '-'} |`,
    ),
    '',
  ];
  for (const concern of CONCERNS) {
    const rules = RULES.filter((r) => r.concern === concern);
    if (rules.length === 0) continue;
    out.push(`## ${concern[0]!.toUpperCase()}${concern.slice(1)}`, '');
    for (const r of rules) {
      out.push(
        `### ${r.id}`,
        '',
        `**${r.title}**`,
        '',
        `- Severity: ${r.severity}${r.proves ? `; proves: \`${r.proves}\`` : ' (hygiene)'}`,
        `- Scope: ${[r.checkTemplate ? 'template' : '', r.checkFleet ? 'fleet (templates)' : '', r.checkLive ? 'live' : '', r.checkLiveFleet ? 'fleet (live)' : ''].filter(Boolean).join(', ')}`,
        `- Controls: ${r.controls.join('; ')}`,
        ...(r.liveActions?.length ? [`- Live permissions: ${r.liveActions.map((a) => `\`${a}\``).join(', ')}`] : []),
        '',
        `Catches: ${r.rationale}`,
        '',
        `Fix: ${r.remediation}`,
        '',
      );
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
