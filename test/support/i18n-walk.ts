import type { Page } from 'playwright-core';

/** The polis walked: its admin token and requests to its API (a TestPolis, or a polis a benchmark started). */
export interface WalkTarget {
  readonly adminToken: string;
  request(method: string, url: string, opts?: { token?: string }): Promise<{ statusCode: number; body: string }>;
}

/**
 * The reason-code walk (issue 13): the console's main pages in zh-CN, with state that makes the server speak (a
 * failed cluster: events, exclusions, conditions; a quota refusal), collecting every Latin-script sentence the page
 * shows. A sentence is a run of 3+ English words; ids, names, quantities, commands and YAML are not sentences, nor
 * what people wrote themselves (an application's description: marked `data-user-text`), nor a cluster's own event
 * messages, quoted beside their reason in Chinese (`data-cluster-text`).
 */

/** A run of three or more words of Latin letters, joined by spaces and light punctuation. */
const RUN = /[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*(?:[ ,;:()]+[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*){2,}/g;

/** The English sentences in a text: runs of 3+ words; a `polis …` command line quoted in a sentence is not one. */
export function latinSentences(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(RUN)) {
    const run = m[0].trim();
    if (/^polis\b/.test(run)) continue;
    const words = run.split(/[ ,;:()]+/).filter(Boolean);
    if (words.length >= 3) out.push(run);
  }
  return out;
}

export interface PageFinding {
  readonly page: string;
  readonly sentences: readonly string[];
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The visible text of the page's content, without code, YAML editors and the (untranslatable) brand header. */
async function contentText(page: Page): Promise<string> {
  // A string, evaluated in the page (this file is typed without the DOM library).
  return page.evaluate<string>(`(() => {
    const main = document.querySelector('main') ?? document.querySelector('.ant-layout-content') ?? document.body;
    const root = main.cloneNode(true);
    // Not polis's sentences: what people wrote (data-user-text), and a cluster's own event messages, quoted as the
    // cluster wrote them beside their reason in the reader's language (data-cluster-text).
    for (const el of root.querySelectorAll('code, pre, .cm-editor, [data-user-text], [data-cluster-text]')) el.remove();
    // Tooltips and titles hold server text too (the applications list's health tooltip).
    const titles = [...main.querySelectorAll('[title]')].map((e) => e.getAttribute('title') ?? '');
    root.style.position = 'absolute';
    root.style.left = '-99999px';
    document.body.appendChild(root);
    const text = root.innerText;
    root.remove();
    return text + '\\n' + titles.join('\\n');
  })()`);
}

const QUOTA_BUSTER = `apiVersion: core.oam.dev/v1beta1
kind: Application
metadata:
  name: too-big
spec:
  components:
    - name: web
      type: webservice
      properties:
        image: registry.example.gov.cn/edu/big:1.0.0
        cpu: "500"
        memory: 1Gi
`;

/**
 * Fails gov-west, waits until placement has moved off it, provokes a quota refusal on the create page, then walks
 * the pages and returns what each showed in English. The page must be signed in, in Chinese.
 */
export async function walkConsoleZh(
  page: Page,
  base: string,
  t: WalkTarget,
  setEditorText: (page: Page, testId: string, text: string) => Promise<void>,
  pick: (page: Page, testId: string, option: string) => Promise<void>,
): Promise<PageFinding[]> {
  const findings: PageFinding[] = [];
  const look = async (name: string) =>
    findings.push({ page: name, sentences: latinSentences(await contentText(page)) });
  const admin = { token: t.adminToken };

  const failed = await t.request('POST', '/api/v1/sandbox/clusters/gov-west/fail', admin);
  if (failed.statusCode >= 300) throw new Error(`sandbox fail: ${failed.statusCode} ${failed.body}`);
  await until('gov-west Unreachable', async () => {
    const r = await t.request('GET', '/apis/polis.io/v1/clusters/gov-west', admin);
    return (JSON.parse(r.body) as { status?: { health?: string } }).status?.health === 'Unreachable';
  });
  await until('tax/e-invoice moved off gov-west', async () => {
    const r = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/tax/applications/e-invoice', admin);
    const s = (JSON.parse(r.body) as { status?: { components?: { excluded?: { cluster: string }[] }[] } }).status;
    return (s?.components ?? []).some((c) => (c.excluded ?? []).some((x) => x.cluster === 'gov-west'));
  });

  // A refusal: more cpu than the department's quota.
  await page.goto(`${base}/applications/new`);
  await pick(page, 'create-department', '(edu)');
  await setEditorText(page, 'create-yaml', QUOTA_BUSTER);
  await page.getByTestId('create-apply').click();
  await page.locator('[data-testid="api-error"], [data-testid="yaml-problem"]').first().waitFor();
  await look('create (quota refusal)');

  await page.goto(`${base}/`);
  await page.getByTestId('overview').waitFor();
  await page.getByTestId('recent-events').locator('a').first().waitFor();
  await look('overview');

  await page.goto(`${base}/applications`);
  await page.getByTestId('app-table').waitFor();
  await page.locator('[data-phase]').first().waitFor();
  await look('applications');

  await page.goto(`${base}/applications/tax/e-invoice`);
  await until(
    'the exclusion of gov-west on the status tab',
    async () => (await page.locator('[data-placed="false"]').count()) > 0,
  );
  await page.getByTestId('condition-Ready').first().waitFor();
  await look('application status');

  await page.goto(`${base}/applications/tax/e-invoice?tab=events`);
  await page.getByTestId('app-events').locator('[data-server-text]').first().waitFor();
  await look('application events');

  await page.goto(`${base}/clusters`);
  await page.getByText('gov-west').first().waitFor();
  await look('clusters');

  await page.goto(`${base}/clusters/gov-west`);
  await page.getByTestId('cluster-conditions').locator('[data-server-text]').first().waitFor();
  await look('cluster gov-west');

  await page.goto(`${base}/departments`);
  await page.getByTestId('department-link-edu').waitFor();
  await look('departments');

  await page.goto(`${base}/departments/edu`);
  await page.locator('main').first().waitFor();
  await look('department edu');

  await page.goto(`${base}/audit`);
  await page.locator('main .ant-table-row').first().waitFor();
  await look('audit');

  return findings;
}
