import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { MetricsSource } from '../src/observe/index.ts';
import { collectErrors, hasChromium, newPage, noChromium, shot, signIn, consoleStand } from './support/browser.ts';
import { skipTitle } from './support/skip.ts';
import type { TestPolis } from './support/test-polis.ts';

/** What the education bureau's admin must never see: the other departments, by name and id, and tax's applications. */
const OTHER_DEPARTMENTS = ['税务局', '人社局', '卫健委', '市场监管局', 'e-invoice', 'tax-filing'];
const OTHER_IDS = /\b(tax|hrss|health|samr)\b/;

/** The month now in the city's time (UTC+8), the page's default. */
const MONTH = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
const DAYS = [`${MONTH}-01`, `${MONTH}-02`];

/** Two closed days on two clusters: edu, tax, a shared PostgreSQL split between them, and idle on its own line. */
function costDay(day: string, k: number) {
  const line = (cluster: string, vendor: string, tenant: string, app: string, item: string, fen: number) => ({
    day,
    cluster,
    vendor,
    tenant,
    app,
    component: app ? 'web' : '',
    item,
    fen: fen * k,
  });
  const east = [
    line('gov-east', 'inspur-cloud', 'edu', 'enrolment-portal', 'cpu', 10_832),
    line('gov-east', 'inspur-cloud', 'edu', 'enrolment-portal', 'memory', 3_071),
    line('gov-east', 'inspur-cloud', 'edu', 'shared-pg', 'shared', 2_708),
    line('gov-east', 'inspur-cloud', 'tax', 'e-invoice', 'cpu', 17_692),
    line('gov-east', 'inspur-cloud', 'tax', 'shared-pg', 'shared', 2_708),
    line('gov-east', 'inspur-cloud', '', '', 'idle', 20_320),
  ];
  const burst = [
    line('burst-aliyun', 'aliyun', 'edu', 'enrolment-portal', 'premium', 1_501),
    line('burst-aliyun', 'aliyun', 'tax', 'tax-filing', 'cpu', 999),
  ];
  const total = (ls: { fen: number }[]) => ls.reduce((s, l) => s + l.fen, 0);
  return {
    totals: [
      { day, cluster: 'gov-east', totalFen: total(east) },
      { day, cluster: 'burst-aliyun', totalFen: total(burst) },
    ],
    lines: [...east, ...burst],
  };
}

const fenOf = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute('data-fen'));

/**
 * The operations console (issue 17 point 7) in zh-CN at 1366x768: the data bureau's 费用 with the city total and the
 * reconciliation per cluster; a department admin's own bill, budget, export, recommendations (applied as a new
 * revision) and scorecard, with no other department named anywhere.
 */
describe.skipIf(!hasChromium)(
  skipTitle('the operations console (费用, 优化建议, 评估), in Chromium', noChromium),
  { timeout: 300_000 },
  () => {
    let t: TestPolis;
    let browser: Browser;
    let base: string;
    const all = DAYS.map((d, i) => costDay(d, i + 1));
    const cityFen = all.flatMap((d) => d.totals).reduce((s, x) => s + x.totalFen, 0);
    const eduFen = all
      .flatMap((d) => d.lines)
      .filter((l) => l.tenant === 'edu')
      .reduce((s, l) => s + l.fen, 0);

    consoleStand({ controllers: false }, async (s) => {
      ({ t, browser, base } = s);
      for (const [i, d] of all.entries()) await t.polis.store.ledger.closeCostDay(DAYS[i]!, d.totals, d.lines);
      // A budget the month has gone past: edu's total is ¥543.36; the budget ¥450 (120.7%).
      const budget = await t.request('POST', '/apis/polis.io/v1/tenants/edu/budgets', {
        token: t.adminToken,
        body: { apiVersion: 'polis.io/v1', kind: 'Budget', metadata: { name: 'monthly' }, spec: { amount: 450 } },
      });
      expect(budget.statusCode, budget.body).toBe(201);
      const app = await t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/edu/applications', {
        token: t.tokens['edu-admin'],
        body: {
          apiVersion: 'core.oam.dev/v1beta1',
          kind: 'Application',
          metadata: { name: 'sizing' },
          spec: {
            components: [
              {
                name: 'web',
                type: 'webservice',
                properties: { image: 'registry.example.gov.cn/edu/web:1.0.0', cpu: '2', memory: '1Gi' },
              },
            ],
          },
        },
      });
      expect(app.statusCode, app.body).toBe(201);
      // A recorded week for every component (10% of its request, 1% of the time 30%): the recommender's input,
      // standing in for the simulated cloud's history, which a polis without controllers does not have.
      const recorded: MetricsSource['history'] = async (_ref, _signal, from, to, step) =>
        Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => (i % 100 === 0 ? 0.3 : 0.1));
      Object.assign(t.polis.metricsSource!, { history: recorded });
    });

    it('shows the data bureau every department, the city total and a reconciliation that adds up', async () => {
      const { page, context } = await newPage(browser);
      await page.setViewportSize({ width: 1366, height: 768 });
      const errors = collectErrors(page);
      await signIn(page, base, t.adminToken);
      await page.getByTestId('nav-costs').click();
      expect(await page.getByTestId('nav-costs').textContent()).toBe('费用');
      await page.getByTestId('recon-gov-east').waitFor();
      for (const cluster of ['gov-east', 'burst-aliyun']) {
        const row = page.getByTestId(`recon-${cluster}`);
        const fen = async (id: string) => Number(await row.getByTestId(id).getAttribute('data-fen'));
        const [a, i, s, total] = [
          await fen('recon-allocated'),
          await fen('recon-idle'),
          await fen('recon-shared'),
          await fen('recon-total'),
        ];
        expect(a + i + s, cluster).toBe(total);
        expect(await row.textContent()).toContain('已平衡');
      }
      expect(await fenOf(page, 'city-total')).toBe(cityFen);
      expect(await page.getByTestId('city-balanced').getAttribute('data-balanced')).toBe('true');
      // Idle left on its own line, and every department's bill.
      const bills = await page.getByTestId('department-bills').textContent();
      expect(bills).toContain('闲置（未分摊到部门）');
      expect(bills).toContain('¥609.60'); // 203.20 + 406.40
      expect(bills).toContain('税务局');
      expect(bills).toContain('教育局');
      await shot(page, '60-operations-costs-city');
      // Utilization: the departments' chart and the clusters' capacity.
      await page.getByTestId('nav-utilization').click();
      await page.getByTestId('util-clusters').waitFor();
      // The platform's maturity level, each criterion with its measured figure.
      await page.getByTestId('nav-assessment').click();
      const level = page.getByTestId('maturity-level');
      await level.waitFor();
      expect(Number(await level.getAttribute('data-level'))).toBeGreaterThanOrEqual(1);
      expect(await level.textContent()).toContain('符合标准的应用占比');
      expect(await level.textContent()).toContain('未测量'); // SLO attainment is not measured yet
      await shot(page, '64-operations-assessment-city');
      expect(errors).toEqual([]);
      await context.close();
    });

    it('shows a department admin only its bill and budget, and exports a CSV whose total matches', async () => {
      const { page, context } = await newPage(browser);
      await page.setViewportSize({ width: 1366, height: 768 });
      const errors = collectErrors(page);
      await signIn(page, base, t.tokens['edu-admin']!);
      await page.getByTestId('nav-costs').click();
      await page.getByTestId('bill-total').waitFor();
      expect(await fenOf(page, 'bill-total')).toBe(eduFen);
      expect(await fenOf(page, 'bill-groups-total')).toBe(eduFen);
      expect(await page.getByTestId('bill-total').textContent()).toContain(`¥${(eduFen / 100).toFixed(2)}`);
      expect(await page.getByTestId('cost-city').count()).toBe(0);
      const budget = page.getByTestId('budget-monthly');
      expect(await budget.getAttribute('data-level')).toBe('exceeded');
      expect(await budget.textContent()).toContain('已超出预算 120.7%');
      const text = (await page.locator('body').textContent()) ?? '';
      for (const other of OTHER_DEPARTMENTS) expect(text, other).not.toContain(other);
      expect(text).not.toMatch(OTHER_IDS);
      await shot(page, '61-operations-costs-department');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('cost-export-csv').click(),
      ]);
      expect(download.suggestedFilename()).toBe(`polis-bill-edu-${MONTH}.csv`);
      const csv = readFileSync((await download.path())!, 'utf8');
      const totalLine = csv
        .trim()
        .split(/\r?\n/)
        .find((l) => l.includes('total'))!;
      const yuan = Number(totalLine.split(',').at(-1)!.replaceAll('"', ''));
      expect(Math.round(yuan * 100)).toBe(await fenOf(page, 'bill-total'));
      expect(csv).not.toContain('e-invoice');
      expect(errors).toEqual([]);
      await context.close();
    });

    it('lets a department admin apply a recommendation and see the revision it made, then its scorecard in Chinese', async () => {
      const { page, context } = await newPage(browser);
      await page.setViewportSize({ width: 1366, height: 768 });
      const errors = collectErrors(page);
      await signIn(page, base, t.tokens['edu-admin']!);
      await page.getByTestId('nav-recommendations').click();
      const row = page.getByTestId('rec-edu/sizing/web');
      await row.waitFor();
      const text = (await page.locator('body').textContent()) ?? '';
      for (const other of OTHER_DEPARTMENTS) expect(text, other).not.toContain(other);
      expect(text).not.toMatch(OTHER_IDS);
      // Largest saving first.
      const savings = await page
        .getByTestId('rec-saving')
        .evaluateAll((els) => els.map((e) => Number((e.textContent ?? '').replace(/[^\d.-]/g, ''))));
      expect(savings.length).toBeGreaterThan(0);
      expect([...savings].sort((a, b) => b - a)).toEqual(savings);
      await shot(page, '62-operations-recommendations');

      await row.getByTestId('rec-apply').click();
      await page.getByTestId('rec-confirm').click();
      await expect.poll(() => page.getByTestId('rec-applied').textContent()).toContain('生成版本 sizing-v2');
      const revisions = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/sizing/revisions', {
        token: t.tokens['edu-admin'],
      });
      expect(revisions.body).toContain('sizing-v2');
      const app = (await t.polis.resources.get('Application', 'edu', 'sizing')).spec as {
        components: { properties: { cpu: string } }[];
      };
      expect(app.components[0]!.properties.cpu).not.toBe('2');

      await page.getByTestId('nav-assessment').click();
      await page.getByTestId('assess-open-sizing').click();
      const maintainer = page.getByTestId('check-maintainer-named');
      await maintainer.waitFor();
      expect(await maintainer.getAttribute('data-passed')).toBe('false');
      expect(await maintainer.textContent()).toContain('未指明维护人');
      expect(await maintainer.textContent()).toContain('设置注解 polis.io/maintainer');
      expect(await maintainer.textContent()).toContain('警告');
      const assessed = (await page.locator('body').textContent()) ?? '';
      for (const other of OTHER_DEPARTMENTS) expect(assessed, other).not.toContain(other);
      await shot(page, '63-operations-scorecard');
      expect(errors).toEqual([]);
      await context.close();
    });
  },
);
