import { describe, expect, it } from 'vitest';
import { AT, series } from '../../../test/fixtures/demarcation-scenarios.ts';
import type { DemarcationInput, Series } from './input.ts';
import { demarcate } from './verdict.ts';

/** Latency and CPU of one pod; `latency`/`cpu` are the values after AT (undefined: unchanged, null: silent). */
function pod(name: string, seed: number, latency?: number | null, cpu?: number | null): Series[] {
  return [
    series({ on: 'pod', name, signal: 'latency', quantile: 0.5 }, 0.05, 0.002, latency, seed),
    series({ on: 'pod', name, signal: 'cpu' }, 0.2, 0.005, cpu, seed + 1),
  ];
}

const components = ['db', 'cache', 'web'].map((name) => ({ name, application: 'shop', department: 'tax' }));
const base = {
  at: AT,
  clusters: [{ name: 'c1' }],
  nodes: [
    { name: 'n1', cluster: 'c1' },
    { name: 'n2', cluster: 'c1' },
    { name: 'n3', cluster: 'c1' },
  ],
  components,
};

describe('the demarcation rules on where replicas suffer', () => {
  it('blames the node when only the replicas on it suffer and their replicas elsewhere are well', () => {
    // db and cache run on n1 and n2; only their pods on n1 slow down; n1's CPU saturates.
    const input: DemarcationInput = {
      ...base,
      pods: [
        { name: 'db-a', component: 'db', node: 'n1' },
        { name: 'db-b', component: 'db', node: 'n2' },
        { name: 'cache-a', component: 'cache', node: 'n1' },
        { name: 'cache-b', component: 'cache', node: 'n2' },
      ],
      series: [
        ...pod('db-a', 10, 0.4),
        ...pod('db-b', 20),
        ...pod('cache-a', 30, 0.4),
        ...pod('cache-b', 40),
        series({ on: 'node', name: 'n1', signal: 'nodeCpu' }, 0.4, 0.01, 1, 50),
      ],
    };
    const r = demarcate(input);
    expect(r.verdict.kind).toBe('infrastructure');
    expect(r.verdict.subject).toMatchObject({ kind: 'node', name: 'n1' });
    expect(r.candidates[0]!.evidence.spread?.components).toEqual(['cache', 'db']);
  });

  it('keeps the component when its replicas on every node suffer alike', () => {
    const input: DemarcationInput = {
      ...base,
      pods: [
        { name: 'db-a', component: 'db', node: 'n1' },
        { name: 'db-b', component: 'db', node: 'n2' },
        { name: 'cache-a', component: 'cache', node: 'n1' },
        { name: 'cache-b', component: 'cache', node: 'n2' },
      ],
      series: [...pod('db-a', 10, 0.4), ...pod('db-b', 20, 0.4), ...pod('cache-a', 30), ...pod('cache-b', 40)],
    };
    const r = demarcate(input);
    expect(r.verdict.kind).toBe('application');
    expect(r.candidates[0]!.subject.name).toBe('db');
    expect(r.candidates.some((c) => c.subject.kind === 'node')).toBe(false);
  });

  it('does not count replacement pods, started after the onset, against the node they land on', () => {
    // n1 goes down: db-a and cache-a fall silent; their replacements db-c and cache-c start on n2.
    const late = (s: Series): Series => ({ ...s, points: s.points.filter(([t]) => t >= AT + 60) });
    const input: DemarcationInput = {
      ...base,
      pods: [
        { name: 'db-a', component: 'db', node: 'n1' },
        { name: 'db-b', component: 'db', node: 'n3' },
        { name: 'db-c', component: 'db', node: 'n2' },
        { name: 'cache-a', component: 'cache', node: 'n1' },
        { name: 'cache-b', component: 'cache', node: 'n3' },
        { name: 'cache-c', component: 'cache', node: 'n2' },
      ],
      series: [
        ...pod('db-a', 10, null, null),
        ...pod('db-b', 20),
        ...pod('db-c', 30, 0.05).map(late),
        ...pod('cache-a', 40, null, null),
        ...pod('cache-b', 50),
        ...pod('cache-c', 60).map(late),
        series({ on: 'node', name: 'n1', signal: 'nodeReady' }, 1, 0, 0, 70),
      ],
      events: [{ at: AT + 30, on: 'node', name: 'n1', reason: 'NodeNotReady' }],
    };
    const r = demarcate(input);
    expect(r.verdict.subject).toMatchObject({ kind: 'node', name: 'n1' });
    expect(r.candidates.some((c) => c.subject.name === 'n2' || c.subject.name === 'c1')).toBe(false);
  });

  it("blames a node whose CPU saturates while none of its pods' CPU rose (something outside the pods)", () => {
    const input: DemarcationInput = {
      ...base,
      pods: [{ name: 'web-a', component: 'web', node: 'n1' }],
      series: [...pod('web-a', 10), series({ on: 'node', name: 'n1', signal: 'nodeCpu' }, 0.3, 0.01, 1, 20)],
    };
    expect(demarcate(input).verdict.subject).toMatchObject({ kind: 'node', name: 'n1' });
    // The same rise with the pod's CPU rising is the pod's doing.
    const withPod = { ...input, series: [...pod('web-a', 10, undefined, 0.9), input.series.at(-1)!] };
    expect(demarcate(withPod).verdict.subject).toMatchObject({ kind: 'component', name: 'web' });
  });
});

describe('the demarcation rule on load-driven signals', () => {
  it("discounts a CPU rise by the traffic that rose with it at the same moments, and keeps one that traffic doesn't explain", () => {
    const traffic = series({ on: 'component', name: 'web', signal: 'requests' }, 100, 1, 300, 5);
    const cpu = (after: number) => series({ on: 'component', name: 'web', signal: 'cpu' }, 0.2, 0.002, after, 6);
    const input = (after: number): DemarcationInput => ({ ...base, series: [traffic, cpu(after)] });
    // Three times the traffic, three times the CPU: load, not a fault.
    const followed = demarcate(input(0.6)).candidates.find((c) => c.subject.name === 'web');
    const e = followed?.evidence.series.find((x) => x.signal === 'cpu');
    expect(e === undefined || e.contribution === 0).toBe(true);
    // Three times the traffic, six times the CPU: the part beyond the traffic is its own.
    const spun = demarcate(input(1.2)).candidates.find((c) => c.subject.name === 'web')!;
    const own = spun.evidence.series.find((x) => x.signal === 'cpu')!;
    expect(own.contribution).toBeGreaterThan(0);
    expect(own.explained?.by).toBe('requests');
  });
});

describe('the demarcation rule on load-driven signals, per pod', () => {
  // Two replicas of web; after AT the traffic doubles, all of it going to web-a (50 → 150 req/s, web-b stays at 50).
  const replicas = {
    ...base,
    pods: [
      { name: 'web-a', component: 'web', node: 'n1' },
      { name: 'web-b', component: 'web', node: 'n2' },
    ],
  };
  const cpuOf = (pod: string, after: number, seed: number): Series =>
    series({ on: 'pod', name: pod, signal: 'cpu' }, 0.2, 0.002, after, seed);
  const podTraffic = [
    series({ on: 'pod', name: 'web-a', signal: 'requests' }, 50, 0.5, 150, 1),
    series({ on: 'pod', name: 'web-b', signal: 'requests' }, 50, 0.5, 50, 2),
  ];
  const componentTraffic = series({ on: 'component', name: 'web', signal: 'requests' }, 100, 1, 200, 3);
  const cpuEvidence = (input: DemarcationInput) =>
    demarcate(input)
      .candidates.find((c) => c.subject.name === 'web')
      ?.evidence.series.find((x) => x.signal === 'cpu' && x.name === 'web-a');

  it("explains a replica's CPU by its own traffic where the component's would leave part of it unexplained", () => {
    // web-a's CPU triples with its traffic. The component's traffic only doubled: by it, a third of the rise is web-a's own.
    const cpu = [cpuOf('web-a', 0.6, 4), cpuOf('web-b', 0.2, 5)];
    const byComponent = cpuEvidence({ ...replicas, series: [componentTraffic, ...cpu] });
    expect(byComponent?.contribution).toBeGreaterThan(0);
    const byPod = cpuEvidence({ ...replicas, series: [componentTraffic, ...podTraffic, ...cpu] });
    expect(byPod === undefined || byPod.contribution === 0).toBe(true);
  });

  it("keeps the part of a replica's CPU rise that its own traffic does not explain", () => {
    const e = cpuEvidence({ ...replicas, series: [...podTraffic, cpuOf('web-a', 1.2, 4), cpuOf('web-b', 0.2, 5)] })!;
    expect(e.contribution).toBeGreaterThan(0);
    expect(e.explained?.by).toBe('requests');
  });
});

describe('the demarcation rule on persistence', () => {
  // cache's latency holds at 4x from AT on; web, a quiet service, shows one slow request in one sample (a p99 of one
  // request), twenty times its level, and is back the next minute.
  const spike = (s: Series): Series => ({
    ...s,
    points: s.points.map(([t, v]): [number, number | null] => [t, t === AT + 120 ? 1 : v]),
  });
  const input: DemarcationInput = {
    ...base,
    series: [
      series({ on: 'component', name: 'cache', signal: 'latency', quantile: 0.99 }, 0.05, 0.002, 0.2, 1),
      spike(series({ on: 'component', name: 'web', signal: 'latency', quantile: 0.99 }, 0.05, 0.002, undefined, 2)),
    ],
  };

  it('ranks a change that held above a single sample that jumped further', () => {
    const r = demarcate(input);
    expect(r.candidates[0]!.subject.name).toBe('cache');
    expect(r.candidates.some((c) => c.subject.name === 'web')).toBe(false);
  });

  it('counts the single sample when asked for no persistence', () => {
    expect(demarcate(input, { persistence: 1 }).candidates[0]!.subject.name).toBe('web');
  });
});

/** A deterministic noise in [-1, 1]. */
function jitter(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return (x / 2 ** 32) * 2 - 1;
  };
}

/**
 * A series one sample a minute from an hour before AT to 5 minutes after, at `level` then `after` (a number, or a
 * function of the minute after AT), whose noise grows with its level as a measurement's does: a share `p` of `n`
 * requests scatters by √(p(1 − p)/n), anything else by `rel` of its level.
 */
function measured(
  s: Omit<Series, 'points'>,
  level: number,
  after: number | ((minute: number) => number),
  seed: number,
  noise: { n: number } | { rel: number },
): Series {
  const rnd = jitter(seed);
  const points: [number, number][] = [];
  for (let t = AT - 3600; t <= AT + 300; t += 60) {
    const v = t < AT ? level : typeof after === 'number' ? after : after((t - AT) / 60);
    const sd = 'n' in noise ? Math.sqrt((v * (1 - v)) / noise.n) : noise.rel * v;
    points.push([t, Math.max(0, v + 1.7 * sd * rnd())]);
  }
  return { ...s, points };
}

/** web (one pod on n1) calls db (one pod on n2). */
const webCallsDb = {
  pods: [
    { name: 'web-a', component: 'web', node: 'n1' },
    { name: 'db-a', component: 'db', node: 'n2' },
  ],
  edges: [{ from: 'web', to: 'db' }],
};

describe('the demarcation rules on noise at the level after the onset', () => {
  it("judges what a callee leaves of its caller's errors at the level it explains (a share of 20 % scatters more)", () => {
    // db fails a fifth of its requests; web's calls to it fail alike, and so do web's own requests: nothing of its own.
    const errs = (on: 'pod' | 'component', name: string, after: number, seed: number, peer?: string): Series =>
      measured(
        { on, name, signal: peer ? 'outboundErrors' : 'errors', ...(peer ? { peer } : {}) },
        0.002,
        after,
        seed,
        { n: 100 },
      );
    for (const seed of [1, 11, 21, 31, 41]) {
      const input: DemarcationInput = {
        ...base,
        ...webCallsDb,
        series: [
          errs('pod', 'web-a', 0.2, seed),
          errs('component', 'web', 0.2, seed + 1, 'db'),
          errs('pod', 'db-a', 0.2, seed + 2),
          errs('component', 'db', 0.2, seed + 3),
        ],
      };
      const r = demarcate(input);
      expect(r.verdict.subject).toMatchObject({ kind: 'component', name: 'db' });
      const web = r.candidates.find((c) => c.subject.name === 'web');
      expect(web?.evidence.series.find((e) => e.signal === 'errors' && e.name === 'web-a')).toBeUndefined();
    }
  });

  it('reads a CPU that follows a fourfold traffic burst, both noisy, as load; a CPU beyond it as its own', () => {
    const burst = (m: number): number => (m >= 1 && m <= 3 ? 4 : 1);
    const traffic = measured({ on: 'component', name: 'web', signal: 'requests' }, 15, (m) => 15 * burst(m), 5, {
      rel: 0.04,
    });
    const cpu = (k: number) =>
      measured({ on: 'pod', name: 'web-a', signal: 'cpu' }, 0.03, (m) => 0.03 * burst(m) * k, 6, { rel: 0.04 });
    const input = (k: number): DemarcationInput => ({
      ...base,
      pods: [{ name: 'web-a', component: 'web', node: 'n1' }],
      series: [traffic, cpu(k)],
    });
    const cpuEvidence = (k: number) =>
      demarcate(input(k))
        .candidates.find((c) => c.subject.name === 'web')
        ?.evidence.series.find((e) => e.signal === 'cpu');
    expect(cpuEvidence(1)).toBeUndefined();
    expect(cpuEvidence(2)?.contribution).toBeGreaterThan(0);
  });
});

describe('the demarcation rules on the network and on what a node shares', () => {
  it('calls it the network when callers lose half their calls to a callee that reports a few failures of its own', () => {
    const input: DemarcationInput = {
      ...base,
      ...webCallsDb,
      series: [
        series({ on: 'component', name: 'web', signal: 'outboundErrors', peer: 'db' }, 0.002, 0.001, 0.5, 1),
        series({ on: 'pod', name: 'web-a', signal: 'errors' }, 0.002, 0.001, 0.5, 2),
        // Unusual for db (its baseline is quiet), but a twentieth of what its callers see.
        series({ on: 'pod', name: 'db-a', signal: 'errors' }, 0.001, 0.0005, 0.025, 3),
        series({ on: 'pod', name: 'db-a', signal: 'latency', quantile: 0.5 }, 0.04, 0.001, undefined, 4),
        series({ on: 'component', name: 'db', signal: 'requests' }, 100, 1, 50, 5),
      ],
    };
    const r = demarcate(input);
    expect(r.verdict.kind).toBe('infrastructure');
    expect(r.verdict.subject).toMatchObject({ kind: 'network', name: 'db', caller: 'web' });
    // A callee failing as much as its callers see is the callee's own fault.
    const own = {
      ...input,
      series: [
        ...input.series.slice(0, 2),
        series({ on: 'pod', name: 'db-a', signal: 'errors' }, 0.001, 0.0005, 0.5, 3),
      ],
    };
    expect(demarcate(own).verdict).toMatchObject({ kind: 'application', subject: { kind: 'component', name: 'db' } });
  });

  it("keeps one component sick on a node its own, when the node's other victim carries only noise", () => {
    // web's two replicas, both on n1, slow down sharply; api's replica on n1 shows errors just past its noise.
    const input: DemarcationInput = {
      ...base,
      components: [...components, { name: 'api', application: 'shop', department: 'tax' }],
      pods: (
        [
          ['web-a', 'n1'],
          ['web-b', 'n1'],
          ['api-a', 'n1'],
          ['api-b', 'n2'],
        ] as const
      ).map(([name, node]) => ({ name, component: name.slice(0, -2), node })),
      series: [
        ...pod('web-a', 10, 0.4),
        ...pod('web-b', 20, 0.4),
        ...pod('api-a', 30),
        ...pod('api-b', 40),
        series({ on: 'pod', name: 'api-a', signal: 'errors' }, 0.002, 0.0005, 0.0075, 50),
        series({ on: 'pod', name: 'api-b', signal: 'errors' }, 0.002, 0.0005, undefined, 60),
      ],
    };
    const r = demarcate(input);
    expect(r.candidates.find((c) => c.subject.name === 'api')?.score ?? 0).toBeGreaterThan(0);
    expect(r.verdict.subject).toMatchObject({ kind: 'component', name: 'web' });
  });
});
