import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { collectErrors, hasChromium, noChromium, shot, consoleStand } from './support/browser.ts';
import { skipTitle } from './support/skip.ts';

/**
 * The big screen (大屏) in Debian's Chromium against a real polis with the simulated city running in real time:
 * laid out at 1920×1080 and scaled to 3840×2160, live without a reload when a cluster fails, and scoped to a
 * department for a department admin.
 */
describe.skipIf(!hasChromium)(skipTitle('the big screen, in Chromium', noChromium), { timeout: 240_000 }, () => {
  let t: TestPolis;
  let browser: Browser;
  let base: string;

  consoleStand({ controllers: true, config: { heartbeatMs: 500 } }, (s) => ({ t, browser, base } = s));

  async function open(token: string, width: number, height: number): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN' });
    await context.addInitScript(`localStorage.setItem('polis.token', ${JSON.stringify(token)})`);
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const errors = collectErrors(page);
    await page.goto(`${base}/bigscreen`);
    await page.locator('[data-testid="bigscreen"][data-ready="true"]').waitFor();
    return { page, errors };
  }

  /** The laid-out canvas's size on screen. */
  const canvasBox = (page: Page) =>
    page.evaluate(`(() => {
      const r = document.querySelector('[data-testid="bigscreen"] > div').getBoundingClientRect();
      return { width: Math.round(r.width), height: Math.round(r.height) };
    })()`) as Promise<{ width: number; height: number }>;

  it('shows the city to the data bureau at 1920×1080, without the console’s frame, and follows a failure live', async () => {
    const { page, errors } = await open(t.adminToken, 1920, 1080);
    expect(await canvasBox(page)).toEqual({ width: 1920, height: 1080 });
    expect(await page.getByTestId('nav').count()).toBe(0);
    expect(await page.getByTestId('bigscreen-scope').textContent()).toBe('全市');
    for (const c of ['gov-east', 'gov-west', 'burst-aliyun', 'burst-huawei', 'dr-north'])
      await page.getByTestId(`bigscreen-tile-${c}`).waitFor();
    await expect
      .poll(() => page.getByTestId('bigscreen-kpi-apps').textContent(), { timeout: 30_000 })
      .toMatch(/\/ 7 健康/);
    await page.getByTestId('bigscreen-chart-health').locator('canvas').waitFor();
    await page.getByTestId('bigscreen-chart-cost').locator('canvas').waitFor();
    await expect
      .poll(() => page.getByTestId('bigscreen-kpi-cost').textContent(), { timeout: 30_000 })
      .toMatch(/¥\s*[1-9]/);
    expect(await page.getByTestId('bigscreen-tile-gov-west').getAttribute('data-health')).toBe('healthy');

    // A cluster fails: its tile turns unreachable, its capacity leaves the available figure, a warning shows; the
    // page is never reloaded.
    await page.evaluate('window.__sameDocument = true');
    const res = await t.request('POST', '/api/v1/sandbox/clusters/gov-west/fail', { token: t.adminToken });
    expect(res.statusCode).toBeLessThan(300);
    await expect
      .poll(() => page.getByTestId('bigscreen-tile-gov-west').getAttribute('data-health'), { timeout: 60_000 })
      .toBe('unreachable');
    await expect
      .poll(() => page.getByTestId('bigscreen-kpi-cpu').textContent(), { timeout: 30_000 })
      .toContain('个不可达集群');
    await expect
      .poll(() => page.getByTestId('bigscreen-warning-list').locator('[role=listitem]').count(), { timeout: 60_000 })
      .toBeGreaterThan(0);
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await page.waitForTimeout(1500);
    await shot(page, 'bigscreen-1920x1080');
    await t.request('POST', '/api/v1/sandbox/clusters/gov-west/restore', { token: t.adminToken });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('scales the same layout to a 3840×2160 screen', async () => {
    const { page, errors } = await open(t.adminToken, 3840, 2160);
    expect(await canvasBox(page)).toEqual({ width: 3840, height: 2160 });
    const tile = await page.getByTestId('bigscreen-tile-gov-east').boundingBox();
    // Twice the size of its 1920×1080 self (6 tiles in a 1200-pixel panel there).
    expect(tile!.height).toBeGreaterThan(180);
    await shot(page, 'bigscreen-3840x2160');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows a department admin its own department only', async () => {
    const own = (
      await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications', { token: t.adminToken })
    ).json().items as { status?: { placement?: Record<string, Record<string, number>> } }[];
    const ownClusters = new Set(
      own.flatMap((a) => Object.values(a.status?.placement ?? {}).flatMap((p) => Object.keys(p))),
    );
    const { page, errors } = await open(t.tokens['edu-admin']!, 1920, 1080);
    await expect.poll(() => page.getByTestId('bigscreen-scope').textContent()).toContain('教育局');
    await expect
      .poll(() => page.getByTestId('bigscreen-kpi-apps').textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`/ ${own.length} 健康`));
    const tiles = await page
      .locator('[data-testid^="bigscreen-tile-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.replace('bigscreen-tile-', '')));
    expect(new Set(tiles)).toEqual(ownClusters);
    // The quota of its own department, not the city's capacity; no other department anywhere on screen.
    expect(await page.getByTestId('bigscreen-kpi-cpu').textContent()).toContain('配额');
    expect(await page.getByTestId('bigscreen-kpi-memory').count()).toBe(0);
    const text = (await page.getByTestId('bigscreen').textContent()) ?? '';
    for (const other of [/\btax\b/, /\bhealth\b/, /\bhrss\b/, /税务局/, /卫健委/]) expect(text).not.toMatch(other);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
