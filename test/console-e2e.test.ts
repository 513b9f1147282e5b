import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import {
  collectErrors,
  hasChromium,
  newPage,
  pick,
  setEditorText,
  shot,
  signIn,
  noChromium,
  consoleStand,
} from './support/browser.ts';
import { skipTitle } from './support/skip.ts';

/**
 * The console in Debian's Chromium against a real polis (HTTP on a loopback port, controllers and the simulated
 * cloud running in real time): the data bureau's journey. Skipped, with a notice, only where /usr/bin/chromium is
 * absent; CI installs it.
 */
if (!hasChromium) console.warn('Chromium not found at /usr/bin/chromium: the console end-to-end tests are SKIPPED');

const MEALS = `# 教育局 · 学生营养餐服务
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: school-meals
spec:
  components:
    - name: web
      type: webservice
      properties:
        image: registry.example.gov.cn/edu/meals:1.0.0
        ports: [{ port: 8080, expose: true }]
        cpu: 500m
        memory: 512Mi
      traits:
        - type: scaler
          properties: { replicas: 2 }
`;

describe.skipIf(!hasChromium)(
  skipTitle('the console, end to end in Chromium', noChromium),
  { timeout: 180_000 },
  () => {
    let t: TestPolis;
    let browser: Browser;
    let page: Page;
    let base: string;
    let errors: string[];

    // Heartbeats every 500 ms: a failed cluster is Unreachable in 1.5 s instead of 6 s.
    consoleStand({ controllers: true, config: { heartbeatMs: 500 } }, async (s) => {
      ({ t, browser, base } = s);
      ({ page } = await newPage(browser));
      errors = collectErrors(page);
    });

    it('signs in with a token and shows the overview: clusters with health, applications by health, departments, events', async () => {
      await page.goto(`${base}/`);
      await expect.poll(() => page.title()).toContain('polis');
      await shot(page, '01-login');
      await signIn(page, base, t.adminToken);
      const overview = page.getByTestId('overview');
      await overview.waitFor();
      // Five sandbox clusters, all Ready, on the map; the seven example applications counted.
      await expect
        .poll(() => page.getByTestId('stat-clusters').textContent(), { timeout: 30_000 })
        .toMatch(/5\s*\/\s*5/);
      await expect
        .poll(() => page.getByTestId('stat-applications').textContent(), { timeout: 30_000 })
        .toMatch(/\/\s*7/);
      for (const c of ['gov-east', 'gov-west', 'burst-aliyun', 'burst-huawei', 'dr-north'])
        await page.getByTestId(`map-cluster-${c}`).waitFor();
      await page.getByTestId('chart-health').locator('canvas').waitFor();
      await page.getByTestId('chart-capacity').locator('canvas').waitFor();
      await expect
        .poll(() => page.getByTestId('consumption-table').locator('tbody tr').count())
        .toBeGreaterThanOrEqual(5);
      expect(await page.getByTestId('clusters-by-networkZone').textContent()).toContain('e-gov-extranet');
      await expect
        .poll(() => page.getByTestId('recent-events').locator('[role=listitem]').count(), { timeout: 30_000 })
        .toBeGreaterThan(0);
      // Chinese by default.
      expect(await page.getByTestId('nav-overview').textContent()).toBe('总览');
      await shot(page, '02-overview');
    });

    it('lists the applications and filters them by department, health and cluster', async () => {
      await page.getByTestId('nav-applications').click();
      await page.getByTestId('app-table').waitFor();
      await expect.poll(() => page.getByTestId('app-count').textContent()).toMatch(/7 \/ 共 7|7 of 7/);
      await pick(page, 'filter-department', '税务局');
      await expect.poll(() => page.getByTestId('app-count').textContent()).toMatch(/1 \/ 共 7/);
      expect(page.url()).toContain('department=tax');
      await page.getByTestId('app-link-tax-e-invoice').waitFor();
      await page.goto(`${base}/applications?cluster=burst-aliyun`);
      await expect.poll(() => page.getByTestId('app-count').textContent()).toMatch(/0 \/ 共 7/);
      await shot(page, '03-applications');
    });

    it('shows a YAML error at its line, then applies the application and sees it become Running', async () => {
      await page.goto(`${base}/applications/new`);
      await pick(page, 'create-department', '(edu)');
      const bad = MEALS.replace('type: webservice', 'type: webservicex');
      await setEditorText(page, 'create-yaml', bad);
      await page.getByTestId('create-validate').click();
      const problem = page.getByTestId('yaml-problem').first();
      await problem.waitFor();
      // Line 9 of the document is `type: webservicex`; the editor marks it too.
      expect(await problem.getAttribute('data-line')).toBe('9');
      expect(await problem.textContent()).toContain('spec.components[0].type');
      await page.getByTestId('create-yaml').locator('.cm-lintRange-error').first().waitFor();
      await shot(page, '04-yaml-error-at-line');

      await setEditorText(page, 'create-yaml', MEALS);
      await page.getByTestId('create-preview').click();
      await page.getByTestId('placement-preview').waitFor();
      await page.getByTestId('create-apply').click();
      await page.waitForURL(/\/applications\/edu\/school-meals/);
      await page.getByTestId('app-detail').locator('[data-phase="Running"]').first().waitFor({ timeout: 60_000 });
      await expect.poll(() => page.getByTestId('app-ready').textContent(), { timeout: 30_000 }).toBe('2/2');
      // The matrix when the graph would be too dense (more than 2 components × 2 clusters), else the graph.
      await page.getByTestId('placement-matrix').or(page.getByTestId('placement-graph')).first().waitFor();
      await shot(page, '05-applied-running');
    });

    it('creates an application from the form, with the API’s errors shown at the form’s fields', async () => {
      await page.goto(`${base}/applications/new?from=form`);
      await pick(page, 'create-department', '(edu)');
      await page.getByTestId('form-name').fill('library-portal');
      await page.getByTestId('form-image-0').fill('registry.example.gov.cn/edu/library:2.1.0');
      await page.getByTestId('form-cpu-0').fill('lots');
      await page.getByTestId('form-apply').click();
      // The server refuses the CPU quantity; the message lands under the CPU field, not in a generic banner.
      const fieldError = page.locator('.ant-form-item-has-error').filter({ has: page.getByTestId('form-cpu-0') });
      await fieldError.waitFor();
      expect(await fieldError.textContent()).toMatch(/CPU|cpu/);
      await shot(page, '06a-form-error-at-field');
      await page.getByTestId('form-cpu-0').fill('250m');
      await page.getByTestId('form-apply').click();
      await page.waitForURL(/\/applications\/edu\/library-portal/);
      await page.getByTestId('app-detail').locator('[data-phase="Running"]').first().waitFor({ timeout: 60_000 });
    });

    it('changes it through the YAML editor, shows the diff, and rolls back after confirmation', async () => {
      await page.goto(`${base}/applications/edu/school-meals?tab=yaml`);
      await page.getByTestId('yaml-edit').click();
      const live = await page.getByTestId('yaml-editor').locator('.cm-content').innerText();
      expect(live).toContain('replicas: 2');
      await setEditorText(page, 'yaml-editor', live.replace('replicas: 2', 'replicas: 3'));
      await page.getByTestId('yaml-apply').click();
      await expect
        .poll(() => page.getByTestId('app-revision').textContent(), { timeout: 30_000 })
        .toContain('school-meals-v2');
      await expect.poll(() => page.getByTestId('app-ready').textContent(), { timeout: 60_000 }).toBe('3/3');

      await page.goto(`${base}/applications/edu/school-meals?tab=revisions`);
      await page.getByTestId('revision-2').waitFor();
      await expect.poll(() => page.getByTestId('revision-diff').textContent()).toContain('replicas: 3');
      await page.getByTestId('rollback-1').click();
      await shot(page, '06-rollback-confirm');
      await page.getByTestId('confirm-rollback').click();
      await page.getByTestId('revision-3').waitFor();
      expect(await page.getByTestId('revision-3').textContent()).toMatch(/v1/);
      await expect
        .poll(() => page.getByTestId('app-revision').textContent(), { timeout: 30_000 })
        .toContain('school-meals-v3');
      await expect.poll(() => page.getByTestId('app-ready').textContent(), { timeout: 60_000 }).toBe('2/2');
      await shot(page, '07-rolled-back');
      // What the controllers did, live in the events tab.
      await page.goto(`${base}/applications/edu/school-meals?tab=events`);
      await expect.poll(() => page.getByTestId('app-events').textContent(), { timeout: 30_000 }).toContain('已应用'); // the Applied reason, in Chinese (docs/messages.md)
      // The Kubernetes Events of its namespace beside them, tagged with their cluster, in the cluster's own words.
      await expect.poll(() => page.getByTestId('event-cluster-tag').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      expect(await page.getByTestId('event-cluster-tag').first().textContent()).toMatch(/^Kubernetes · gov-/);
      expect(await page.getByTestId('app-events').textContent()).toMatch(/Successfully assigned edu/);
    });

    it('fails a cluster in the sandbox and sees the application move off it, then restores it', async () => {
      await page.goto(`${base}/applications/tax/e-invoice`);
      await page.getByTestId('placement-row-gateway-gov-west').waitFor();
      expect(await page.getByTestId('placement-row-gateway-gov-west').getAttribute('data-placed')).toBe('true');

      await page.getByTestId('nav-sandbox').click();
      await page.getByTestId('fail-gov-west').click();
      await page.getByTestId('confirm-fail').click();
      await expect
        .poll(() => page.getByTestId('sandbox-health-gov-west').getAttribute('data-health'), { timeout: 30_000 })
        .toBe('Unreachable');
      await shot(page, '08-sandbox-failed');

      await page.goto(`${base}/applications/tax/e-invoice`);
      // Every gateway replica on gov-east now; gov-west left out (and nothing deleted there: pending removal).
      await expect
        .poll(() => page.getByTestId('placement-row-gateway-gov-west').getAttribute('data-placed'), { timeout: 30_000 })
        .toBe('false');
      await page.getByTestId('app-failover').waitFor();
      await expect
        .poll(() => page.getByTestId('placement-gateway').textContent(), { timeout: 30_000 })
        .toContain('6/6');
      await shot(page, '09-application-moved');

      await page.goto(`${base}/sandbox`);
      await page.getByTestId('restore-gov-west').click();
      await expect
        .poll(() => page.getByTestId('sandbox-health-gov-west').getAttribute('data-health'), { timeout: 30_000 })
        .toBe('Ready');
    });

    it('verifies the audit chain and finds the sandbox action by actor and kind', async () => {
      await page.getByTestId('nav-audit').click();
      await page.getByTestId('audit-actor').fill('admin');
      await pick(page, 'audit-kind', /^Cluster$/);
      await page.getByTestId('audit-search').click();
      await expect.poll(() => page.getByTestId('audit-table').textContent()).toContain('gov-west');
      await page.getByTestId('audit-verify').click();
      await expect.poll(() => page.getByTestId('audit-verification').getAttribute('data-ok')).toBe('true');
      await shot(page, '10-audit');
    });

    it('ran every page without a JavaScript error', () => {
      expect(errors).toEqual([]);
    });
  },
);
