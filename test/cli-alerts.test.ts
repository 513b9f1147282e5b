import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import { cliUsers } from './support/cli-users.ts';

/** `polis alerts …` against a served polis: rules, channels, silences, alerts and the Prometheus export. */
let t: TestPolis;
let home: string;

let cli: Awaited<ReturnType<typeof cliUsers>>;
const polis = (user: string, args: string[]) => cli.polis(user, args);

beforeAll(async () => {
  t = await startTestPolis({ listen: true });
  cli = await cliUsers(t, ['admin', 'edu-admin'], 'polis-cli-alerts-');
  home = cli.home;
  const manifest = join(home, 'alerting.yaml');
  writeFileSync(
    manifest,
    `apiVersion: observe.polis.io/v1
kind: AlertRule
metadata: { name: hot-portal, tenant: edu }
spec:
  severity: ticket
  for: 10m
  selector: { application: portal }
  threshold: { signal: cpuUtilization, window: 10m, op: '>=', value: 0.8 }
---
apiVersion: observe.polis.io/v1
kind: NotificationChannel
metadata: { name: oncall, tenant: edu }
spec: { type: wecom, wecom: { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' } }
secrets: { key: never-shown }
---
apiVersion: observe.polis.io/v1
kind: Silence
metadata: { name: saturday, tenant: edu }
spec:
  matchers: { application: portal }
  maintenance: { schedule: '0 2 * * 6', duration: 2h, timeZone: Asia/Shanghai }
  comment: weekly maintenance
`,
  );
  expect((await polis('edu-admin', ['apply', '-f', manifest])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await t?.stop();
  cli?.remove();
});

describe('polis alerts', () => {
  it('lists rules, channels and silences as tables, never a secret', async () => {
    const rules = await polis('edu-admin', ['alerts', 'rules', '-n', 'edu']);
    expect(rules.stdout).toContain('edu\thot-portal\tticket\tavg(cpuUtilization[10m]) >= 0.8\t10m');
    const channels = await polis('edu-admin', ['alerts', 'channels', '-n', 'edu']);
    expect(channels.stdout).toContain('edu\toncall\twecom\tpage,ticket\tzh-en');
    expect(channels.stdout + (await polis('edu-admin', ['alerts', 'channels', '-o', 'json'])).stdout).not.toContain(
      'never-shown',
    );
    const silences = await polis('edu-admin', ['alerts', 'silences', '-n', 'edu']);
    expect(silences.stdout).toContain('edu\tsaturday\tapplication=portal\t-\t-\t0 2 * * 6 for 2h\tweekly maintenance');
  });

  it('lists alerts and exports the rules as a Prometheus rule file', async () => {
    await t.polis.alerts.tick();
    const list = await polis('edu-admin', ['alerts', 'list', '-n', 'edu']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n')[0]).toBe('STATE\tSEVERITY\tDEPARTMENT\tRULE\tSINCE\tMESSAGE');
    const file = await polis('edu-admin', ['alerts', 'export', '-n', 'edu']);
    expect(file.code, file.stderr).toBe(0);
    expect(file.stdout).toContain('alert: hot-portal');
    expect(file.stdout).toContain('groups:');
  });
});
