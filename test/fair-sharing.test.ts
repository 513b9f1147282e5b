import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Fair sharing end to end, in virtual time on the demo city's simulated cloud (private: gov-east, gov-west and
 * dr-north, 48 cores each; the primaries gov-east and gov-west are what is shared). The education bureau's quota (30
 * cores) is its guarantee; it may borrow 20 more, the tax bureau's guarantee is 60 cores. Whatever
 * asks for replicas (here the autoscaler's decision in status.scaling) gets no more than that on the private cloud,
 * the surplus goes to burst within the department's burst limits or stays unplaced as QuotaLimited, and another
 * department's compliant application is placed in full.
 */
let t: TestPolis;
const APPS = (tenant: string) => `/apis/core.oam.dev/v1beta1/tenants/${tenant}/applications`;
const PRIVATE = new Set(['gov-east', 'gov-west', 'dr-north']);

function webApp(tenant: string, name: string, replicas: number, props: Record<string, unknown> = {}, labels = {}) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name, tenant, labels },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: `registry.example.gov.cn/${tenant}/${name}:1.0`, ...props },
          traits: [{ type: 'scaler', properties: { replicas } }],
        },
      ],
      policies: [
        {
          name: 'burst',
          type: 'placement',
          properties: { division: 'capacity', overflow: ['burst-aliyun', 'burst-huawei'] },
        },
      ],
    },
  };
}

/**
 * Heartbeats, reconciles and a simulated second, `rounds` times. With `resync: false` no full resync queues every
 * application: only what the controllers react to (changes, capacity reports) is reconciled, as between resyncs.
 */
async function settle(rounds = 6, opts: { resync?: boolean } = {}): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await t.polis.clusters.probeAll();
    if (opts.resync !== false) await t.polis.delivery.resyncAll();
    await t.polis.feed.idle();
    await t.polis.delivery.idle();
    t.polis.sim!.advance(1000);
  }
}

async function apply(tenant: string, doc: unknown) {
  return t.request('POST', `/api/v1/tenants/${tenant}/apply`, { token: t.tokens[`${tenant}-admin`], body: doc });
}

async function status(tenant: string, name: string): Promise<AppStatus> {
  return (await t.request('GET', `${APPS(tenant)}/${name}`, { token: t.adminToken })).json().status;
}

/** What the autoscaler would write: its decided replica count for the web component. */
async function autoscaleTo(
  tenant: string,
  name: string,
  desired: number,
  opts: { resync?: boolean } = {},
): Promise<void> {
  await t.polis.resources.patch(
    { actor: 'system:scaling', requestId: 'test' },
    { kind: 'Application', tenant, name },
    { status: { scaling: { preview: false, components: { web: { desired } } } } },
    { subresource: 'status' },
  );
  await settle(6, opts);
}

/**
 * Nodes of the primary private clusters that could still schedule one more replica of these requests (the
 * simulated scheduler's own test: cpu, memory and pods on one node).
 */
function primaryNodesWithRoom(cpuMilli: number, memoryBytes: number): string[] {
  const out: string[] = [];
  for (const cluster of ['gov-east', 'gov-west'])
    for (const n of t.polis.sim!.cluster(cluster)!.capacity().nodes)
      if (
        n.ready &&
        n.allocatable.cpuMilli - n.requested.cpuMilli >= cpuMilli &&
        n.allocatable.memoryBytes - n.requested.memoryBytes >= memoryBytes &&
        n.allocatable.pods > n.requested.pods
      )
        out.push(n.name);
  return out;
}

/** Cores a department's applications hold on private clusters, from their status. */
async function privateCores(tenant: string): Promise<number> {
  const list = (await t.request('GET', APPS(tenant), { token: t.adminToken })).json().items as {
    spec: { components: { properties?: { cpu?: string } }[] };
    status?: AppStatus;
  }[];
  let cores = 0;
  for (const a of list) {
    const cpu = Number(a.spec.components[0]?.properties?.cpu ?? '0.1') || 0.1;
    for (const byCluster of Object.values(a.status?.placement ?? {}))
      for (const [cluster, n] of Object.entries(byCluster)) if (PRIVATE.has(cluster)) cores += n * cpu;
  }
  return cores;
}

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock: new ManualClock('2026-07-01T01:00:00Z') });
  await settle();
  const r = await t.request('PATCH', '/apis/polis.io/v1/tenants/edu', {
    token: t.adminToken,
    contentType: 'application/merge-patch+json',
    body: {
      spec: {
        quota: { cpu: '30', memory: '120Gi' },
        sharing: { borrowingLimit: { cpu: '20', memory: '80Gi' } },
        burst: { maxReplicas: 10 },
      },
    },
  });
  expect(r.statusCode, r.body).toBe(200);
  const tax = await t.request('PATCH', '/apis/polis.io/v1/tenants/tax', {
    token: t.adminToken,
    contentType: 'application/merge-patch+json',
    body: { spec: { quota: { cpu: '60', memory: '240Gi' } } },
  });
  expect(tax.statusCode, tax.body).toBe(200);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('quota on what is placed', () => {
  it('refuses a billion replicas that declare no requests: they count at the default, never as free', async () => {
    const r = await apply('edu', webApp('edu', 'flood', 1_000_000_000));
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().reason).toBe('QuotaExceeded');
    expect(r.json().message).toMatch(/cpu/);
  });

  it('counts cpu "0" at the default too', async () => {
    const r = await apply('edu', webApp('edu', 'zero-cpu', 1000, { cpu: '0' }));
    expect(r.statusCode, r.body).toBe(403);
    expect(r.json().reason).toBe('QuotaExceeded');
  });

  it('refuses an unknown priority, naming the label and what is accepted', async () => {
    const r = await apply('edu', webApp('edu', 'odd', 1, {}, { 'polis.io/priority': 'urgent' }));
    expect(r.statusCode).toBe(422);
    expect(r.body).toContain('polis.io/priority');
    expect(r.body).toContain('critical, normal, preemptible');
  });
});

describe('an autoscaled peak within guarantee + borrowing', () => {
  it('keeps the department within its guarantee and borrowing limit, shows QuotaLimited, and places the others', async () => {
    const r = await apply('edu', webApp('edu', 'exam-peak', 2, { cpu: '1', memory: '1Gi' }));
    expect(r.statusCode, r.body).toBeLessThan(300);
    await settle();
    // ×100: far beyond what edu may hold on the private cloud (30 + 20 cores) and its 10 burst replicas.
    await autoscaleTo('edu', 'exam-peak', 200);
    const s = await status('edu', 'exam-peak');
    expect(await privateCores('edu')).toBeLessThanOrEqual(30 + 20);
    const limited = s.sharing?.components.web;
    expect(limited?.limited).toBeGreaterThan(0);
    expect(limited?.reason).toBe('QuotaLimited');
    expect(limited!.borrowed).toBeGreaterThan(0);
    const placed = Object.values(s.placement.web ?? {}).reduce((a, b) => a + b, 0);
    expect(placed + s.components.find((c) => c.name === 'web')!.unplaced!).toBe(200);
    const events = (
      await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] })
    ).json().items as { spec: { reason: string; message: string } }[];
    const limitedEvents = events.filter((e) => e.spec.reason === 'QuotaLimited').map((e) => e.spec.message);
    expect(limitedEvents.length).toBeGreaterThan(0);
    expect(limitedEvents[0]).toMatch(/^web: \d+ replica\(s\) held back/);

    // The tax bureau's quota-compliant application is placed in full on the private cloud.
    const tax = await apply('tax', webApp('tax', 'filing', 20, { cpu: '1', memory: '1Gi' }));
    expect(tax.statusCode, tax.body).toBeLessThan(300);
    await settle();
    const filing = await status('tax', 'filing');
    const onPrivate = Object.entries(filing.placement.web ?? {})
      .filter(([c]) => PRIVATE.has(c))
      .reduce((a, [, n]) => a + n, 0);
    // Fair sharing grants all 20 within tax's guarantee, and they all run on the private cloud.
    const view = t.polis.delivery.sharingView();
    expect(view.decision.grants.get('tax/filing/web')).toEqual({ guaranteed: 20, borrowed: 0 });
    expect(onPrivate).toBe(20);
    expect(filing.components.find((c) => c.name === 'web')!.unplaced ?? 0).toBe(0);
  });

  // Found when group commit changed the order of writes (and so the order in which the demo city's pods were first
  // bin-packed onto the simulated nodes): tax's ninth replica on gov-east did not fit on any one node, delivery capped
  // gov-east at 8 for tax for five minutes, and that cap kept 8 replicas on burst after edu gave 7 cores back there.
  // No full resync here: the capacity edu frees must bring tax's burst replicas back by itself.
  it('takes borrowed replicas back when a lender needs its guarantee', async () => {
    // Fill the private cloud with tax's guarantee: edu's borrowed replicas must yield, tax's all run.
    const before = (await status('edu', 'exam-peak')).sharing!.components.web!;
    expect(before.borrowed).toBeGreaterThan(0);
    // Within tax's guarantee (60 cores with e-invoice's 16), more than the private cloud has idle.
    await autoscaleTo('tax', 'filing', 40, { resync: false });
    await settle(6, { resync: false });
    const filing = await status('tax', 'filing');
    const placed = Object.entries(filing.placement.web ?? {});
    const taxPrivate = placed.filter(([c]) => PRIVATE.has(c)).reduce((a, [, n]) => a + n, 0);
    const taxBurst = placed.filter(([c]) => !PRIVATE.has(c)).reduce((a, [, n]) => a + n, 0);
    expect(t.polis.delivery.sharingView().decision.grants.get('tax/filing/web')).toEqual({
      guaranteed: 40,
      borrowed: 0,
    });
    // All 40 run on the private cloud, but for what no node there can hold: the room edu gave back joins what was
    // free, and that is split across nodes as the demo city's pods were packed (a replica of 1 core needs 1 core on
    // one node). So a replica stays on burst only while no primary private node has room for it.
    expect(taxPrivate + taxBurst).toBe(40);
    expect(filing.components.find((c) => c.name === 'web')!.unplaced ?? 0).toBe(0);
    expect(taxBurst === 0 ? [] : primaryNodesWithRoom(1000, 1024 ** 3)).toEqual([]);
    const after = (await status('edu', 'exam-peak')).sharing!.components.web!;
    expect(after.borrowed).toBeLessThan(before.borrowed);
    const events = (
      await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] })
    ).json().items as { spec: { reason: string; message: string } }[];
    const reclaimed = events.filter((e) => e.spec.reason === 'Reclaimed').map((e) => e.spec.message);
    expect(reclaimed.join('\n')).toMatch(/web: \d+ borrowed replica\(s\)/);
    expect(await privateCores('edu')).toBeLessThanOrEqual(30 + 20);
  });
});

describe('a restart under load', () => {
  async function placements(): Promise<Record<string, AppStatus['placement']>> {
    const out: Record<string, AppStatus['placement']> = {};
    for (const tenant of ['edu', 'tax', 'hrss', 'health', 'samr']) {
      const items = (await t.request('GET', APPS(tenant), { token: t.adminToken })).json().items as {
        metadata: { name: string };
        status?: AppStatus;
      }[];
      for (const a of items) out[`${tenant}/${a.metadata.name}`] = a.status?.placement ?? {};
    }
    return out;
  }

  it('changes no placement that was right, places nothing twice and takes no department a replica', async () => {
    await settle();
    const before = await placements();
    const decisionBefore = [...t.polis.delivery.sharingView().decision.grants].sort();
    await t.restart();
    await settle();
    expect(await placements()).toEqual(before);
    expect([...t.polis.delivery.sharingView().decision.grants].sort()).toEqual(decisionBefore);
    // Nothing beyond what the autoscaler wants: 200 wanted, the rest held back as before.
    const peak = await status('edu', 'exam-peak');
    const placed = Object.values(peak.placement.web ?? {}).reduce((a, b) => a + b, 0);
    expect(placed).toBeLessThanOrEqual(200);
  });
});
