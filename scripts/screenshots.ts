/**
 * Screenshots of the console for docs/console.md: polis with the demo city (controllers and the simulated cloud in
 * real time, on a loopback port of a fresh data folder), signed in as the data bureau's admin in zh-CN, the main
 * pages at 1366x768 and the big screen at 1920x1080, written to docs/screenshots/. `npm run screenshots` (builds
 * the console first when stale). Each page is taken once its data is in (a page's own test id, and for the overview
 * and the big screen their `polis:*-ready` marks), so the pictures show what an operator sees, not spinners.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../src/kernel/config.ts';
import { startPolis } from '../src/main.ts';
import { generateSecretKey } from '../src/tenancy/secret-cipher.ts';
import { hasChromium, launchChromium, signIn } from '../test/support/browser.ts';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');

interface Shot {
  readonly file: string;
  readonly path: string;
  /** What must be on the page before it is taken. */
  readonly ready: (page: Page) => Promise<unknown>;
}

const SHOTS: readonly Shot[] = [
  {
    file: 'overview.png',
    path: '/',
    ready: (p) => p.waitForFunction("performance.getEntriesByName('polis:overview-ready').length > 0"),
  },
  { file: 'applications.png', path: '/applications', ready: (p) => p.getByText('enrolment-portal').first().waitFor() },
  {
    file: 'application.png',
    path: '/applications/edu/enrolment-portal',
    ready: (p) => p.getByTestId('app-detail').locator('[data-phase="Running"]').first().waitFor(),
  },
  { file: 'clusters.png', path: '/clusters', ready: (p) => p.getByTestId('cluster-health-gov-east').waitFor() },
  { file: 'departments.png', path: '/departments', ready: (p) => p.getByTestId('department-table').waitFor() },
  {
    file: 'audit.png',
    path: '/audit',
    ready: (p) => p.getByTestId('audit-table').locator('tbody tr').first().waitFor(),
  },
];

async function take(browser: Browser, base: string, token: string): Promise<string[]> {
  const written: string[] = [];
  // bypassCSP: waitForFunction evaluates its predicate as a string, which the console's policy refuses.
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
    bypassCSP: true,
  });
  const page = await context.newPage();
  await signIn(page, base, token);
  for (const s of SHOTS) {
    await page.goto(base + s.path);
    await s.ready(page);
    // Charts and live figures draw within a few hundred ms of their data; let the frame settle.
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(OUT, s.file) });
    written.push(s.file);
  }
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(`${base}/bigscreen`);
  await page.waitForFunction("performance.getEntriesByName('polis:bigscreen-ready').length > 0");
  await page.getByTestId('bigscreen-live').and(page.locator('[data-live="true"]')).waitFor();
  await page.waitForTimeout(2000);
  await page.screenshot({ path: join(OUT, 'bigscreen-1920x1080.png') });
  written.push('bigscreen-1920x1080.png');
  await context.close();
  return written;
}

async function main(): Promise<void> {
  if (!hasChromium) throw new Error('no Chromium at /usr/bin/chromium (apt-get install chromium)');
  execFileSync(process.execPath, [join(import.meta.dirname, 'build-web.mjs'), '--if-stale'], { stdio: 'inherit' });
  mkdirSync(OUT, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'polis-shots-'));
  const config = loadConfig(
    {},
    {
      dataDir,
      secretKey: generateSecretKey(),
      demo: true,
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      heartbeatMs: 500,
    },
  );
  const polis = await startPolis(config, { listen: true, controllers: true });
  let browser: Browser | undefined;
  try {
    const token = readFileSync(polis.adminTokenFile!, 'utf8').trim();
    // The demo city's applications running before the first picture.
    for (let i = 0; i < 240; i++) {
      const r = await polis.app.inject({
        method: 'GET',
        url: '/apis/core.oam.dev/v1beta1/applications',
        headers: { authorization: `Bearer ${token}` },
      });
      const items = (r.json() as { items: { status?: { phase?: string } }[] }).items;
      if (items.length > 0 && items.every((a) => a.status?.phase === 'Running')) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    browser = await launchChromium();
    const written = await take(browser, polis.url!, token);
    console.log(`wrote ${written.map((f) => `docs/screenshots/${f}`).join(', ')}`);
  } finally {
    await browser?.close();
    await polis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
