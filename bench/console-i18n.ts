/**
 * The reason-code walk as a figure (issue 13): the console's main pages in zh-CN with a failed cluster and a quota
 * refusal (test/support/i18n-walk.ts), counting the English sentences from the server each page shows. Goal 0.
 * Writes bench/results/console-i18n.json. Needs Debian's Chromium (/usr/bin/chromium).
 *
 *   npm run bench:console-i18n
 */
import {
  ensureConsoleBuilt,
  hasChromium,
  launchChromium,
  newPage,
  pick,
  setEditorText,
  signIn,
} from '../test/support/browser.ts';
import { walkConsoleZh } from '../test/support/i18n-walk.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/kernel/config.ts';
import { startPolis } from '../src/main.ts';
import { generateSecretKey } from '../src/tenancy/secret-cipher.ts';
import { figure, printFigures, writeResult } from './support/results.ts';

if (!hasChromium) {
  console.error('no Chromium at /usr/bin/chromium: apt-get install chromium');
  process.exit(1);
}
ensureConsoleBuilt();
const dataDir = mkdtempSync(join(tmpdir(), 'polis-i18n-'));
const polis = await startPolis(
  loadConfig(
    {},
    { dataDir, secretKey: generateSecretKey(), demo: true, port: 0, logLevel: 'silent', heartbeatMs: 500 },
  ),
  { listen: true, controllers: true, feedPollMs: 200, bookmarkMs: 200 },
);
const t = {
  adminToken: readFileSync(polis.adminTokenFile!, 'utf8').trim(),
  request: (method: string, url: string, o: { token?: string } = {}) =>
    polis.app.inject({
      method: method as 'GET',
      url,
      headers: o.token ? { authorization: `Bearer ${o.token}` } : {},
    }),
};
const browser = await launchChromium();
try {
  const { page } = await newPage(browser, { lang: 'zh' });
  await signIn(page, polis.url!, t.adminToken);
  const findings = await walkConsoleZh(page, polis.url!, t, setEditorText, pick);
  const count = (pages: typeof findings) => pages.reduce((n, f) => n + f.sentences.length, 0);
  const audit = findings.filter((f) => f.page === 'audit');
  const others = findings.filter((f) => f.page !== 'audit');
  const figures = [
    figure({
      metric: 'untranslated server sentences in the zh-CN walk',
      value: count(findings),
      unit: 'sentences',
      goal: '<= 0',
      baseline: `${findings.length} pages: ${findings.map((f) => `${f.page} ${f.sentences.length}`).join(', ')}`,
    }),
    figure({
      metric: 'untranslated server sentences, audit log left aside',
      value: count(others),
      unit: 'sentences',
      goal: '<= 0',
      baseline: 'every page but the audit log, whose entries record English messages without a code',
    }),
  ];
  printFigures('console i18n walk (zh-CN)', figures);
  const file = await writeResult({
    benchmark: 'console-i18n',
    command: 'npm run bench:console-i18n',
    figures,
    parameters: { pages: findings.map((f) => f.page) },
    notes: [...audit, ...others]
      .filter((f) => f.sentences.length > 0)
      .map((f) => `${f.page}: ${[...new Set(f.sentences)].slice(0, 5).join(' | ')}`),
  });
  console.log(`wrote ${file}`);
} finally {
  await browser.close();
  await polis.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
