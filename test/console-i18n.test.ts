import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  hasChromium,
  newPage,
  noChromium,
  pick,
  setEditorText,
  shot,
  signIn,
  consoleStand,
} from './support/browser.ts';
import { latinSentences, walkConsoleZh } from './support/i18n-walk.ts';
import { skipTitle } from './support/skip.ts';
import type { TestPolis } from './support/test-polis.ts';

describe('what counts as an English sentence from the server', () => {
  it('is a run of three or more words; ids, names, quantities and commands are not', () => {
    expect(latinSentences('集群 gov-west 无法连接：the cluster is down')).toEqual(['the cluster is down']);
    expect(latinSentences('web：gov-east 2, gov-west 1；Deployment/web (created)')).toEqual([]);
    expect(latinSentences('执行 polis rollout resume 批准继续')).toEqual([]);
    expect(latinSentences('registry.example.gov.cn/edu/meals:1.0.0 500m 512Mi')).toEqual([]);
  });
});

describe.skipIf(!hasChromium)(
  skipTitle('the console in zh-CN says nothing of the server in English', noChromium),
  { timeout: 300_000 },
  () => {
    let t: TestPolis;
    let browser: Browser;
    let page: Page;

    consoleStand({ controllers: true, config: { heartbeatMs: 500 } }, async (s) => {
      ({ t, browser } = s);
      ({ page } = await newPage(browser, { lang: 'zh' }));
      await signIn(page, t.polis.url!, t.adminToken);
    });

    it('walks overview, applications, an application with events and exclusions, clusters with a failed one, departments and audit', async () => {
      const findings = await walkConsoleZh(page, t.polis.url!, t, setEditorText, pick);
      await shot(page, 'i18n-walk-last');
      expect(findings.map((f) => f.page)).toHaveLength(10);
      // Every page, the audit log's refusals included (recorded with their codes), says nothing in English.
      expect(findings.filter((f) => f.sentences.length > 0)).toEqual([]);
    });
  },
);
