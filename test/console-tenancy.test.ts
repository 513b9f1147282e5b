import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { collectErrors, hasChromium, newPage, shot, signIn, noChromium, consoleStand } from './support/browser.ts';
import { skipTitle } from './support/skip.ts';

/**
 * A department's users in the console: they see their department only, everywhere, and are not offered what only
 * the data bureau may use. Also the language switch. Controllers are off: this is about what is shown to whom.
 */
describe.skipIf(!hasChromium)(
  skipTitle('the console for a department’s users, in Chromium', noChromium),
  { timeout: 120_000 },
  () => {
    let t: TestPolis;
    let browser: Browser;
    let base: string;

    consoleStand({ controllers: false }, (s) => ({ t, browser, base } = s));

    it('shows an education bureau admin only education’s applications, and refuses the tax bureau’s', async () => {
      const { page, context } = await newPage(browser);
      const errors = collectErrors(page);
      await signIn(page, base, t.tokens['edu-admin']!);
      expect(await page.getByTestId('scope').textContent()).toContain('edu');
      await page.getByTestId('nav-applications').click();
      await page.getByTestId('app-link-edu-enrolment-portal').waitFor();
      await expect.poll(() => page.getByTestId('app-count').textContent()).toMatch(/1 \/ 共 1/);
      expect(await page.getByTestId('app-table').textContent()).not.toContain('e-invoice');
      await shot(page, '20-department-applications');

      // Typed by hand: the API refuses, and the console says so.
      await page.goto(`${base}/applications/tax/e-invoice`);
      const error = page.getByTestId('api-error');
      await error.waitFor();
      expect(await error.textContent()).toContain('无权访问');
      expect(await page.getByTestId('app-detail').count()).toBe(0);
      await shot(page, '21-other-department-refused');

      // Departments and usage: education alone.
      await page.goto(`${base}/departments`);
      await page.getByTestId('department-link-edu').waitFor();
      expect(await page.getByTestId('department-table').locator('tbody tr').count()).toBe(1);

      // Its share of the private cloud is shown (a bar with the percentage), no other department's.
      await page.getByTestId('share-edu').waitFor();
      expect(await page.getByTestId('share-edu').getAttribute('data-level')).toMatch(/^(ok|near|over)$/);
      expect(await page.getByTestId('share-edu').textContent()).toMatch(/\d+(\.\d)?%/);
      expect(await page.getByTestId('share-tax').count()).toBe(0);

      // The overview counts education's applications only; recent events are education's.
      await page.goto(`${base}/`);
      await expect
        .poll(() => page.getByTestId('stat-applications').textContent(), { timeout: 60_000 })
        .toMatch(/\/\s*1/);
      const events = await page.getByTestId('recent-events').textContent();
      expect(events).not.toContain('tax/');
      expect(errors).toEqual([]);
      await context.close();
    });

    it('does not offer department users the audit log or the sandbox’s cluster controls', async () => {
      const { page, context } = await newPage(browser);
      await signIn(page, base, t.tokens['edu-staff']!);
      expect(await page.getByTestId('nav-audit').count()).toBe(0);
      // A member may load its own applications in the sandbox, not fail clusters.
      await page.getByTestId('nav-sandbox').click();
      await page.getByTestId('load-app').waitFor();
      expect(await page.getByTestId('sandbox-clusters').count()).toBe(0);
      expect(await page.getByTestId('fail-gov-east').count()).toBe(0);
      // …and only its own department's applications are offered.
      await page.getByTestId('load-app').click();
      const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
      await options.first().waitFor();
      await expect.poll(() => options.allTextContents()).toEqual(['edu/enrolment-portal']);
      await options.first().click();
      await page.getByTestId('load-submit').click();
      await expect.poll(() => page.getByTestId('sandbox-log').textContent()).toContain('edu/enrolment-portal');
      await shot(page, '22-member-sandbox');
      await context.close();

      // A department admin reads its department's audit entries, but may not verify the whole chain.
      const admin = await newPage(browser);
      await signIn(admin.page, base, t.tokens['edu-admin']!);
      await admin.page.getByTestId('nav-audit').click();
      await admin.page.getByTestId('audit-table').waitFor();
      expect(await admin.page.getByTestId('audit-verify').count()).toBe(0);
      await admin.context.close();
    });

    it('switches to English and keeps the choice across a reload', async () => {
      const { page, context } = await newPage(browser);
      await signIn(page, base, t.tokens['tax-admin']!);
      expect(await page.getByTestId('nav-applications').textContent()).toBe('应用');
      await page.getByTestId('lang-switch').getByText('English').click();
      await expect.poll(() => page.getByTestId('nav-applications').textContent()).toBe('Applications');
      await page.reload();
      await page.getByTestId('nav').waitFor();
      expect(await page.getByTestId('nav-applications').textContent()).toBe('Applications');
      expect(await page.evaluate('document.documentElement.lang')).toBe('en');
      await shot(page, '23-english');
      await context.close();
    });

    it('ends the session when the token is refused, and says why on the login page', async () => {
      const { page, context } = await newPage(browser);
      await page.goto(`${base}/`);
      await page.getByTestId('login-token').fill('polis_notatoken_nope');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-error').waitFor();
      expect(await page.getByTestId('nav').count()).toBe(0);
      await context.close();
    });

    it('serves the console’s routes from the same process, and keeps API errors for API paths', async () => {
      const deep = await fetch(`${base}/applications/edu/enrolment-portal?tab=yaml`);
      expect(deep.status).toBe(200);
      expect(deep.headers.get('cache-control')).toBe('no-cache');
      const html = await deep.text();
      expect(html).toContain('<div id="root">');
      // A production build, even when the test run (NODE_ENV=test) built it: React's development runtime is not shipped.
      expect(html).not.toContain('jsx-dev-runtime');
      const api = await fetch(`${base}/apis/no-such-group/v1/things`);
      expect(api.status).toBe(404);
      expect(((await api.json()) as { kind: string }).kind).toBe('Status');
    });
  },
);
