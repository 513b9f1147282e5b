import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { hasChromium, newPage, noChromium, signIn, consoleStand } from './support/browser.ts';
import { skipTitle } from './support/skip.ts';

/**
 * The header's search box and display names in Chromium, in zh-CN: 教育局 and jyj find the department, a
 * department admin's search shows only its own department, and the cluster list reads vendor names (阿里云).
 */
describe.skipIf(!hasChromium)(
  skipTitle('the console search box, in Chromium', noChromium),
  { timeout: 180_000 },
  () => {
    let t: TestPolis;
    let browser: Browser;

    consoleStand({}, (s) => ({ t, browser } = s));

    it('finds 教育局 by its Chinese name and by jyj, and opens it', async () => {
      const { context, page } = await newPage(browser, { lang: 'zh' });
      await signIn(page, t.polis.url!, t.adminToken);
      const box = page.getByTestId('search-box');
      await box.fill('教育局');
      await page.getByTestId('search-hit-Tenant-edu').waitFor();
      await box.fill('');
      await box.fill('jyj');
      const hit = page.getByTestId('search-hit-Tenant-edu');
      await hit.waitFor();
      expect(await hit.textContent()).toContain('教育局');
      await hit.click();
      await page.waitForURL(/\/departments\/edu$/);
      await context.close();
    });

    it("shows a department admin only its own department's names", async () => {
      const { context, page } = await newPage(browser, { lang: 'zh' });
      await signIn(page, t.polis.url!, t.tokens['edu-admin']!);
      const box = page.getByTestId('search-box');
      await box.fill('局');
      await page.getByTestId('search-hit-Tenant-edu').waitFor();
      const hits = await page
        .locator('[data-testid^="search-hit-"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
      expect(hits).toEqual(['search-hit-Tenant-edu']);
      await box.fill('swj');
      await page.getByText('没有匹配项').waitFor();
      await context.close();
    });

    it('reads vendor and network zone names in the cluster list', async () => {
      const { context, page } = await newPage(browser, { lang: 'zh' });
      await signIn(page, t.polis.url!, t.adminToken);
      await page.goto(`${t.polis.url!}/clusters`);
      await page.getByText('阿里云').first().waitFor();
      await page.getByText('政务外网').first().waitFor();
      await page.getByText('城东').first().waitFor();
      await context.close();
    });
  },
);
