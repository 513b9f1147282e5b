import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { collectErrors, hasChromium, newPage, noChromium, signIn, consoleStand } from './support/browser.ts';
import { skipTitle } from './support/skip.ts';

/**
 * Pages whose figures the server computes do not list every application to the browser (issue 13: at 10,000
 * applications the departments page took 35 s), and stay live all the same.
 */
describe.skipIf(!hasChromium)(
  skipTitle('console pages over server-side figures, in Chromium', noChromium),
  { timeout: 180_000 },
  () => {
    let t: TestPolis;
    let browser: Browser;
    let base: string;

    consoleStand({ controllers: false }, (s) => ({ t, browser, base } = s));

    it('shows departments without listing applications, and follows a new application’s requests live', async () => {
      const { page, context } = await newPage(browser);
      const errors = collectErrors(page);
      await signIn(page, base, t.adminToken);
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`${base}/departments`);
      await page.getByTestId('department-link-edu').waitFor();
      const cpu = page.getByTestId('dept-cpu-edu');
      await cpu.waitFor();
      const before = await cpu.textContent();

      // 16 cores more for education (its quota is 64): the bar moves without a reload.
      const r = await t.request('POST', '/api/v1/apply', {
        token: t.adminToken,
        body: {
          apiVersion: 'core.oam.dev/v1beta1',
          kind: 'Application',
          metadata: { name: 'scale-probe', tenant: 'edu' },
          spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx', cpu: '16' } }] },
        },
      });
      expect(r.statusCode, r.body).toBeLessThan(300);
      await expect.poll(() => cpu.textContent(), { timeout: 60_000 }).not.toBe(before);

      // The applications were watched for changes, never listed page by page.
      const lists = requests.filter((u) => /\/applications\?(.*&)?limit=(?!1(&|$))/.test(u));
      expect(lists).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('shows the overview, the clusters page and the big screen from the summary, and the list as rows', async () => {
      const { page, context } = await newPage(browser);
      const errors = collectErrors(page);
      await signIn(page, base, t.adminToken);
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`${base}/`);
      await expect
        .poll(() => page.getByTestId('stat-applications').textContent(), { timeout: 60_000 })
        .toMatch(/\/ [1-9]/);
      await page.goto(`${base}/clusters`);
      await page.getByTestId('cluster-health-gov-east').waitFor();
      await page.goto(`${base}/bigscreen`);
      await page.locator('[data-testid="bigscreen"][data-ready="true"]').waitFor();
      // Their application figures come summed from the server; no application was listed to them.
      expect(requests.some((u) => u.includes('/api/v1/applications/summary'))).toBe(true);
      const lists = requests.filter((u) => /\/applications\?(.*&)?limit=(?!1(&|$))/.test(u));
      expect(lists).toEqual([]);
      // The applications page lists rows, not whole objects.
      await page.goto(`${base}/applications`);
      await page.locator('[data-testid="app-table-body"] [role=row]').first().waitFor();
      const appLists = requests.filter((u) => /\/applications\?(.*&)?limit=(?!1(&|$))/.test(u));
      expect(appLists.length).toBeGreaterThan(0);
      expect(appLists.filter((u) => !u.includes('view=rows'))).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('shows a department’s applications in one service graph, each component named with its application', async () => {
      const { page, context } = await newPage(browser);
      const errors = collectErrors(page);
      await signIn(page, base, t.tokens['edu-admin']!);
      await page.goto(`${base}/monitoring?tab=topology&department=edu`);
      await page.getByTestId('department-topology').waitFor();
      await page.locator('[data-testid^="service-node-enrolment-portal/"]').first().waitFor();
      expect(await page.getByTestId('department-topology').textContent()).not.toContain('e-invoice');
      expect(errors).toEqual([]);
      await context.close();
    });
  },
);
