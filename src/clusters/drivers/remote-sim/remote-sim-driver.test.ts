import { afterEach, describe, expect, it, vi } from 'vitest';
import { deployment, namespace, newCloud, smallCluster } from '../../../sim/sim-fixtures.ts';
import { ClusterUnreachableError } from '../../driver.ts';
import { SimulatedDriver } from '../simulated/simulated-driver.ts';
import { RemoteSim, RemoteSimDriver } from './remote-sim-driver.ts';
import { startSimServer, type SimServer } from './sim-server.ts';

describe("the served simulated cloud's driver calls", () => {
  let server: SimServer | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server?.close();
    server = undefined;
  });

  it('made in the same turn go in one request, each answered as it would be alone, a new cluster added first', async () => {
    const { cloud } = newCloud({ clusters: [smallCluster('c1'), smallCluster('c2')] });
    cloud.cluster('c2')!.down();
    server = await startSimServer({ sim: cloud });
    const remote = new RemoteSim(server.url);
    const c1 = new RemoteSimDriver(remote, 'c1', smallCluster('c1'));
    const c2 = new RemoteSimDriver(remote, 'c2', smallCluster('c2'));
    const c3 = new RemoteSimDriver(remote, 'c3', smallCluster('c3'));
    const requests = vi.spyOn(globalThis, 'fetch');

    const [health1, capacity1, health2, capacity2, capacity3] = await Promise.allSettled([
      c1.health(),
      c1.capacity(),
      c2.health(),
      c2.capacity(),
      c3.capacity(),
    ]);
    expect(requests).toHaveBeenCalledTimes(1);
    expect(String(requests.mock.calls[0]![0])).toBe(`${server.url}/v1/calls`);
    const local = (name: string) => new SimulatedDriver(cloud, name);
    expect(health1).toEqual({ status: 'fulfilled', value: await local('c1').health() });
    expect(capacity1).toEqual({ status: 'fulfilled', value: await local('c1').capacity() });
    expect(health2).toMatchObject({ status: 'fulfilled', value: { reachable: false } });
    // The down cluster's call fails as it would alone; the others in the same request do not.
    expect(capacity2.status).toBe('rejected');
    expect((capacity2 as PromiseRejectedResult).reason).toBeInstanceOf(ClusterUnreachableError);
    // A cluster the cloud lacked was added from the spec that went along with its first call.
    expect(cloud.cluster('c3')).toBeDefined();
    expect(capacity3).toEqual({ status: 'fulfilled', value: await local('c3').capacity() });
  });

  it('all fail as unreachable when the served cloud does not answer', async () => {
    const { cloud } = newCloud();
    server = await startSimServer({ sim: cloud });
    const remote = new RemoteSim(server.url);
    await server.close();
    server = undefined;
    const c1 = new RemoteSimDriver(remote, 'c1', smallCluster('c1'));
    const results = await Promise.allSettled([
      c1.capacity(),
      c1.observe({ tenant: 'edu', app: 'x', namespace: 'edu--x' }),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ClusterUnreachableError);
    }
    expect(await c1.health()).toMatchObject({ reachable: false, ready: false });
  });

  it('a listener further behind than the changes kept is answered 410 Gone, relists, and misses no namespace', async () => {
    const { cloud, cluster } = newCloud({ clusters: [smallCluster('c1', 3, 64)] });
    server = await startSimServer({ sim: cloud, changesKept: 5 });
    const remote = new RemoteSim(server.url);
    const heard = new Set<string>();
    const off = remote.onChange((c, ns) => heard.add(`${c}/${ns}`));
    try {
      await remote.heard(server.changeSeq());
      // 30 namespaces change in one instant: more than twice the 5 kept before the long poll is answered.
      const names = Array.from({ length: 30 }, (_, i) => `ns-${i}`);
      for (const ns of names) cluster.apply(namespace(ns));
      for (const ns of names) cluster.apply(deployment('web', ns, { replicas: 1, cpu: '10m' }));
      cloud.tick();
      expect(server.changeSeq()).toBeGreaterThan(10);
      await remote.heard(server.changeSeq());
      expect(remote.relists).toBeGreaterThanOrEqual(1);
      for (const ns of names) expect(heard).toContain(`c1/${ns}`);
      // The protocol itself: a position older than the kept changes is gone, the relist answers each namespace once.
      const gone = await fetch(`${server.url}/v1/changes?after=0`);
      expect(gone.status).toBe(410);
      expect(await gone.json()).toEqual({ error: 'gone', seq: server.changeSeq() });
      const relist = (await (await fetch(`${server.url}/v1/changes?after=0&relist=1`)).json()) as {
        seq: number;
        changes: { cluster: string; namespace: string }[];
      };
      expect(relist.seq).toBe(server.changeSeq());
      const listed = relist.changes.map((c) => `${c.cluster}/${c.namespace}`);
      expect(new Set(listed).size).toBe(listed.length);
      for (const ns of names) expect(listed).toContain(`c1/${ns}`);
      // A position from another run of the cloud (ahead of it) is gone too.
      expect((await fetch(`${server.url}/v1/changes?after=${server.changeSeq() + 100}`)).status).toBe(410);
    } finally {
      off();
    }
  });
});
