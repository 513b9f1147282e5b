import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../kernel/clock.ts';
import { SimCloud, constant, type FaultSpec } from '../../sim/index.ts';
import { simObservation, type ComponentOwner } from '../sources/simulated/sim-observation.ts';
import { IncidentEngine, type Incident } from './engine.ts';

/**
 * From injection to incident, in virtual time, for every fault type: a small city on one cluster of four nodes.
 * shop (department trade): web → api → db, api → market/pg (a shared instance published by acme) and
 * → license/check (department samr's service).
 */
const GiB = 1024 ** 3;
const OWNERS: Record<string, ComponentOwner> = {
  'shop/web': { application: 'shop', department: 'trade', vendor: 'v1' },
  'shop/api': { application: 'shop', department: 'trade', vendor: 'v1' },
  'shop/db': { application: 'shop', department: 'trade', vendor: 'v1' },
  'market/pg': { application: 'pg-shared', department: 'bureau', publisher: 'acme' },
  'license/check': { application: 'license', department: 'samr', vendor: 'v2' },
};

function deployment(ns: string, name: string, replicas: number) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { 'app.oam.dev/component': name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, 'app.oam.dev/component': name } },
        spec: {
          containers: [{ name, image: `reg/${ns}-${name}:1`, resources: { requests: { cpu: '1', memory: '1Gi' } } }],
        },
      },
    },
  };
}

function city() {
  const clock = new ManualClock('2026-03-02T00:00:00Z');
  const sim = new SimCloud({ clock, seed: 3 });
  const c = sim.addCluster({
    name: 'c1',
    vendor: 'acme-cloud',
    region: 'r1',
    zone: 'r1-a',
    networkZone: 'e-gov-extranet',
    role: 'primary',
    labels: {},
    prices: { cpuCoreHour: 0.1, memoryGiBHour: 0.01 },
    nodes: [1, 2, 3, 4].map((i) => ({ name: `n${i}`, cpuMilli: 8000, memoryBytes: 32 * GiB, pods: 110 })),
  });
  for (const ns of ['shop', 'market', 'license'])
    c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const [ns, name] of Object.keys(OWNERS).map((k) => k.split('/') as [string, string]))
    c.apply(deployment(ns, name, 3));
  sim.advance(30_000);
  sim.setScenario('shop', 'web', constant(40));
  const ref = (k: string) => ({ namespace: k.split('/')[0]!, component: k.split('/')[1]! });
  sim.mesh.declare({ ...ref('shop/web'), calls: [{ to: ref('shop/api') }] });
  sim.mesh.declare({
    ...ref('shop/api'),
    calls: [{ to: ref('shop/db'), perRequest: 2 }, { to: ref('market/pg') }, { to: ref('license/check') }],
  });
  sim.startTelemetry(15_000);
  sim.advance(40 * 60_000);
  return { clock, sim };
}

function run(spec: FaultSpec): { incidents: Incident[]; injectedAt: number } {
  const { clock, sim } = city();
  const engine = new IncidentEngine();
  const directory = (k: string) => OWNERS[k];
  const evaluate = () => {
    const now = clock.now().getTime() / 1000;
    return engine.evaluate(simObservation(sim, now - 40 * 60, now, directory), now);
  };
  for (let i = 0; i < 8; i++) {
    sim.advance(15_000);
    expect(evaluate()).toEqual([]);
  }
  const injectedAt = clock.now().getTime() / 1000;
  sim.faults.add(spec);
  for (let i = 0; i < 24; i++) {
    sim.advance(15_000);
    evaluate();
  }
  return { incidents: engine.list(), injectedAt };
}

const c = (k: string) => ({ namespace: k.split('/')[0]!, component: k.split('/')[1]! });

const CASES: { spec: FaultSpec; verdict: string; culprit: string }[] = [
  { spec: { type: 'node-down', cluster: 'c1', node: 'n2' }, verdict: 'infrastructure', culprit: 'n2' },
  { spec: { type: 'cluster-partition', cluster: 'c1' }, verdict: 'infrastructure', culprit: 'c1' },
  { spec: { type: 'crash-loop', target: c('shop/db') }, verdict: 'application', culprit: 'shop/db' },
  { spec: { type: 'latency', target: c('shop/db'), ms: 300 }, verdict: 'application', culprit: 'shop/db' },
  { spec: { type: 'errors', target: c('shop/api'), rate: 0.2 }, verdict: 'application', culprit: 'shop/api' },
  { spec: { type: 'cpu-hog', target: c('shop/db'), cores: 0.9 }, verdict: 'application', culprit: 'shop/db' },
  { spec: { type: 'cpu-hog', cluster: 'c1', node: 'n3', cores: 7.9 }, verdict: 'infrastructure', culprit: 'n3' },
  {
    spec: { type: 'memory-leak', target: c('shop/api'), mibPerMinute: 400 },
    verdict: 'application',
    culprit: 'shop/api',
  },
  { spec: { type: 'bad-rollout', target: c('shop/api'), rate: 0.3 }, verdict: 'application', culprit: 'shop/api' },
  {
    spec: { type: 'slow-dependency', target: c('market/pg'), ms: 400 },
    verdict: 'shared-dependency',
    culprit: 'market/pg',
  },
  {
    spec: { type: 'network-loss', from: c('shop/api'), to: c('shop/db'), loss: 0.3 },
    verdict: 'infrastructure',
    culprit: 'shop/db',
  },
];

describe('from a fault to an incident with a verdict, in virtual time', () => {
  for (const k of CASES) {
    const what = k.spec.type + ('node' in k.spec && k.spec.node ? ' on a node' : '');
    it(`${what}: one incident, verdict ${k.verdict}, ${k.culprit} first, within a minute`, () => {
      const { incidents, injectedAt } = run(k.spec);
      expect(incidents.length).toBe(1);
      const inc = incidents[0]!;
      expect(inc.result.verdict.kind).toBe(k.verdict);
      expect(inc.result.candidates[0]?.subject.name).toBe(k.culprit);
      expect(inc.verdictAt - injectedAt).toBeLessThanOrEqual(60);
      if (k.spec.type === 'network-loss')
        expect(inc.result.verdict.subject).toMatchObject({ kind: 'network', name: 'shop/db', caller: 'shop/api' });
      expect(inc.timeline[0]).toMatchObject({ action: 'opened', actor: 'system:incidents' });
    });
  }
});
