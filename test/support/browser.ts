import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { TestPolis } from './test-polis.ts';
import { startTestPolis } from './test-polis.ts';

/** Debian's Chromium: the browser the console's end-to-end tests and bench/console drive (CI installs it). */
export const CHROMIUM = process.env.POLIS_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/** Why the browser tests cannot run here (undefined when they can): the skip reason their titles carry. */
export const noChromium = hasChromium
  ? undefined
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set POLIS_CHROMIUM)`;

/** Screenshots of the end-to-end tests, kept as artefacts (test-results/ is ignored by git). */
export const SHOTS = join('test-results', 'console');

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** Builds web/dist when it is missing or older than the console's sources (scripts/build-web.mjs). */
export function ensureConsoleBuilt(): void {
  const r = spawnSync(process.execPath, ['scripts/build-web.mjs', '--if-stale'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`the console did not build:\n${r.stdout}\n${r.stderr}`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** What a console test file works on: a listening polis, its address and one Chromium. */
export interface ConsoleStand {
  t: TestPolis;
  browser: Browser;
  base: string;
}

/**
 * The console tests' common set-up, for one describe block: before its tests, builds the console when stale, starts a
 * listening polis with `options` and launches Chromium, then hands them to `ready` (which may seed more); after them,
 * closes the browser and stops the polis, whatever failed.
 */
export function consoleStand(
  options: Omit<NonNullable<Parameters<typeof startTestPolis>[0]>, 'listen'>,
  ready: (stand: ConsoleStand) => unknown,
): void {
  let t: TestPolis | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await startTestPolis({ ...options, listen: true });
    browser = await launchChromium();
    await ready({ t, browser, base: t.polis.url! });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });
}

/** A fresh browser context (its own storage: one signed-in user) with a page on polis. */
export async function newPage(
  browser: Browser,
  opts: { lang?: 'zh' | 'en' } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  if (opts.lang) await context.addInitScript(`localStorage.setItem('polis.lang', ${JSON.stringify(opts.lang)})`);
  const page = await context.newPage();
  // Generous: a loaded machine is slow to navigate and render, never wrong (a failure still names the locator).
  page.setDefaultTimeout(60_000);
  return { context, page };
}

/** Signs in through the login page with an API token and waits for the console's navigation. */
export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByTestId('login-token').fill(token);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Replaces the text of the CodeMirror editor under `testId` (as a paste would). */
export async function setEditorText(page: Page, testId: string, text: string): Promise<void> {
  const content = page.getByTestId(testId).locator('.cm-content');
  await content.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/**
 * Picks an option of the antd Select under `testId` by its visible text, and checks that the Select shows it: on a
 * busy machine a click can land while the dropdown is still opening and select nothing, so it tries again (a few
 * times) rather than let the form be sent with the old value.
 */
export async function pick(page: Page, testId: string, option: string | RegExp): Promise<void> {
  const select = page.getByTestId(testId);
  const choice = page
    .locator('.ant-select-dropdown:visible .ant-select-item-option')
    .filter({ hasText: option })
    .first();
  for (let attempt = 1; ; attempt++) {
    // Open the dropdown unless it already shows the option (a second click on an open Select closes it).
    if (!(await choice.isVisible())) await select.click();
    // The dropdown can close under the click while it is still animating open; then it is opened again.
    const clicked = await choice.click({ timeout: 15_000 }).then(
      () => true,
      () => false,
    );
    // The chosen option is marked selected in its dropdown (kept in the page, hidden, once it closes).
    const selected = clicked
      ? await page.locator('.ant-select-dropdown .ant-select-item-option-selected').filter({ hasText: option }).count()
      : 0;
    if (selected > 0) return;
    if (attempt >= 5) throw new Error(`the ${testId} select did not take ${String(option)} in ${attempt} tries`);
  }
}

/**
 * Clicks `openTestId` (a button under a Popconfirm), then its confirmation `confirmTestId`, until `done` (what the
 * server holds afterwards) is true: on a busy machine the popover can close under the click while the page renders
 * again (a watch update), and the confirmation is lost; then it is asked again (a few times), never twice once done.
 */
export async function confirmUntil(
  page: Page,
  openTestId: string,
  confirmTestId: string,
  done: () => Promise<boolean>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const clicked = await page
      .getByTestId(openTestId)
      .click({ timeout: 15_000 })
      .then(() => page.getByTestId(confirmTestId).click({ timeout: 15_000 }))
      .then(
        () => true,
        () => false,
      );
    const end = Date.now() + (clicked ? 20_000 : 1_000);
    while (Date.now() < end) {
      if (await done()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (attempt >= 5) throw new Error(`${confirmTestId} did not take effect in ${attempt} tries`);
  }
}

/**
 * Collects a page's JavaScript errors and console errors (a Content-Security-Policy violation is one), to assert
 * that a flow ran without any. Failed requests the flow expects (a 403 it shows the user) are not errors of the page.
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  return errors;
}
