import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import { constant } from '../src/sim/index.ts';
import {
  collectErrors,
  ensureConsoleBuilt,
  hasChromium,
  launchChromium,
  newPage,
  noChromium,
  shot,
  signIn,
} from './support/browser.ts';
import { skipTitle } from './support/skip.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

const APP = '/apis/core.oam.dev/v1beta1/tenants/tax/applications/e-invoice';

/** Whether the page is laid out in 1366 px without a horizontal scroll bar. */
const fitsWidth = (page: Page) =>
  page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');

/**
 * The monitoring console (issue 15 point 8) in zh-CN at 1366x768: a fault injected into the simulated cloud's tax
 * bureau (errors in the e-invoice signer) opens an incident; the data bureau sees it on the overview and in 告警与事件
 * with its verdict in Chinese, opens it, acknowledges and resolves it (audited), then reads the application's chart,
 * its pods and a pod's log, followed live. The education bureau's admin sees only its own incidents and series.
 */
describe.skipIf(!hasChromium)(
  skipTitle('the monitoring console, in Chromium', noChromium),
  { timeout: 300_000 },
  () => {
    let t: TestPolis;
    let browser: Browser;
    let base: string;
    let ns = '';
    let incident = '';

    /** Virtual time: the simulated cloud, the history sampler and the incident engine, one 15-second step at a time. */
    async function step(n: number, evaluateEvery = 1): Promise<void> {
      for (let i = 0; i < n; i++) {
        t.polis.sim!.advance(15_000);
        await t.polis.history.sampler!.tick();
        if ((i + 1) % evaluateEvery === 0) await t.polis.incidents!.evaluate();
      }
    }

    beforeAll(async () => {
      ensureConsoleBuilt();
      t = await startTestPolis({
        listen: true,
        controllers: true,
        virtualTime: true,
        clock: new ManualClock('2026-07-01T01:00:00Z'),
      });
      base = t.polis.url!;
      for (let i = 0; i < 20; i++) {
        await t.polis.clusters.probeAll();
        await t.polis.delivery.resyncAll();
        await t.polis.feed.idle();
        await t.polis.delivery.idle();
        t.polis.sim!.advance(1000);
      }
      const app = await t.request('GET', APP, { token: t.adminToken });
      ns = (app.json() as { status: { namespace: string } }).status.namespace;
      const sim = t.polis.sim!;
      sim.setScenario(ns, 'gateway', constant(60));
      sim.startTelemetry();
      await t.polis.incidents!.evaluate();
      // 40 minutes of quiet history, then the fault.
      await step(160, 4);
      // A department rule that holds, under a silence: listed as silenced, never hidden.
      for (const body of [
        {
          apiVersion: 'observe.polis.io/v1',
          kind: 'AlertRule',
          metadata: { name: 'quota-watch', tenant: 'tax' },
          spec: {
            severity: 'ticket',
            threshold: { signal: 'quotaCpuUsed', aggregate: 'last', window: '1m', op: '>=', value: 0 },
          },
        },
        {
          apiVersion: 'observe.polis.io/v1',
          kind: 'Silence',
          metadata: { name: 'quota-maintenance', tenant: 'tax' },
          spec: { matchers: { rule: 'quota-watch' }, endsAt: '2099-01-01T00:00:00Z', comment: '配额调整期间' },
        },
      ]) {
        const r = await t.request('POST', '/api/v1/apply', { token: t.tokens['tax-admin'], body });
        expect(r.statusCode, r.body).toBeLessThan(300);
      }
      for (let i = 0; i < 3; i++) {
        t.polis.sim!.advance(15_000);
        await t.polis.alerts.tick();
      }
      const alerts = await t.request('GET', '/apis/observe.polis.io/v1/tenants/tax/alerts', { token: t.adminToken });
      expect(alerts.json().items).toContainEqual(
        expect.objectContaining({ rule: 'quota-watch', state: 'firing', silencedBy: 'tax/quota-maintenance' }),
      );
      const add = await t.request('POST', '/api/v1/sandbox/faults', {
        token: t.adminToken,
        body: { type: 'errors', target: { namespace: ns, component: 'signer' }, rate: 0.3, durationSeconds: 600 },
      });
      expect(add.statusCode, add.body).toBe(201);
      await step(8);
      const list = await t.request('GET', '/apis/polis.io/v1/tenants/tax/incidents', { token: t.adminToken });
      const items = list.json().items as { metadata: { name: string }; spec: { verdictKind: string } }[];
      expect(items.map((i) => i.spec.verdictKind)).toEqual(['application']);
      incident = items[0]!.metadata.name;
      browser = await launchChromium();
    }, 600_000);

    afterAll(async () => {
      await browser?.close();
      await t?.stop();
    });

    const open = async (token: string): Promise<{ page: Page; close: () => Promise<void>; errors: string[] }> => {
      const { page, context } = await newPage(browser);
      await page.setViewportSize({ width: 1366, height: 768 });
      const errors = collectErrors(page);
      await signIn(page, base, token);
      return { page, errors, close: () => context.close() };
    };

    it('shows the incident with its verdict in Chinese, and acknowledges and resolves it', async () => {
      const { page, errors, close } = await open(t.adminToken);
      // The overview's 需要关注: the open incident, its coded reason rendered in Chinese.
      const attention = page.getByTestId(`attention-incident-${incident}`);
      await attention.waitFor();
      expect(await attention.textContent()).toMatch(/^应用：e-invoice 的组件 \S*signer/);

      await page.getByTestId('nav-incidents').click();
      await page.getByTestId('incident-table').waitFor();
      expect(await page.getByTestId('nav-incidents').textContent()).toBe('告警与事件');
      expect(await page.getByTestId(`incident-verdict-${incident}`).textContent()).toBe('应用');
      expect(await page.getByTestId(`incident-state-${incident}`).textContent()).toBe('未处理');
      expect(await fitsWidth(page)).toBe(true);
      await shot(page, '60-observe-incidents');

      // The alerts: the silenced one is listed, marked with its silence.
      await page.getByTestId('tab-alerts').click();
      const silenced = page.getByTestId('alert-row-quota-watch');
      await silenced.waitFor();
      expect(await silenced.getByTestId('alert-silenced').textContent()).toBe('已静默：tax/quota-maintenance');
      expect(await silenced.textContent()).toContain('告警中');
      await page.getByTestId('tab-incidents').click();

      await page.getByTestId(`incident-link-${incident}`).click();
      await page.getByTestId('incident-detail').waitFor();
      expect(await page.getByTestId('incident-verdict').textContent()).toBe('应用');
      expect(await page.getByTestId('incident-reason').textContent()).toMatch(/应用：e-invoice 的组件 \S*signer/);
      expect(await page.getByTestId('incident-owner').textContent()).toContain('部门及其供应商');
      // The ranked candidates with their evidence: the signer first, its error share before → after.
      const top = page.getByTestId('candidate-1');
      expect(await top.textContent()).toContain('signer');
      expect(await top.textContent()).toContain('errors');
      expect(await page.getByTestId('timeline-opened').count()).toBeGreaterThan(0);
      expect(await fitsWidth(page)).toBe(true);
      await shot(page, '61-observe-incident');

      await page.getByTestId('incident-ack').click();
      await expect.poll(() => page.getByTestId('incident-state').textContent(), { timeout: 60_000 }).toBe('已确认');
      await page.getByTestId('timeline-acknowledged').waitFor();
      await page.getByTestId('incident-resolve').click();
      await page.getByTestId('confirm-resolve').click();
      await expect.poll(() => page.getByTestId('incident-state').textContent(), { timeout: 60_000 }).toBe('已解决');
      expect(await page.getByTestId('incident-resolve').count()).toBe(0);

      // Through the same API as the CLI, each on the timeline and in the audit log.
      const got = await t.request('GET', `/apis/polis.io/v1/tenants/tax/incidents/${incident}`, {
        token: t.adminToken,
      });
      const timeline = got.json().spec.timeline as { action: string; actor: string }[];
      expect(timeline.filter((e) => !e.actor.startsWith('system:')).map((e) => e.action)).toEqual([
        'acknowledged',
        'resolved',
      ]);
      const audit = await t.request('GET', `/api/v1/audit?kind=Incident&name=${incident}`, { token: t.adminToken });
      const verbs = (audit.json().items as { verb: string }[]).map((e) => e.verb);
      expect(verbs).toEqual(expect.arrayContaining(['acknowledge', 'resolve']));
      expect(errors).toEqual([]);
      await close();
    });

    it("opens the application's monitoring chart, its pods and a signer pod's log, followed live", async () => {
      const { page, errors, close } = await open(t.adminToken);
      await page.goto(`${base}/applications/tax/e-invoice?tab=monitoring`);
      const chart = page.getByTestId('app-chart-polis_component_requests_per_second');
      await chart.waitFor();
      await expect.poll(() => chart.getAttribute('data-loaded'), { timeout: 60_000 }).toBe('true');
      expect(Number(await chart.getAttribute('data-series'))).toBeGreaterThanOrEqual(2);
      await chart.locator('canvas').first().waitFor();
      // The range picker asks for a week.
      await page.getByTestId('range-7d').click();
      await expect.poll(() => page.url(), { timeout: 60_000 }).toContain('range=7d');
      await expect.poll(() => chart.getAttribute('data-loaded'), { timeout: 60_000 }).toBe('true');
      await shot(page, '62-observe-app-chart');

      // Its service graph: the gateway calls the signer, the edge labelled with its observed rate.
      await page.goto(`${base}/applications/tax/e-invoice?tab=topology`);
      await page.getByTestId('service-graph').waitFor();
      await page.getByTestId('service-node-signer').waitFor();
      await expect
        .poll(() => page.getByTestId('topology-edges').textContent(), { timeout: 60_000 })
        .toMatch(/gateway → signer.*req\/s/);

      // The data bureau's monitoring: a line per department, and the clusters.
      await page.goto(`${base}/monitoring?tab=departments`);
      const depts = page.getByTestId('dept-chart-polis_component_requests_per_second');
      await expect.poll(() => depts.getAttribute('data-loaded'), { timeout: 60_000 }).toBe('true');
      expect(Number(await depts.getAttribute('data-series'))).toBeGreaterThanOrEqual(2);
      await page.goto(`${base}/monitoring?tab=clusters&cluster=gov-east`);
      const pods = page.getByTestId('node-chart-polis_node_pods');
      await expect.poll(() => pods.getAttribute('data-loaded'), { timeout: 60_000 }).toBe('true');
      expect(Number(await pods.getAttribute('data-series'))).toBeGreaterThanOrEqual(2);

      await page.goto(`${base}/applications/tax/e-invoice?tab=pods`);
      await page.getByTestId('app-pods').waitFor();
      const listed = (await t.request('GET', `${APP}/pods`, { token: t.adminToken })).json() as {
        clusters: { cluster: string; pods: { name: string; component: string }[] }[];
      };
      const [cluster, pod] = listed.clusters.flatMap((c) =>
        c.pods.filter((p) => p.component === 'signer').map((p) => [c.cluster, p.name] as const),
      )[0]!;
      await page.getByTestId(`pod-logs-${pod}`).click();
      const lines = page.getByTestId('log-lines');
      await expect.poll(() => lines.textContent(), { timeout: 60_000 }).toMatch(/ERROR /);
      await shot(page, '63-observe-pod-log');
      await page.getByTestId('log-follow').click();
      await expect.poll(() => lines.getAttribute('data-lines'), { timeout: 60_000 }).not.toBe('0');
      // A line written now reaches the open viewer through the follow stream.
      await expect
        .poll(
          async () => {
            t.polis.sim!.cluster(cluster)!.writeLog({ namespace: ns, pod }, 'INFO 浏览器跟踪的一行');
            return lines.textContent();
          },
          { timeout: 60_000, interval: 2000 },
        )
        .toContain('浏览器跟踪的一行');
      expect(errors).toEqual([]);
      await close();
    });

    it('keeps a department admin to its own incidents and series', async () => {
      const { page, errors, close } = await open(t.tokens['edu-admin']!);
      await page.getByTestId('nav-incidents').click();
      await page.getByTestId('incident-table').waitFor();
      await page.getByTestId('show-resolved').click();
      await expect
        .poll(() => page.getByTestId('incident-table').textContent(), { timeout: 60_000 })
        .toContain('没有事件');
      expect(await page.getByTestId(`incident-row-${incident}`).count()).toBe(0);
      await page.getByTestId('tab-alerts').click();
      await page.getByTestId('alert-table').waitFor();
      await expect
        .poll(() => page.getByTestId('alert-table').locator('.ant-spin-spinning').count(), { timeout: 60_000 })
        .toBe(0);
      expect(await page.getByTestId('alert-row-quota-watch').count()).toBe(0);
      // Another department's incident, asked for by its address: refused, nothing of it shown.
      await page.goto(`${base}/incidents/tax/${incident}`);
      await expect.poll(() => page.locator('.ant-alert').count(), { timeout: 60_000 }).toBeGreaterThan(0);
      expect(await page.getByTestId('incident-detail').count()).toBe(0);

      await page.goto(`${base}/monitoring`);
      const chart = page.getByTestId('chart-polis_component_requests_per_second');
      await chart.waitFor();
      await expect.poll(() => chart.getAttribute('data-loaded'), { timeout: 60_000 }).toBe('true');
      // Only the education bureau in the picker; no clusters tab.
      // The dropdown opens after the click, its names follow the display names' answer (the id `edu` until then), and
      // a re-render as the page's data arrives may close it: open it again until it shows its options.
      const picker = page.getByTestId('monitor-department');
      const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
      await expect
        .poll(
          async () => {
            if ((await options.count()) === 0) await picker.click();
            return options.allTextContents();
          },
          { timeout: 60_000 },
        )
        .toEqual(['教育局']);
      await page.keyboard.press('Escape');
      expect(await page.getByText('集群与节点').count()).toBe(0);
      await shot(page, '64-observe-department-monitoring');
      expect(errors).toEqual([]);
      await close();
    });
  },
);
