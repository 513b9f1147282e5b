import { afterEach, describe, expect, it, vi } from 'vitest';
import { newCloud, smallCluster } from '../../../sim/sim-fixtures.ts';
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
});
