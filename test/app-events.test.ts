import {} from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import type { CliRun } from './support/cli-users.ts';
import { cliOnce } from './support/cli-users.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * An application's events on the simulated cloud in virtual time: polis's own Events merged by time with the
 * Kubernetes Events of its namespace on every cluster it is on, each marked with its source; a crash loop's BackOff
 * counted; a partitioned cluster left out with a coded note while the rest stands; limit and bad input; the CLI.
 */
let t: TestPolis;
const APP = '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal';

interface Ev {
  origin: 'polis' | 'cluster';
  name: string;
  involvedObject: { kind: string; name: string };
  type: string;
  reason: string;
  message: string;
  code?: string;
  params?: Record<string, unknown>;
  source: { component: string; cluster?: string };
  namespace?: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
}
interface EventsAnswer {
  kind: string;
  namespaces: string[];
  clusters: { cluster: string; reachable: boolean; detail?: { code: string; params: Record<string, unknown> } }[];
  items: Ev[];
}
interface PodsAnswer {
  namespace: string;
  clusters: { cluster: string; pods: { name: string; ready: boolean; restarts: number }[] }[];
}

async function settle(rounds: number, until: () => Promise<boolean>): Promise<void> {
  const p = t.polis;
  for (let i = 0; i < rounds; i++) {
    await p.clusters.probeAll();
    await p.delivery.idle();
    p.sim!.advance(1000);
    await p.delivery.idle();
    if (await until()) return;
  }
}

async function events(query = '', token = t.tokens['edu-staff']!): Promise<EventsAnswer> {
  const r = await t.request('GET', `${APP}/events${query}`, { token });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as EventsAnswer;
}

async function pods(): Promise<PodsAnswer> {
  return (await t.request('GET', `${APP}/pods`, { token: t.adminToken })).json() as PodsAnswer;
}

beforeAll(async () => {
  t = await startTestPolis({
    controllers: true,
    virtualTime: true,
    listen: true,
    clock: new ManualClock('2026-11-24T08:00:00Z'),
  });
  await settle(60, async () => {
    const a = await pods();
    return a.clusters.length > 0 && a.clusters.every((c) => c.pods.length > 0 && c.pods.every((p) => p.ready));
  });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

function polis(args: string[]): Promise<CliRun> {
  return cliOnce(args, { POLIS_SERVER: t.polis.url!, POLIS_TOKEN: t.tokens['edu-staff']! });
}

describe("an application's events", { timeout: 120_000 }, () => {
  it("merges polis's events with the Kubernetes Events of its namespace on every cluster, newest first", async () => {
    const a = await events();
    const placed = (await pods()).clusters.map((c) => c.cluster).sort();
    expect(a.kind).toBe('ApplicationEvents');
    expect(a.clusters.map((c) => c.cluster)).toEqual(placed);
    expect(a.clusters.every((c) => c.reachable)).toBe(true);
    const own = a.items.filter((e) => e.origin === 'polis');
    const kube = a.items.filter((e) => e.origin === 'cluster');
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((e) => e.involvedObject.kind === 'Application' && e.code !== 'External')).toBe(true);
    // Every cluster the application is on contributes its pods' Scheduled and Started, tagged with the cluster.
    for (const cluster of placed) {
      const here = kube.filter((e) => e.source.cluster === cluster);
      expect(here.map((e) => e.reason)).toEqual(expect.arrayContaining(['Scheduled', 'Started']));
    }
    for (const e of kube) {
      expect(e).toMatchObject({ source: { component: 'kubernetes' }, code: 'External', params: { text: e.message } });
      expect(a.namespaces).toContain(e.namespace);
    }
    const times = a.items.map((e) => Date.parse(e.lastTimestamp));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect((await events('?limit=3')).items).toHaveLength(3);
    const one = await events(`?cluster=${placed[0]}`);
    expect(one.clusters.map((c) => c.cluster)).toEqual([placed[0]]);
    expect(one.items.filter((e) => e.origin === 'cluster').every((e) => e.source.cluster === placed[0])).toBe(true);
  });

  it("shows a crash loop's BackOff as the cluster wrote it, counted", async () => {
    const before = await pods();
    const image = (await t.request('GET', APP, { token: t.adminToken })).json().spec.components[0].properties
      .image as string;
    const { cluster } = before.clusters[0]!;
    const sim = t.polis.sim!.cluster(cluster)!;
    sim.crashLoop(image);
    sim.delete(`v1/Pod/${before.namespace}/${before.clusters[0]!.pods[0]!.name}`);
    let backOff: Ev | undefined;
    await settle(120, async () => {
      backOff = (await events()).items.find((e) => e.reason === 'BackOff' && e.count >= 2);
      return backOff !== undefined;
    });
    sim.clearCrashLoop(image);
    expect(backOff).toMatchObject({
      origin: 'cluster',
      type: 'Warning',
      involvedObject: { kind: 'Pod' },
      source: { cluster },
      message: expect.stringMatching(/^Back-off restarting failed container .+ in pod /),
    });
    expect(Date.parse(backOff!.firstTimestamp)).toBeLessThan(Date.parse(backOff!.lastTimestamp));
  });

  it('leaves a cluster that cannot be reached out with a coded note, and lists the rest', async () => {
    const placed = (await pods()).clusters.map((c) => c.cluster).sort();
    const down = t.polis.sim!.cluster(placed[0]!)!;
    down.partition();
    try {
      const a = await events();
      const note = a.clusters.find((c) => c.cluster === placed[0]);
      expect(note).toMatchObject({ reachable: false, detail: { code: 'ClusterEventsNotRead' } });
      expect(a.items.some((e) => e.origin === 'cluster' && e.source.cluster === placed[0])).toBe(false);
      expect(a.items.some((e) => e.origin === 'polis')).toBe(true);
      for (const c of placed.slice(1)) expect(a.clusters.find((x) => x.cluster === c)?.reachable).toBe(true);
    } finally {
      down.restore();
    }
  });

  it('refuses a bad limit or a cluster the application is not on, naming the parameter', async () => {
    for (const q of ['?limit=0', '?limit=1001', '?limit=x', '?cluster=nowhere']) {
      const r = await t.request('GET', `${APP}/events${q}`, { token: t.tokens['edu-staff'] });
      expect(r.statusCode, q).toBe(400);
      expect(r.body).toContain(q.includes('limit') ? 'query.limit' : 'query.cluster');
    }
  });

  it("prints them with `polis events`, the clusters' events tagged with their cluster", async () => {
    const out = await polis(['events', 'enrolment-portal', '--tenant', 'edu', '--limit', '500']);
    expect(out.code, out.stderr).toBe(0);
    const [header, ...rows] = out.stdout.trimEnd().split('\n');
    expect(header!.split(/\s{3,}/)).toEqual(['LAST', 'TYPE', 'REASON', 'OBJECT', 'SOURCE', 'COUNT', 'MESSAGE']);
    expect(rows.some((r) => /\bcluster\/\S+/.test(r) && /\bScheduled\b/.test(r))).toBe(true);
    expect(rows.some((r) => /\bpolis\/\S+/.test(r))).toBe(true);
  });
});
