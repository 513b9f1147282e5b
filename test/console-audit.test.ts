import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExport } from '../src/audit/export-format.ts';
import { checkExport } from '../src/audit/export-verify.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import { collectErrors, ensureConsoleBuilt, hasChromium, launchChromium, noChromium, pick } from './support/browser.ts';
import { skipTitle } from './support/skip.ts';

/**
 * The audit page as a 等保 reviewer uses it, in zh-CN at 1366x768: people's actions first, one Chinese sentence per
 * entry, filters, details on expand, an XLSX export that verifies, and a department admin confined to its department.
 * Also takes docs/screenshots/audit.png.
 */
describe.skipIf(!hasChromium)(skipTitle('the audit page, in Chromium', noChromium), { timeout: 180_000 }, () => {
  let t: TestPolis;
  let browser: Browser;
  let base: string;

  const APPS = '/apis/core.oam.dev/v1beta1/tenants/edu/applications';
  const app = (image: string) => ({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'school-meals', tenant: 'edu' },
    spec: { components: [{ name: 'web', type: 'webservice', properties: { image, cpu: '100m', memory: '64Mi' } }] },
  });

  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await startTestPolis({ listen: true, controllers: false });
    base = t.polis.url!;
    const as = (user: string) => ({ token: t.tokens[user] });
    for (const [method, url, body] of [
      ['POST', APPS, app('nginx:1.26')],
      ['PUT', `${APPS}/school-meals`, app('nginx:1.27')],
      ['POST', `${APPS}/school-meals/rollback`, { revision: 1 }],
    ] as const) {
      const r = await t.request(method, url, { ...as('edu-admin'), body });
      expect(r.statusCode, r.body).toBeLessThan(300);
    }
    // A dry run that does not pass.
    const bad = await t.request('POST', '/api/v1/apply?dryRun=All', {
      ...as('edu-admin'),
      body: { ...app('nginx:1.27'), spec: { components: [{ name: 'web', type: 'nope', properties: {} }] } },
    });
    expect(bad.statusCode).toBe(422);
    await t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/tax/applications', {
      ...as('tax-admin'),
      body: { ...app('nginx:1.27'), metadata: { name: 'e-tax', tenant: 'tax' } },
    });
    browser = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function open(user: string): Promise<{ page: Page; close: () => Promise<void>; errors: string[] }> {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const errors = collectErrors(page);
    await page.goto(`${base}/`);
    await page.getByTestId('login-token').fill(t.tokens[user] ?? t.adminToken);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav').waitFor();
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-table').waitFor();
    return { page, errors, close: () => context.close() };
  }

  const summaries = (page: Page) => page.getByTestId('audit-summary').allTextContents();

  it('shows the data bureau people’s actions in Chinese, fitting 1366 px, with controllers behind the switch', async () => {
    const { page, close, errors } = await open('admin');
    await expect.poll(() => summaries(page)).toContain('王芳 将 edu/school-meals 回滚到版本 1');
    const texts = await summaries(page);
    expect(texts).toContain('王芳 修改了应用 edu/school-meals');
    expect(texts.some((s) => s.startsWith('王芳 试运行提交应用 edu/school-meals 未通过'))).toBe(true);
    // People first: no controller or seeding entries until the switch is on.
    expect(await page.getByTestId('audit-table').textContent()).not.toContain('system:');
    // Fits: no horizontal scrolling of the page or the table at 1366 px.
    const widths = (await page.evaluate(`({
      doc: document.documentElement.scrollWidth,
      table: document.querySelector('[data-testid="audit-table"] table')?.getBoundingClientRect().right ?? 0,
    })`)) as { doc: number; table: number };
    expect(widths.doc).toBeLessThanOrEqual(1366);
    expect(widths.table).toBeLessThanOrEqual(1366);
    mkdirSync('docs/screenshots', { recursive: true });
    await page.screenshot({ path: 'docs/screenshots/audit.png' });

    await page.getByTestId('audit-system').click();
    await expect.poll(() => page.getByTestId('audit-table').textContent()).toContain('system:');
    await page.getByTestId('audit-system').click();
    await expect.poll(() => page.getByTestId('audit-table').textContent()).not.toContain('system:');

    // Filter by action: the rollback alone; expanded, its details.
    await pick(page, 'audit-action', '回滚');
    await page.getByTestId('audit-search').click();
    await expect.poll(() => summaries(page)).toEqual(['王芳 将 edu/school-meals 回滚到版本 1']);
    await page.locator('[data-testid="audit-table"] .ant-table-row-expand-icon').first().click();
    const details = page.getByTestId('audit-details');
    await details.waitFor();
    expect(await details.textContent()).toContain('rollback');
    expect(await details.textContent()).toMatch(/[0-9a-f]{64}/);

    // Export what is shown as XLSX: one entry, and it verifies.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      (async () => {
        await page.getByTestId('audit-export').hover();
        await page.getByText('导出 Excel (XLSX)').click();
      })(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^polis-audit-.*\.xlsx$/);
    const parsed = parseExport(readFileSync((await download.path())!));
    expect(checkExport(parsed)).toMatchObject({ ok: true, entries: 1 });
    await page.getByTestId('audit-exported').waitFor();
    expect(errors).toEqual([]);
    await close();
  });

  it('shows an education bureau admin only education’s entries', async () => {
    const { page, close } = await open('edu-admin');
    await expect.poll(() => summaries(page)).toContain('王芳 将 edu/school-meals 回滚到版本 1');
    expect(await page.getByTestId('audit-table').textContent()).not.toMatch(/tax|e-tax|李强/);
    expect(await page.getByTestId('audit-verify').count()).toBe(0);
    await close();
  });
});
