import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msg } from '../src/kernel/messages/index.ts';
import type { Notice } from '../src/observe/notify/index.ts';
import type { NotificationRecord } from '../src/observe/notify/index.ts';
import { startReceivers } from './support/notify-receivers.ts';
import { readMail, startSmtpServer } from './support/smtp-server.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Notification end to end (issue 15 point 6): channels made through the API, a notice sent through polis's
 * notifier, and receivers on loopback that check what DingTalk, WeCom, an SMTP server, an SMS gateway and a
 * webhook would check.
 */
const O = '/apis/observe.polis.io/v1';
const SECRET = 'SEC-test-signing-secret';
let t: TestPolis;
let http: Awaited<ReturnType<typeof startReceivers>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

function notice(over: Partial<Notice> = {}): Notice {
  return {
    kind: 'alert',
    id: `builtin:crash-loop|{app="portal",component="web",tenant="edu"}-${Math.random()}`,
    status: 'firing',
    tenant: 'edu',
    severity: 'page',
    owner: 'department',
    rule: 'crash-loop',
    title: msg('NotifyTitleFiring', { severity: 'page', rule: 'crash-loop' }),
    message: msg('AlertCrashLoop', { target: 'edu/portal/web' }),
    labels: { tenant: 'edu', app: 'portal', component: 'web' },
    at: Date.now(),
    ...over,
  };
}

async function apply(token: string, body: unknown): Promise<void> {
  const r = await t.request('POST', '/api/v1/apply', { token, body });
  if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
}

const channel = (name: string, spec: Record<string, unknown>, secrets?: Record<string, string>) => ({
  apiVersion: 'observe.polis.io/v1',
  kind: 'NotificationChannel',
  metadata: { name, tenant: 'edu' },
  spec: { retry: { attempts: 4, backoff: '10ms' }, ...spec },
  ...(secrets ? { secrets } : {}),
});

beforeAll(async () => {
  http = await startReceivers({ dingtalkSecret: SECRET, now: () => Date.now(), flakyFailures: 2 });
  smtp = await startSmtpServer({ password: 'mail-pass' });
  t = await startTestPolis({ config: { notifyAllowPrivate: true } });
  await apply(t.tokens['edu-admin']!, [
    channel(
      'ding',
      { type: 'dingtalk', language: 'zh', dingtalk: { url: `${http.url}/dingtalk?access_token=abc` } },
      { secret: SECRET },
    ),
    channel('wecom', { type: 'wecom', wecom: { url: `${http.url}/wecom` } }, { key: 'wecom-key' }),
    channel(
      'mail',
      {
        type: 'email',
        language: 'zh-en',
        email: {
          host: '127.0.0.1',
          port: smtp.port,
          from: 'polis@bureau.gov.cn',
          to: ['oncall@edu.gov.cn'],
          username: 'polis',
        },
      },
      { password: 'mail-pass' },
    ),
    channel(
      'sms',
      {
        type: 'sms',
        language: 'en',
        sms: {
          url: `${http.url}/sms?key={{secrets.apiKey}}`,
          body: '{"to": "{{phone}}", "content": "{{title}}"}',
          phones: ['+8613800000000'],
        },
      },
      { apiKey: 'k1' },
    ),
    channel(
      'hook',
      { type: 'webhook', route: { severities: ['page'] }, webhook: { url: `${http.url}/flaky` } },
      { token: 'tok' },
    ),
  ]);
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await http?.close();
  await smtp?.close();
});

describe('notification channels', () => {
  let records: NotificationRecord[];

  beforeAll(async () => {
    records = await t.polis.notifier.notify(notice());
    await t.polis.notifier.idle();
  }, 60_000);

  it('sends to every channel of the department, and records each delivery', () => {
    expect(records.map((r) => [r.channel, r.outcome]).sort()).toEqual([
      ['edu/ding', 'sent'],
      ['edu/hook', 'sent'],
      ['edu/mail', 'sent'],
      ['edu/sms', 'sent'],
      ['edu/wecom', 'sent'],
    ]);
  });

  it('signs DingTalk requests so that DingTalk’s own check passes, in Chinese from the catalogue', () => {
    const ding = http.received.filter((r) => r.path === '/dingtalk');
    expect(ding).toHaveLength(1);
    expect(ding[0]!.refused).toBeUndefined();
    expect(ding[0]!.query.get('access_token')).toBe('abc');
    const body = JSON.parse(ding[0]!.body) as { markdown: { title: string; text: string } };
    expect(body.markdown.title).toBe('[紧急] 告警：crash-loop');
    expect(body.markdown.text).toContain('edu/portal/web 反复崩溃重启');
  });

  it('posts WeCom the markdown payload it accepts, with the key from the sealed secrets', () => {
    const wecom = http.received.filter((r) => r.path === '/wecom');
    expect(wecom).toHaveLength(1);
    expect(wecom[0]!.refused).toBeUndefined();
    expect(wecom[0]!.query.get('key')).toBe('wecom-key');
  });

  it('sends e-mail over SMTP with AUTH, a UTF-8 subject and both languages', () => {
    expect(smtp.mails).toHaveLength(1);
    const m = smtp.mails[0]!;
    expect(m.auth).toEqual({ user: 'polis', password: 'mail-pass' });
    expect(m.to).toEqual(['oncall@edu.gov.cn']);
    const mail = readMail(m.data);
    expect(mail.subject).toBe('[紧急] 告警：crash-loop / [page] firing: crash-loop');
    expect(mail.text).toContain('反复崩溃重启');
    expect(mail.text).toContain('edu/portal/web is crash-looping');
  });

  it('fills the SMS gateway’s template, JSON-escaped in the body and URL-encoded in the URL', () => {
    const sms = http.received.filter((r) => r.path === '/sms');
    expect(sms).toHaveLength(1);
    expect(sms[0]!.query.get('key')).toBe('k1');
    expect(JSON.parse(sms[0]!.body)).toEqual({ to: '+8613800000000', content: '[page] firing: crash-loop' });
  });

  it('retries a webhook that answers 503 with back-off, and posts the coded notice with its bearer token', () => {
    const hook = http.received.filter((r) => r.path === '/flaky');
    expect(hook.map((r) => r.refused ?? 'ok')).toEqual(['busy', 'busy', 'ok']);
    expect(records.find((r) => r.channel === 'edu/hook')!.attempts).toBe(3);
    expect(hook[2]!.headers.authorization).toBe('Bearer tok');
    const body = JSON.parse(hook[2]!.body) as { message: { code: string }; department: string };
    expect(body).toMatchObject({ department: 'edu', message: { code: 'AlertCrashLoop' } });
  });

  it('routes by severity: a ticket does not reach the page-only webhook', async () => {
    const before = http.received.length;
    const r = await t.polis.notifier.notify(notice({ severity: 'ticket' }));
    expect(r.map((x) => x.channel).sort()).toEqual(['edu/ding', 'edu/mail', 'edu/sms', 'edu/wecom']);
    expect(http.received.slice(before).some((x) => x.path === '/flaky')).toBe(false);
  });

  it('never lists or shows a channel’s sealed secrets to a reader without the right to secret values', async () => {
    const r = await t.request('GET', `${O}/tenants/edu/notificationchannels/ding`, { token: t.tokens['vendor-dev'] });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain(SECRET);
    const list = await t.request('GET', `${O}/tenants/edu/notificationchannels`, { token: t.tokens['edu-admin'] });
    expect(list.body).not.toContain(SECRET);
  });
});

describe('held-back notices', () => {
  it('records an alert a dead cluster inhibits, saying by what, and sends nothing', async () => {
    const before = http.received.length + smtp.mails.length;
    const r = await t.polis.notifier.notify(
      notice({ inhibitedBy: { rule: 'cluster-unreachable', cluster: 'gov-east' } }),
    );
    expect(r).toMatchObject([
      {
        outcome: 'inhibited',
        reason: 'NotificationInhibited',
        detail: { code: 'NotifyInhibited', params: { cluster: 'gov-east' } },
      },
    ]);
    expect(http.received.length + smtp.mails.length).toBe(before);
  });

  it('holds back what a silence matches while it holds, and records which silence', async () => {
    await apply(t.tokens['edu-admin']!, {
      apiVersion: 'observe.polis.io/v1',
      kind: 'Silence',
      metadata: { name: 'upgrade', tenant: 'edu' },
      spec: {
        matchers: { application: 'portal' },
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        comment: 'portal upgrade',
      },
    });
    const r = await t.polis.notifier.notify(notice());
    expect(r).toMatchObject([
      { outcome: 'silenced', detail: { code: 'NotifySilenced', params: { silence: 'edu/upgrade' } } },
    ]);
    const other = await t.polis.notifier.notify(notice({ labels: { tenant: 'edu', app: 'exams', component: 'web' } }));
    expect(other.every((x) => x.outcome === 'sent')).toBe(true);
    await t.request('DELETE', `${O}/tenants/edu/silences/upgrade`, { token: t.tokens['edu-admin'] });
  });

  it('refuses a department silence or rule that names another department', async () => {
    const r = await t.request('POST', `${O}/tenants/edu/silences`, {
      token: t.tokens['edu-admin'],
      body: {
        apiVersion: 'observe.polis.io/v1',
        kind: 'Silence',
        metadata: { name: 'sneaky', tenant: 'edu' },
        spec: { matchers: { department: 'tax' }, endsAt: '2030-01-01T00:00:00Z', comment: 'x' },
      },
    });
    expect(r.statusCode).toBe(422);
    expect(r.body).toContain('spec.matchers.department');
  });
});

describe('notification records', () => {
  it('shows a department its own records only', async () => {
    const own = await t.request('GET', `${O}/tenants/edu/notifications`, { token: t.tokens['edu-admin'] });
    expect(own.statusCode).toBe(200);
    expect((own.json() as { items: unknown[] }).items.length).toBeGreaterThan(5);
    const other = await t.request('GET', `${O}/tenants/edu/notifications`, { token: t.tokens['tax-admin'] });
    expect(other.statusCode).toBe(403);
    const mine = await t.request('GET', `${O}/notifications`, { token: t.tokens['tax-admin'] });
    expect((mine.json() as { items: unknown[] }).items).toEqual([]);
    const all = await t.request('GET', `${O}/notifications`, { token: t.adminToken });
    expect((all.json() as { items: unknown[] }).items.length).toBeGreaterThan(5);
  });
});
