import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachBackend } from '../../../test/setup/backends.ts';
import { ManualClock } from '../../kernel/clock.ts';
import type { Fence } from '../../kernel/leader-lease.ts';
import { ConflictError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { ListQuery, Store } from '../../resources/store.ts';
import type { SendResult, Sender } from '../notify/channels/channel.ts';
import type { Notice } from '../notify/notice.ts';
import { Notifier } from '../notify/notifier.ts';
import { AlertController } from './alert-controller.ts';
import { PLATFORM_SPACE } from './alert-kinds.ts';
import type { AlertTransition } from './evaluate.ts';

/**
 * Alert state and notification records outlive the process, on every store: a controller started again (a restart,
 * or a new leader) on the same store neither tells a firing alert again nor restarts a pending alert's `for`; a
 * notifier started again lists the records and resumes a retry still owed, from the attempt it had reached.
 */
const obj = (kind: string, name: string, tenant: string | undefined, spec: unknown, status?: unknown): StoredObject =>
  ({ apiVersion: 'x/v1', kind, metadata: { name, ...(tenant ? { tenant } : {}) }, spec, status }) as StoredObject;

function world() {
  const state = { health: 'Ready' };
  const objects = (): Record<string, StoredObject[]> => ({
    Application: [
      obj(
        'Application',
        'portal',
        'edu',
        { components: [{ name: 'report', type: 'task' }] },
        {
          namespace: 'edu-portal',
          components: [{ name: 'report', desiredReplicas: 0, workload: 'Job', runs: { lastResult: 'Failed' } }],
        },
      ),
    ],
    Cluster: [obj('Cluster', 'gov-east', undefined, {}, { health: state.health, nodes: { total: 3, ready: 3 } })],
    Tenant: [obj('Tenant', 'edu', undefined, {})],
    AlertRule: [],
    NotificationChannel: [
      obj('NotificationChannel', 'ops', 'edu', { type: 'webhook', retry: { attempts: 4, backoff: '200ms' } }),
    ],
    Silence: [],
  });
  const list = (q: ListQuery) => Promise.resolve({ items: objects()[q.kind] ?? [], resourceVersion: '1' });
  return { state, list };
}

const resources = { get: () => Promise.reject(new Error('no secrets here')), apply: () => Promise.resolve([]) };

forEachBackend('alert state and notification records across a restart', (backend) => {
  let store: Store;
  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('neither tells a firing alert again nor restarts a pending alert’s `for` after a restart', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const w = world();
    const told: AlertTransition[] = [];
    const controller = () => {
      const c = new AlertController({ store: { list: w.list }, clock, intervalMs: 0, state: store.alertState });
      c.onTransition((t) => void told.push(t));
      return c;
    };
    // The job has failed (a ticket at once) and the cluster does not answer (pending for its minute).
    w.state.health = 'Unreachable';
    const first = controller();
    await first.tick();
    expect(told.map((t) => [t.type, t.alert.rule])).toEqual([['fired', 'job-failed']]);
    for (let i = 0; i < 3; i++) {
      clock.advance(15_000);
      await first.tick();
    }
    expect(first.alerts('all').find((a) => a.rule === 'cluster-unreachable')?.state).toBe('pending');
    // The process goes; another starts on the same store 15 s later.
    clock.advance(15_000);
    const second = controller();
    await second.tick();
    // 45 s pending before, 15 s since: the minute is up, it fires now (not a minute after the restart) …
    expect(told.slice(1).map((t) => [t.type, t.alert.rule])).toEqual([['fired', 'cluster-unreachable']]);
    // … and the job's alert, firing and told before the restart, is not told again.
    expect(told.filter((t) => t.alert.rule === 'job-failed')).toHaveLength(1);
    expect(second.alerts(['edu']).find((a) => a.rule === 'job-failed')).toMatchObject({
      state: 'firing',
      firedAt: Date.parse('2026-03-01T00:00:00Z'),
    });
  });

  it('keeps the sample windows through a restart: a `min`/`max over 2m` neither fires at once nor forgets', async () => {
    // Two clusters: gov-east loses a node at 15 s for good, gov-west for one sample only. `min over 2m > 0` fires
    // for gov-east once the last all-ready sample (0 s) leaves the window; `max over 2m > 0` fires for both at
    // 15 s and resolves for gov-west once its one bad sample leaves. polis restarts at 75 s.
    const notReady = { 'gov-east': 0, 'gov-west': 0 };
    const cluster = (name: keyof typeof notReady) =>
      obj('Cluster', name, undefined, {}, { health: 'Ready', nodes: { total: 3, ready: 3 - notReady[name] } });
    const rule = (name: string, aggregate: string) =>
      obj('AlertRule', name, PLATFORM_SPACE, {
        severity: 'page',
        threshold: { signal: 'nodesNotReady', aggregate, window: '2m', op: '>', value: 0 },
      });
    const objects: Record<string, () => StoredObject[]> = {
      Cluster: () => [cluster('gov-east'), cluster('gov-west')],
      AlertRule: () => [rule('nodes-min-2m', 'min'), rule('nodes-max-2m', 'max')],
    };
    const list = (q: ListQuery) => Promise.resolve({ items: objects[q.kind]?.() ?? [], resourceVersion: '1' });
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const t0 = clock.now().getTime();
    const controller = (withState: boolean) =>
      new AlertController({ store: { list }, clock, intervalMs: 0, ...(withState ? { state: store.alertState } : {}) });
    const states = (c: AlertController) =>
      Object.fromEntries(
        c
          .alerts('all')
          .filter((a) => a.rule.startsWith('nodes-'))
          .map((a) => [`${a.rule} ${a.labels.cluster}`, a.state]),
      );
    // The same samples to a controller that never restarts (memory only) and to one restarted at 75 s.
    const reference = controller(false);
    let live = controller(true);
    const timeline: Array<[number, Record<string, string>, Record<string, string>]> = [];
    for (let at = 0; at <= 180_000; at += 15_000) {
      clock.set(new Date(t0 + at));
      notReady['gov-east'] = at >= 15_000 ? 1 : 0;
      notReady['gov-west'] = at === 15_000 ? 1 : 0;
      if (at === 75_000) live = controller(true);
      await reference.tick();
      await live.tick();
      timeline.push([at / 1000, states(reference), states(live)]);
    }
    for (const [, expected, got] of timeline) expect(got).toEqual(expected);
    const at = (s: number) => timeline.find(([t]) => t === s)![1];
    // Right after the restart: gov-east's `min` is not firing yet (0 s is still in the window), gov-west's `max`
    // still fires (its bad sample at 15 s is remembered).
    expect(at(75)['nodes-min-2m gov-east']).toBeUndefined();
    expect(at(75)['nodes-max-2m gov-west']).toBe('firing');
    expect(at(120)['nodes-min-2m gov-east']).toBe('firing');
    expect(at(180)['nodes-max-2m gov-west']).toBe('resolved');
  });

  it('writes alerts, windows and notification records only under the leader’s term: a stale term changes nothing', async () => {
    const lease = await store.acquireLease({ name: 'controllers', holder: 'a', epoch: 0, ttlMs: 30_000 });
    let term: Fence = { name: 'controllers', holder: 'a', epoch: lease.epoch };
    const fenced = store.alertState.fenced(() => term);
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const w = world();
    w.state.health = 'Unreachable';
    const told: AlertTransition[] = [];
    const c = new AlertController({ store: { list: w.list }, clock, intervalMs: 0, windowsEveryMs: 0, state: fenced });
    c.onTransition((t) => void told.push(t));
    // Under the held term the controller writes as it would unfenced.
    await c.tick();
    expect(told.map((t) => t.alert.rule)).toEqual(['job-failed']);
    await fenced.putNotification({ id: 1, tenant: 'edu', at: 1, nextRetryAt: 5, data: '{"a":1}' });
    const contents = async () => ({
      alerts: await store.alertState.loadAlerts(),
      windows: await store.alertState.loadWindows(),
      records: await store.alertState.listNotifications(),
    });
    const before = await contents();
    expect(before.alerts.length).toBeGreaterThan(0);
    expect(before.windows.slots.length).toBeGreaterThan(0);
    const refused = async (write: Promise<unknown>) => {
      const e = await write.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ConflictError);
      expect((e as ConflictError).causes[0]).toMatchObject({ code: 'Fenced', params: { epoch: term.epoch } });
    };
    // The term lapses (the leader paused past its lease), then another replica takes the lease: either way every
    // alert write of the old term is refused.
    await store.releaseLease('controllers', 'a', lease.epoch);
    for (const takeover of [false, true]) {
      if (takeover)
        expect(await store.acquireLease({ name: 'controllers', holder: 'b', epoch: 0, ttlMs: 30_000 })).toMatchObject({
          held: true,
          epoch: lease.epoch + 1,
        });
      clock.advance(60_000);
      w.state.health = takeover ? 'Ready' : 'Unreachable';
      await expect(c.tick()).rejects.toBeInstanceOf(ConflictError);
      await refused(fenced.saveAlerts([]));
      await refused(fenced.windowSeriesIds([{ tenant: 'edu', key: 'x{tenant="edu"}' }]));
      await refused(fenced.saveWindows({ put: [], replaced: [], dropSeries: [1], pruneBefore: Date.now() }));
      await refused(fenced.putNotification({ id: 2, tenant: 'edu', at: 2, nextRetryAt: null, data: '{}' }));
      await refused(fenced.pruneNotifications(Date.now(), 0));
      expect(await contents()).toEqual(before);
    }
    // Nothing more was told by the stale leader; the new term's writes pass.
    expect(told).toHaveLength(1);
    term = { name: 'controllers', holder: 'b', epoch: lease.epoch + 1 };
    await fenced.saveAlerts([]);
    expect(await store.alertState.loadAlerts()).toEqual([]);
  });

  it('reads the windows an older replica (schema step 10) wrote, writes its own compactly, prunes the old rows', async () => {
    // An older replica, leader until now, wrote its windows as alert_windows rows of JSON (it knows no other table).
    const raw = await backend.openWithRawAccess();
    try {
      const clock = new ManualClock('2026-03-01T00:00:00Z');
      const t0 = clock.now().getTime();
      const key = 'nodesNotReady{cluster="gov-east"}';
      const bucket = Math.floor((t0 - 30_000) / 6_000); // a 2-minute window's 6-second bucket, 30 s ago
      const json = JSON.stringify({ v: 1, slots: 20, buckets: [[key, bucket, 2, 1, 2, 2]] });
      await raw.execRaw(
        `INSERT INTO alert_windows (tenant, window_ms, slot, data, updated_at) VALUES ('', 120000, ${bucket % 20}, '${json}', ${t0 - 30_000})`,
      );
      const cluster = obj('Cluster', 'gov-east', undefined, {}, { health: 'Ready', nodes: { total: 3, ready: 3 } });
      const rule = obj('AlertRule', 'nodes-max-2m', PLATFORM_SPACE, {
        severity: 'page',
        threshold: { signal: 'nodesNotReady', aggregate: 'max', window: '2m', op: '>', value: 0 },
      });
      const objects: Record<string, StoredObject[]> = { Cluster: [cluster], AlertRule: [rule] };
      const list = (q: ListQuery) => Promise.resolve({ items: objects[q.kind] ?? [], resourceVersion: '1' });
      const c = new AlertController({ store: { list }, clock, intervalMs: 0, state: raw.store.alertState });
      // The new leader's first round reads the older replica's bucket: the max over 2m is 2, not the 0 sampled now.
      await c.tick();
      expect(c.windows.aggregate(key, 120_000, 'max', t0)).toBe(2);
      expect(c.alerts('all').map((a) => [a.rule, a.state])).toEqual([['nodes-max-2m', 'firing']]);
      // Its checkpoints write the compact form (a new sample in the old bucket's slot supersedes it) and prune the old
      // rows with their own once no window reads them.
      for (let i = 0; i < 8; i++) {
        clock.advance(15_000);
        await c.tick();
      }
      const stored = await raw.store.alertState.loadWindows();
      expect(stored.series.map((s) => s.key)).toContain(key);
      expect(stored.slots.length).toBeGreaterThan(0);
      expect(stored.legacy).toHaveLength(1);
      clock.advance(3 * 3_600_000);
      await c.tick();
      expect((await raw.store.alertState.loadWindows()).legacy).toEqual([]);
    } finally {
      await raw.store.close();
    }
  });

  it('lists the records after a restart and resumes a retry owed, from the attempt it reached', async () => {
    const clock = new ManualClock('2026-03-01T00:00:00Z');
    const w = world();
    const sent: number[] = [];
    const failing: Sender = () =>
      Promise.resolve<SendResult>({ ok: false, retry: true, detail: msg('External', { text: 'HTTP 503' }) });
    const working: Sender = () => {
      sent.push(Date.now());
      return Promise.resolve({ ok: true });
    };
    const notifier = (sender: Sender) =>
      new Notifier({
        store: { list: w.list },
        resources: resources as never,
        clock,
        state: store.alertState,
        senders: { webhook: sender },
      });
    const notice: Notice = {
      kind: 'alert',
      id: 'job-failed|app=portal',
      status: 'firing',
      tenant: 'edu',
      severity: 'ticket',
      owner: 'department',
      rule: 'job-failed',
      title: { code: 'External', params: { text: 'job failed' }, message: 'job failed' },
      message: { code: 'External', params: { text: 'report failed' }, message: 'report failed' },
      labels: { tenant: 'edu', app: 'portal' },
      at: clock.now().getTime(),
    };
    const first = notifier(failing);
    void first.notify(notice);
    // The first attempt fails: the record says it is owed, and when.
    for (let i = 0; i < 400 && (await first.records('all')).length === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    const owed = await first.records(['edu']);
    expect(owed).toMatchObject([
      { outcome: 'retrying', reason: 'NotificationRetrying', attempts: 1, channel: 'edu/ops' },
    ]);
    expect(owed[0]!.nextRetry).toBeDefined();
    // The process dies before its retry.
    first.stop();
    const second = notifier(working);
    expect(await second.records(['edu'])).toEqual(owed);
    expect(await second.records(['health'])).toEqual([]);
    await second.start();
    await second.idle();
    expect(sent).toHaveLength(1);
    const after = await second.records('all');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: owed[0]!.id, outcome: 'sent', attempts: 2, reason: 'NotificationSent' });
    expect(after[0]!.nextRetry).toBeUndefined();
    // Nothing is owed any more: a third start sends nothing.
    await first.idle();
    const third = notifier(working);
    await third.start();
    await third.idle();
    expect(sent).toHaveLength(1);
    // A new record takes the next id.
    await third.notify({ ...notice, status: 'resolved' });
    expect((await third.records('all')).map((r) => r.id)).toEqual([owed[0]!.id, owed[0]!.id + 1]);
  });
});
