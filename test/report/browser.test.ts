/**
 * Opens report.html from disk in a real headless Chromium (driven by playwright-core; no browser is ever downloaded)
 * the way an auditor opens it on an air-gapped laptop: a file:// URL, nothing else. The browser is Debian's when the
 * machine has one, else the build the npm package @sparticuz/chromium ships (test/support/chromium.ts), so `npm ci`
 * alone suffices on a fresh machine. When no browser can be had every test here FAILS with the reason; none skips.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { memoryIO } from '../../lib/cli/io';
import { CHROMIUM_ARGS, chromiumExecutable } from '../support/chromium';
import { main } from '../../lib/cli/main';
import { ASSEMBLY, FAKE, REPO, TENANTS } from './support';

const ARTIFACTS = path.join(REPO, 'test-artifacts', 'report');
const RED = 'rgb(180, 35, 24)'; // --red, #b42318

let tmp: string;
let reportUrl: string;
let context: BrowserContext | undefined;
let page: Page;
const consoleErrors: string[] = [];
const requests: string[] = [];

/** The computed style of an element, read in the page (the tests compile without DOM types). */
function style(locator: Locator, property: 'color' | 'stroke'): Promise<string> {
  return locator.evaluate(
    (el, p) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(el)[p] ?? '',
    property,
  );
}

beforeAll(async () => {
  const executablePath = await chromiumExecutable();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-browser-'));
  const out = path.join(tmp, 'pack');
  const io = memoryIO(REPO, { SOURCE_DATE_EPOCH: '1780306200' });
  const code = await main(
    ['report', ASSEMBLY, FAKE, '--output', out, '--tenants-dir', TENANTS, '--today', '2026-06-01'],
    io,
  );
  if (code !== 1) throw new Error(`report exited ${code}, expected 1 (a failing tenant): ${io.err}`);
  reportUrl = pathToFileURL(path.join(out, 'report.html')).href;

  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1280, height: 900 },
    offline: true,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(reportUrl, { waitUntil: 'load' });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('report.html in Chromium, from a file:// URL', () => {
  test('logs no console error', () => {
    expect(consoleErrors).toEqual([]);
  });

  test('makes no request but for the page itself', () => {
    expect(requests).toEqual([reportUrl]);
  });

  test('shows every tenant in the fleet summary and as a section', async () => {
    for (const id of ['initech-dental', 'globex-health', 'hooli-legal']) {
      await expect(page.locator(`#fleet tr[data-tenant="${id}"]`).isVisible()).resolves.toBe(true);
      await expect(page.locator(`#tenant-${id} h2`).isVisible()).resolves.toBe(true);
    }
  });

  test('shows the fake-exclusivity tenant failing, in red, with the offending resource named', async () => {
    const verdict = page.locator('#fleet tr[data-tenant="initech-dental"] .badge.verdict');
    await expect(verdict.textContent()).resolves.toBe('FAIL');
    await expect(style(verdict, 'color')).resolves.toBe(RED);
    const failures = page.locator('#tenant-initech-dental .box.failures');
    await expect(failures.isVisible()).resolves.toBe(true);
    const offending = failures.locator('tr.finding', { hasText: 'ISO-KMS-1' }).locator('td.offending');
    await expect(offending.textContent()).resolves.toContain('SharedPlatformDatabase');
    await expect(offending.isVisible()).resolves.toBe(true);
    await expect(style(offending, 'color')).resolves.toBe(RED);
    const passing = page.locator('#fleet tr[data-tenant="globex-health"] .badge.verdict');
    await expect(style(passing, 'color')).resolves.toBe('rgb(6, 118, 71)');
  });

  test('renders each boundary SVG, drawing the shared key and the vendor peering in red', async () => {
    const svgs = page.locator('svg.boundary');
    await expect(svgs.count()).resolves.toBe(2);
    for (let i = 0; i < 2; i++) {
      const box = await svgs.nth(i).boundingBox();
      expect(box?.width).toBeGreaterThan(400);
      expect(box?.height).toBeGreaterThan(150);
    }
    const peering = page.locator('#tenant-initech-dental g.crossing[data-resource="ToVendorPlatform"]');
    await expect(peering.isVisible()).resolves.toBe(true);
    await expect(style(peering.locator('rect'), 'stroke')).resolves.toBe('rgb(192, 38, 45)');
    const store = page.locator('#tenant-initech-dental g.store.flagged[data-resource="SharedPlatformDatabase"] rect');
    const storeBox = await store.boundingBox();
    expect(storeBox?.width).toBeGreaterThan(100);
    await expect(
      page.locator('#tenant-globex-health path.protects[data-key="DataKey"]').count(),
    ).resolves.toBeGreaterThan(0);
  });

  test('writes screenshots of the summary and the failing boundary to test-artifacts/report', async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const summary = path.join(ARTIFACTS, 'report-summary.png');
    const boundary = path.join(ARTIFACTS, 'report-fail-boundary.png');
    await page.screenshot({ path: summary });
    await page.locator('#tenant-initech-dental figure.boundary').screenshot({ path: boundary });
    for (const f of [summary, boundary]) expect(fs.statSync(f).size).toBeGreaterThan(10_000);
  });

  test('no badge overflows its table cell (measured)', async () => {
    // Runs in the page (a string: the test's TypeScript has no DOM types).
    const overflowing = await page.evaluate<string[]>(`[...document.querySelectorAll('td .badge, th .badge')].flatMap((b) => {
      const cell = b.closest('td, th').getBoundingClientRect();
      const r = b.getBoundingClientRect();
      return r.left < cell.left - 0.5 || r.right > cell.right + 0.5 ? [b.textContent + ' (' + r.width + 'px in ' + cell.width + 'px)'] : [];
    })`);
    expect(await page.locator('td .badge').count()).toBeGreaterThan(50);
    expect(overflowing).toEqual([]);
  });

  test('prints to PDF, several pages', async () => {
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0).toBeGreaterThan(2);
  });
});
