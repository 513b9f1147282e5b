import { afterEach, describe, expect, it } from 'vitest';
import { observeDeclared } from '../../../observe/sources/simulated/sim-incident-source.ts';
import { simCallSeries, simMemoryUse, simObservedEdges } from '../../../observe/sources/simulated/sim-observation.ts';
import { SimulatedHistoryProbe } from '../../../observe/sources/simulated/simulated-probe.ts';
import { ServedMetricsSource } from '../../../observe/sources/simulated/served-source.ts';
import { SimulatedMetricsSource } from '../../../observe/sources/simulated/simulated-source.ts';
import { constant, simMetricsText } from '../../../sim/index.ts';
import { deployment, namespace, newCloud } from '../../../sim/sim-fixtures.ts';
import { RemoteSim } from './remote-sim-driver.ts';
import { startSimServer, type SimServer } from './sim-server.ts';

const NS = 'edu--portal';
const REF = { tenant: 'edu', app: 'portal', namespace: NS, component: 'web' };

describe('the served simulated cloud: load and metrics over loopback read the one cloud', () => {
  let server: SimServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function served() {
    const { cloud, cluster, clock } = newCloud();
    cluster.apply(namespace(NS));
    cluster.apply(deployment('web', NS, { replicas: 2, app: 'portal', component: 'web' }));
    cloud.advance(120_000);
    server = await startSimServer({ sim: cloud });
    return { cloud, cluster, clock, remote: new RemoteSim(server.url) };
  }

  it('sets load in the one cloud, and its metrics, history samples and memory are those the embedded readers see', async () => {
    const { cloud, remote } = await served();
    const applied = await remote.setLoad(NS, [{ component: 'web', baseRps: 40 }], 3);
    expect(cloud.offeredRps(NS, 'web')).toBeCloseTo(120);
    expect(applied).toEqual([{ component: 'web', offeredRps: 120 }]);
    // A component with a load keeps its scenario: only the factor changes.
    await remote.setLoad(NS, [{ component: 'web', baseRps: 1 }], 1);
    expect(cloud.offeredRps(NS, 'web')).toBeCloseTo(40);

    const embedded = new SimulatedMetricsSource({ sim: cloud });
    const source = new ServedMetricsSource({ reader: remote });
    const [here, there] = await Promise.all([embedded.signals(REF), source.signals(REF)]);
    expect(there).toEqual(here);
    expect(there!.requestsPerSecond).toBeGreaterThan(0);

    const targets = [{ tenant: 'edu', app: 'portal', namespace: NS, component: 'web' }];
    const samples = await new SimulatedHistoryProbe(cloud).sample(targets);
    expect(samples.some((x) => x.labels.__name__ === 'polis_component_requests_per_second')).toBe(true);
    expect(await remote.historySample(targets)).toEqual(samples);
    expect(simMemoryUse(cloud).size).toBeGreaterThan(0);
    expect(await remote.memoryUse()).toEqual(simMemoryUse(cloud));
  });

  it("gives the incident engine, the topology and the marketplace's call counts what the embedded cloud shows", async () => {
    const { cloud, cluster, remote } = await served();
    cluster.apply(deployment('api', NS, { replicas: 1, app: 'portal', component: 'api' }));
    cloud.startTelemetry(15_000);
    cloud.advance(60_000);
    await remote.setLoad(NS, [{ component: 'web', baseRps: 40 }], 1);
    const owner = { application: 'portal', department: 'edu' };
    const declared = {
      calls: new Map([[`${NS}/web`, [`${NS}/api`]]]),
      owners: new Map([
        [`${NS}/web`, owner],
        [`${NS}/api`, owner],
      ]),
    };
    // Sent through the served cloud first: it declares the calls on the one mesh, so traffic flows along them.
    const fromS = Math.floor(cloud.now() / 1000);
    expect((await remote.observation(fromS, fromS, declared)).edges).toEqual([{ from: `${NS}/web`, to: `${NS}/api` }]);
    cloud.advance(120_000);
    const toS = Math.floor(cloud.now() / 1000);
    const there = await remote.observation(fromS, toS, declared);
    expect(there).toEqual(observeDeclared(cloud, fromS, toS, declared));
    expect(there.components.map((c) => c.name)).toEqual([`${NS}/api`, `${NS}/web`]);
    expect(there.series.length).toBeGreaterThan(0);

    const calls = simCallSeries(cloud)(fromS, toS);
    expect(calls.some((c) => c.from === `${NS}/web` && c.to === `${NS}/api` && c.points.length > 0)).toBe(true);
    expect(await remote.callSeries(fromS, toS)).toEqual(calls);
    const edges = simObservedEdges(cloud, toS);
    expect(edges.some((e) => e.from === `${NS}/web` && e.rps > 0)).toBe(true);
    expect(await remote.observedEdges()).toEqual(edges);
    expect(await remote.metricsText()).toEqual(simMetricsText(cloud));
  });

  it("answers history from the samples it took, and before them from the component's scenario", async () => {
    const { cloud, remote } = await served();
    cloud.setScenario(NS, 'web', constant(25));
    const source = new ServedMetricsSource({ reader: remote, pastFromScenario: true });
    const now = cloud.now();
    await source.signals(REF);
    cloud.advance(60_000);
    await source.record();
    const values = await source.history(REF, 'requestsPerSecond', now - 120_000, now + 60_000, 60_000);
    expect(values).toHaveLength(4);
    expect(values.slice(0, 2)).toEqual([25, 25]);
    expect(values[2]).toBeGreaterThan(0);
    expect(values[3]).toBeGreaterThan(0);
  });

  it('holds no signal (undefined, the problem told) when the served cloud does not answer', async () => {
    const { remote } = await served();
    await server!.close();
    server = undefined;
    const problems: string[] = [];
    const source = new ServedMetricsSource({ reader: remote, onProblem: (_ref, why) => problems.push(why) });
    expect(await source.signals(REF)).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(await source.history(REF, 'cpuUtilization', 0, 60_000, 60_000)).toEqual([NaN, NaN]);
  });

  it('refuses a malformed request with a 400 naming the field, and sets nothing', async () => {
    const { cloud } = await served();
    const before = cloud.offeredRps(NS, 'web');
    const r = await fetch(`${server!.url}/v1/load`, {
      method: 'POST',
      body: JSON.stringify({ namespace: NS, targets: [{ component: 'web', baseRps: 5 }], factor: -1 }),
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: 'invalid', path: 'factor' });
    expect(cloud.offeredRps(NS, 'web')).toBe(before);
    const metrics = await fetch(`${server!.url}/v1/metrics`, { method: 'POST', body: JSON.stringify({}) });
    expect(metrics.status).toBe(400);
    expect(await metrics.json()).toMatchObject({ error: 'invalid', path: 'components' });
    const observation = await fetch(`${server!.url}/v1/observation`, {
      method: 'POST',
      body: JSON.stringify({ fromS: 0, toS: 60, calls: [], owners: [['x', { department: 'edu' }]] }),
    });
    expect(observation.status).toBe(400);
    expect(await observation.json()).toMatchObject({ error: 'invalid', path: 'owners.0.1.application' });
  });
});
