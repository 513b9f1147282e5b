import type { Browser, Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { collectErrors, hasChromium, noChromium, consoleStand } from './support/browser.ts';
import { skipTitle } from './support/skip.ts';
import type { TestPolis } from './support/test-polis.ts';

/**
 * The console's boot with a kept session (issue 13, first render): the frame's chunk and the chunk of the page the URL
 * names are fetched while the session is checked (`whoami`), not one after the other once it is answered. The check is
 * held back until the page's chunk has been asked for: without the preload it never is, and the check is let through
 * after a generous wait, marked late.
 */
describe.skipIf(!hasChromium)(skipTitle('the console boot, in Chromium', noChromium), { timeout: 240_000 }, () => {
  let t: TestPolis;
  let browser: Browser;

  consoleStand({}, (s) => ({ t, browser } = s));

  /** A zh-CN page signed in with a kept session (the admin's token in localStorage), closed with its context. */
  async function signedIn<T>(use: (page: Page, errors: string[]) => Promise<T>): Promise<T> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    try {
      await context.addInitScript(`localStorage.setItem('polis.token', ${JSON.stringify(t.adminToken)})`);
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      return await use(page, collectErrors(page));
    } finally {
      await context.close();
    }
  }

  for (const { path, chunk, shown } of [
    { path: '/clusters', chunk: /\/assets\/cluster-list-page-[^/]+\.js$/, shown: '[data-testid^="cluster-health-"]' },
    { path: '/', chunk: /\/assets\/overview-page-[^/]+\.js$/, shown: '[data-testid="nav"]' },
  ])
    it(`asks for the chunk of ${path} while the session is checked`, () =>
      signedIn(async (page, errors) => {
        let asked!: () => void;
        const chunkAsked = new Promise<boolean>((resolve) => (asked = () => resolve(true)));
        page.on('request', (r: Request) => {
          if (chunk.test(new URL(r.url()).pathname)) asked();
        });
        const whoami: boolean[] = [];
        await page.route('**/api/v1/whoami', async (route) => {
          const late = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000));
          whoami.push(await Promise.race([chunkAsked, late]));
          await route.continue();
        });
        await page.goto(t.polis.url! + path);
        await page.locator(shown).first().waitFor();
        expect(whoami.length).toBeGreaterThan(0);
        expect(whoami.every((x) => x)).toBe(true);
        expect(errors).toEqual([]);
      }));

  it('starts the overview’s charts and map only once its figures are shown', () =>
    signedIn(async (page, errors) => {
      await page.goto(`${t.polis.url!}/`);
      await page.getByTestId('chart-capacity').locator('canvas').waitFor();
      await page.getByTestId('cluster-map').locator('.react-flow__node').first().waitFor();
      const times = (await page.evaluate(`(() => {
        const ready = performance.getEntriesByName('polis:overview-ready')[0].startTime;
        const asked = (re) => performance.getEntriesByType('resource').filter((e) => re.test(new URL(e.name).pathname)).map((e) => e.startTime);
        return { ready, charts: asked(/\\/assets\\/echart-/), map: asked(/\\/assets\\/cluster-map-/) };
      })()`)) as { ready: number; charts: number[]; map: number[] };
      expect(times.charts.length).toBeGreaterThan(0);
      expect(times.map.length).toBeGreaterThan(0);
      for (const at of [...times.charts, ...times.map]) expect(at).toBeGreaterThanOrEqual(times.ready);
      expect(errors).toEqual([]);
    }));
});
