import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import { BACKENDS } from './setup/backends.ts';
import { startReceivers } from './support/notify-receivers.ts';
import { skipTitle } from './support/skip.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Alert state and notification records survive a restart of polis (issue 15 point 6), on each store: an alert
 * firing and notified before the restart is not notified again, a pending alert's `for` goes on from where it was,
 * and the records made before are listed after.
 */
const O = '/apis/observe.polis.io/v1';

const rule = (name: string, forDuration?: string) => ({
  apiVersion: 'observe.polis.io/v1',
  kind: 'AlertRule',
  metadata: { name, tenant: 'edu' },
  spec: {
    severity: 'ticket',
    ...(forDuration ? { for: forDuration } : {}),
    threshold: { signal: 'quotaCpuUsed', aggregate: 'last', window: '1m', op: '>=', value: 0 },
  },
});

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(
    skipTitle(
      `alerts across a restart (${backend.name})`,
      !backend.available && 'no PostgreSQL (install postgresql, or set POLIS_TEST_DATABASE_URL)',
    ),
    { timeout: 120_000 },
    () => {
      let t: TestPolis;
      let http: Awaited<ReturnType<typeof startReceivers>>;
      const clock = new ManualClock('2026-12-01T08:00:00Z');
      const hooks = () => http.received.filter((r) => r.path === '/hook');
      const tick = async (n = 1) => {
        for (let i = 0; i < n; i++) {
          clock.advance(15_000);
          await t.polis.alerts.tick();
        }
        await t.polis.notifier.idle();
      };

      beforeAll(async () => {
        http = await startReceivers({ dingtalkSecret: 'unused', now: () => Date.now() });
        t = await startTestPolis({ backend: backend.name, clock, config: { notifyAllowPrivate: true } });
        const r = await t.request('POST', '/api/v1/apply', {
          token: t.tokens['edu-admin'],
          body: [
            rule('quota-seen'),
            rule('quota-seen-long', '2m'),
            {
              apiVersion: 'observe.polis.io/v1',
              kind: 'NotificationChannel',
              metadata: { name: 'hook', tenant: 'edu' },
              spec: { type: 'webhook', route: { resolved: false }, webhook: { url: `${http.url}/hook` } },
            },
          ],
        });
        expect(r.statusCode, r.body).toBeLessThan(300);
      }, 120_000);

      afterAll(async () => {
        await t?.stop();
        await http?.close();
      });

      it('notifies a firing alert once and keeps a pending `for` going through a restart', async () => {
        await t.polis.alerts.tick();
        await t.polis.notifier.idle();
        expect(hooks().map((h) => h.body.includes('quota-seen-long'))).toEqual([false]);
        // A minute of the two-minute `for` passes, then polis restarts.
        await tick(4);
        expect(hooks()).toHaveLength(1);
        await t.restart();
        // Listed after the restart: what was sent before it.
        const listed = await t.request('GET', `${O}/tenants/edu/notifications`, { token: t.tokens['edu-admin'] });
        expect(listed.statusCode).toBe(200);
        const records = (listed.json() as { items: { outcome: string; notice: { rule?: string } }[] }).items;
        expect(records.filter((r) => r.notice.rule === 'quota-seen').map((r) => r.outcome)).toEqual(['sent']);
        // Three rounds after the restart: still nothing new (the firing alert is not told again; 1m45s < 2m).
        await tick(3);
        expect(hooks()).toHaveLength(1);
        // The fourth: two minutes since it became active, not since the restart: it fires and is told.
        await tick(1);
        expect(hooks()).toHaveLength(2);
        expect(hooks()[1]!.body).toContain('quota-seen-long');
        const firing = (
          (await t.request('GET', `${O}/tenants/edu/alerts`, { token: t.tokens['edu-admin'] })).json() as {
            items: { rule: string; state: string; activeAt: number }[];
          }
        ).items.filter((a) => a.rule.startsWith('quota-seen'));
        expect(firing.map((a) => a.state)).toEqual(['firing', 'firing']);
        expect(new Set(firing.map((a) => a.activeAt))).toEqual(new Set([Date.parse('2026-12-01T08:00:00Z')]));
      });
    },
  );
}
