import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import { demarcate } from '../src/observe/demarcation/index.ts';
import type { IncidentSpec } from '../src/observe/incidents/incident-kind.ts';
import { constant } from '../src/sim/index.ts';
import { startReceivers } from './support/notify-receivers.ts';
import { startTestPolis, type TestPolis } from './support/test-polis.ts';

/**
 * Faults through the sandbox's API, and the incident they open, through polis: the demo city delivered to the
 * simulated cloud, the e-invoice gateway under load (it calls its signer, as its env declares), an error
 * injection into the signer, incidents evaluated in virtual time.
 */
let t: TestPolis;
let ns = '';
let hooks: Awaited<ReturnType<typeof startReceivers>>;

async function settle(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await t.polis.clusters.probeAll();
    await t.polis.delivery.resyncAll();
    await t.polis.feed.idle();
    await t.polis.delivery.idle();
    t.polis.sim!.advance(1000);
  }
}

beforeAll(async () => {
  hooks = await startReceivers({ dingtalkSecret: 'unused', now: () => Date.now() });
  t = await startTestPolis({
    controllers: true,
    virtualTime: true,
    clock: new ManualClock('2026-07-01T01:00:00Z'),
    config: { notifyAllowPrivate: true },
  });
  // The tax bureau's on-call webhook: told of its incidents.
  const channel = await t.request('POST', '/api/v1/apply', {
    token: t.tokens['tax-admin'],
    body: {
      apiVersion: 'observe.polis.io/v1',
      kind: 'NotificationChannel',
      metadata: { name: 'oncall', tenant: 'tax' },
      spec: { type: 'webhook', retry: { attempts: 3, backoff: '10ms' }, webhook: { url: `${hooks.url}/tax-oncall` } },
    },
  });
  expect(channel.statusCode, channel.body).toBeLessThan(300);
  await settle(20);
  const app = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/tax/applications/e-invoice', {
    token: t.adminToken,
  });
  ns = (app.json() as { status: { namespace: string } }).status.namespace;
  const sim = t.polis.sim!;
  sim.setScenario(ns, 'gateway', constant(60));
  sim.startTelemetry();
  // The controller's first look declares the calls to the mesh; then 40 minutes of history.
  await t.polis.incidents!.evaluate();
  for (let i = 0; i < 40; i++) {
    sim.advance(60_000);
    await t.polis.incidents!.evaluate();
  }
}, 300_000);
afterAll(async () => {
  await t?.stop();
  await hooks?.close();
});

describe('faults and incidents through the API', () => {
  it('refuses a fault with the field at fault, and what exists', async () => {
    const bad = await t.request('POST', '/api/v1/sandbox/faults', {
      token: t.adminToken,
      body: { type: 'latency', target: { namespace: ns }, ms: 100 },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('target.component');
    const noNode = await t.request('POST', '/api/v1/sandbox/faults', {
      token: t.adminToken,
      body: { type: 'node-down', cluster: 'gov-east', node: 'nope' },
    });
    expect(noNode.statusCode).toBe(400);
    expect(noNode.body).toContain('(nodes: gov-east-node-');
    const dept = await t.request('POST', '/api/v1/sandbox/faults', {
      token: t.tokens['tax-admin'],
      body: { type: 'errors', target: { namespace: ns, component: 'signer' }, rate: 0.3 },
    });
    expect(dept.statusCode).toBe(403);
  });

  it('opens one incident in the department with an application verdict, replayable from its record', async () => {
    const add = await t.request('POST', '/api/v1/sandbox/faults', {
      token: t.adminToken,
      body: { type: 'errors', target: { namespace: ns, component: 'signer' }, rate: 0.3, durationSeconds: 600 },
    });
    expect(add.statusCode, add.body).toBe(201);
    const list = await t.request('GET', '/api/v1/sandbox/faults', { token: t.adminToken });
    expect(list.json().items).toHaveLength(1);
    for (let i = 0; i < 6; i++) {
      t.polis.sim!.advance(15_000);
      await t.polis.incidents!.evaluate();
    }
    const r = await t.request('GET', '/apis/polis.io/v1/tenants/tax/incidents', { token: t.tokens['tax-admin'] });
    expect(r.statusCode).toBe(200);
    const items = r.json().items as { metadata: { name: string }; spec: IncidentSpec }[];
    expect(items).toHaveLength(1);
    const spec = items[0]!.spec;
    expect(spec.verdictKind).toBe('application');
    expect(spec.culprit).toBe(`${ns}/signer`);
    expect(spec.timeline[0]).toMatchObject({ action: 'opened', actor: 'system:incidents' });
    // Replay: the recorded input and options give the same verdict.
    const replay = demarcate(spec.input as never, spec.options as never);
    expect(replay.verdict).toEqual(spec.verdict);
    // The fault's error lines are in the signer's own pod logs, as `polis logs` reads them.
    const pods = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/tax/applications/e-invoice/pods', {
      token: t.tokens['tax-admin'],
    });
    expect(pods.statusCode, pods.body).toBe(200);
    const signer = (pods.json().clusters as { cluster: string; pods: { name: string; component: string }[] }[]).flatMap(
      (c) => c.pods.filter((p) => p.component === 'signer').map((p) => ({ cluster: c.cluster, pod: p.name })),
    );
    expect(signer.length).toBeGreaterThan(0);
    const logs = await Promise.all(
      signer.map(
        async ({ cluster, pod }) =>
          (
            await t.request(
              'GET',
              `/apis/core.oam.dev/v1beta1/tenants/tax/applications/e-invoice/pods/${cluster}/${pod}/log?tail=200`,
              { token: t.tokens['tax-admin'] },
            )
          ).body,
      ),
    );
    expect(logs.join('\n')).toMatch(/ERROR /);
    // The department's on-call webhook was told once, with the verdict.
    await t.polis.notifier.idle();
    const told = hooks.received.filter((h) => h.path === '/tax-oncall').map((h) => JSON.parse(h.body));
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0])).toContain(items[0]!.metadata.name);
    expect(JSON.stringify(told[0])).toContain('application');
    // Another department sees none of it.
    const other = await t.request('GET', '/apis/polis.io/v1/tenants/tax/incidents', { token: t.tokens['edu-admin'] });
    expect(other.statusCode).toBe(403);
    const mine = await t.request('GET', '/apis/polis.io/v1/incidents', { token: t.tokens['edu-admin'] });
    expect(mine.json().items).toEqual([]);
  });

  it('is acknowledged and resolved by people, each on its timeline', async () => {
    const r = await t.request('GET', '/apis/polis.io/v1/tenants/tax/incidents', { token: t.tokens['tax-admin'] });
    const name = r.json().items[0].metadata.name as string;
    const ack = await t.request('POST', `/apis/polis.io/v1/tenants/tax/incidents/${name}/acknowledge`, {
      token: t.tokens['tax-staff'],
      body: {},
    });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json().spec.state).toBe('acknowledged');
    const resolved = await t.request('POST', `/apis/polis.io/v1/tenants/tax/incidents/${name}/resolve`, {
      token: t.tokens['tax-admin'],
      body: {},
    });
    const spec = resolved.json().spec as IncidentSpec;
    expect(spec.state).toBe('resolved');
    expect(spec.timeline.filter((e) => !String(e.actor).startsWith('system:')).map((e) => e.action)).toEqual([
      'acknowledged',
      'resolved',
    ]);
    const again = await t.request('POST', `/apis/polis.io/v1/tenants/tax/incidents/${name}/resolve`, {
      token: t.tokens['tax-admin'],
      body: {},
    });
    expect(again.statusCode).toBe(409);
  });

  it('shows the department its service graph, with the observed calls', async () => {
    const r = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/tax/applications/e-invoice/topology', {
      token: t.tokens['tax-admin'],
    });
    expect(r.statusCode, r.body).toBe(200);
    const edge = (r.json().edges as { from: string; to: string; sources: string[]; rps?: number }[]).find(
      (e) => e.from === `${ns}/gateway` && e.to === `${ns}/signer`,
    );
    expect(edge?.sources).toEqual(['env', 'traffic']);
    expect(edge?.rps).toBeGreaterThan(30);
  });
});

describe('a latency fault and the SLO alert', () => {
  it('pages the caller’s latency SLO when its callee turns slow: the alerts read the cloud the incidents read', async () => {
    const sim = t.polis.sim!;
    const onGateway = (a: { labels: { app?: string; component?: string } }) =>
      a.labels.app === 'e-invoice' && a.labels.component === 'gateway';
    const round = async () => {
      sim.advance(15_000);
      await t.polis.alerts.tick();
    };
    // Twenty minutes of alert rounds with the signer well (the error fault of the test above has ended by then).
    for (let i = 0; i < 80; i++) await round();
    const latency = async () =>
      (await t.polis.alerts.list('all')).filter((a) => onGateway(a) && a.rule.startsWith('slo-latency'));
    expect((await latency()).filter((a) => a.state === 'firing')).toEqual([]);
    // The signer (a worker: no objective of its own) answers 1.5 s slower; the gateway waits on it.
    const add = await t.request('POST', '/api/v1/sandbox/faults', {
      token: t.adminToken,
      body: { type: 'latency', target: { namespace: ns, component: 'signer' }, ms: 1500, durationSeconds: 3600 },
    });
    expect(add.statusCode, add.body).toBe(201);
    let page: Awaited<ReturnType<typeof latency>>[number] | undefined;
    // Rounds of 15 s until the fast burn (14.4x over 1 h and 5 min) pages, for at most an hour of virtual time.
    for (let i = 0; i < 240 && !page; i++) {
      await round();
      page = (await latency()).find((a) => a.rule === 'slo-latency-burn-14-4x' && a.state === 'firing');
    }
    expect(page?.severity).toBe('page');
    expect(page?.message.code).toBe('AlertLatencyBudgetBurn');
    expect(page?.tenant).toBe('tax');
  });
});
