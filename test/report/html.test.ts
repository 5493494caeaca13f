import { renderHtml } from '../../lib/report/html';
import { fixtureFleet } from './support';

const pack = fixtureFleet();
const html = renderHtml(pack);

/** The HTML of one tenant's section. */
function section(id: string): string {
  const open = html.indexOf(`id="tenant-${id}"`);
  if (open < 0) throw new Error(`no section for ${id}`);
  return html.slice(open, html.indexOf('</section>', open));
}

describe('HTML report structure', () => {
  test('is one complete HTML document with inline CSS and a policy that forbids every load', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html.match(/<style>/g)).toHaveLength(1);
  });

  test('loads nothing: no script, stylesheet link, external image, font, frame or remote URL', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed|video|audio|source)\b/i);
    expect(html).not.toMatch(/@import|@font-face/i);
    expect(html).not.toMatch(/\b(src|href|xlink:href|action)\s*=\s*["']?(https?:|\/\/|file:|data:)/i);
    expect(html).not.toMatch(/url\((?!#)/i);
    // Every link is a fragment inside the page, and every fragment exists.
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(0);
    const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
    for (const href of hrefs) {
      expect(href.startsWith('#')).toBe(true);
      expect(ids.has(href.slice(1))).toBe(true);
    }
  });

  test('element ids are unique across tenants', () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('escapes template values: a tag in a template never becomes markup', () => {
    expect(html).not.toContain("<script>alert('not escaped')</script>");
    expect(html).not.toContain('<script>');
  });

  test('shows the fleet summary with a row per tenant, the failing one marked FAIL', () => {
    const summary = html.slice(
      html.indexOf('<section id="fleet">'),
      html.indexOf('</section>', html.indexOf('<section id="fleet">')),
    );
    for (const id of ['initech-dental', 'globex-health', 'hooli-legal'])
      expect(summary).toContain(`data-tenant="${id}"`);
    expect(summary).toMatch(/data-tenant="initech-dental">.*<span class="badge fail verdict">FAIL<\/span>/);
    expect(summary).toMatch(/data-tenant="globex-health">.*<span class="badge pass verdict">PASS<\/span>/);
    expect(summary).toMatch(/data-tenant="hooli-legal">.*<span class="badge expired">EXPIRED<\/span>/);
    expect(summary).toMatch(/data-tenant="initech-dental">.*<span class="badge due">REVIEW DUE<\/span>/);
  });

  test('a failing tenant shows why it fails in red, naming the offending resource', () => {
    const s = section('initech-dental');
    expect(s).toMatch(/<div class="box failures"><h3>Why initech-dental fails<\/h3>/);
    expect(s).toMatch(
      /<tr class="finding"><td class="id"><a href="#tenant-initech-dental-rule-ISO-KMS-1"><code>ISO-KMS-1<\/code><\/a><\/td><td class="offending"><code>SharedPlatformDatabase<\/code>/,
    );
    expect(html).toMatch(/\.fail, \.unverifiable, \.expired[^{]*\{ color: var\(--red\)/);
    expect(html).toContain('--red:#b42318');
  });

  test('draws one inline SVG boundary per verified tenant, with crossings in red', () => {
    expect(html.match(/<svg class="boundary"/g)).toHaveLength(2);
    expect(html).not.toMatch(/<svg[^>]*xmlns:xlink/);
    const fake = section('initech-dental');
    expect(fake).toMatch(/<g class="store flagged" data-resource="SharedPlatformDatabase">/);
    expect(fake).toMatch(/<g class="crossing" data-resource="ToVendorPlatform">.*stroke="#c0262d"/);
    const genuine = section('globex-health');
    expect(genuine).toMatch(/<g class="vpc" data-resource="DataVpc">.*dedicated tenancy/);
    expect(genuine).toMatch(/<path class="protects" data-key="DataKey" data-resource="Database"/);
    expect(genuine).not.toContain('class="crossing"');
  });

  test('has the evidence, compliance, nag and disclosure sections per tenant, and integrity at the end', () => {
    const s = section('globex-health');
    for (const h of ['Boundary', 'Evidence by concern', 'Compliance mapping', 'Shared-plane disclosure'])
      expect(s).toContain(`<h3>${h}</h3>`);
    expect(s).toContain('<h4>cdk-nag result</h4>');
    expect(s).toMatch(
      /<td><code>HIPAA.Security<\/code><\/td><td>HIPAA<\/td><td><span class="badge passed-with-acknowledgements">PASSED \(acknowledged\)<\/span>/,
    );
    expect(html).toMatch(/<section id="integrity">[\s\S]*<td class="mono">[0-9a-f]{64}<\/td>/);
    expect(html).toContain(
      '<pre>npx exclusive-desk verify test/fixtures/report/assembly test/fixtures/report/fleet/initech-dental.template.yaml --format json</pre>',
    );
  });
});

describe('what the first screen and the printout say', () => {
  test('the banner at the top says what was proven, from what, when, by which version, and what was not', () => {
    const top = html.slice(0, html.indexOf('<main>'));
    expect(top).toContain(
      'What this pack proves: whether the synthesized CloudFormation templates of 3 tenant(s) (2 template file(s), each SHA-256 listed under Integrity) achieve the isolation level each licence promises, judged by the rule catalogue of exclusive-desk',
    );
    expect(top).toContain('generated 2026-06-01T09:30:00.000Z (licences judged on 2026-06-01)');
    expect(top).toContain('Template evidence only: it does NOT show the deployed account');
  });

  test('prints with page numbers and a running footer naming the scope, version, time and inputs digest', () => {
    expect(html).toContain('@bottom-right { content: "Page " counter(page) " of " counter(pages);');
    expect(html).toMatch(/@bottom-left \{ content: "3 tenant\(s\) · exclusive-desk [^"]+ · 2026-06-01T09:30:00\.000Z · inputs [0-9a-f]{16}";/);
  });

  test('each regime view states the mapping is evidence, not assessment, and titles its controls', () => {
    const s = section('initech-dental');
    expect(s).toContain('It is evidence for a control, not an assessment of it');
    expect(s).toContain('<code>HIPAA 164.312(a)(2)(iv)</code><br><span class="small">Encryption and decryption</span>');
    expect(s).toContain('EVIDENCE FAILS');
    expect(s).not.toContain('>SUPPORTED<');
  });
});
