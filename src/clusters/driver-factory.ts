import type { ResourceService } from '../resources/service.ts';
import type { SimCloud } from '../sim/index.ts';
import type { DriverFactory } from './cluster-directory.ts';
import { kubernetesDriver } from './drivers/kubernetes/index.ts';
import { SimulatedDriver } from './drivers/simulated/simulated-driver.ts';
import { RemoteSim, RemoteSimDriver } from './drivers/remote-sim/remote-sim-driver.ts';
import { simSpecOf } from './sandbox.ts';

/**
 * Drivers for Cluster objects: simulated clusters join the embedded simulated cloud (built from their node pool
 * the first time they are seen); Kubernetes clusters are reached through the kubeconfig kept in their
 * PlatformSecret, read (and decrypted) when the driver first needs it.
 */
export function driverFactory(deps: {
  sim?: SimCloud;
  /** A simulated cloud another process serves (POLIS_SIM_URL), for simulated clusters instead of `sim`. */
  remoteSim?: RemoteSim;
  resources: ResourceService;
}): DriverFactory {
  return (obj) => {
    const spec = obj.spec!;
    const name = obj.metadata.name;
    if (spec.provider === 'simulated' && deps.remoteSim)
      return new RemoteSimDriver(deps.remoteSim, name, simSpecOf(obj));
    if (spec.provider === 'simulated') {
      if (!deps.sim) return { error: 'the simulated cloud is off (POLIS_SANDBOX=off)' };
      if (!deps.sim.cluster(name)) deps.sim.addCluster(simSpecOf(obj));
      return new SimulatedDriver(deps.sim, name);
    }
    const secret = spec.kubeconfigSecret;
    if (!secret) return { error: 'spec.kubeconfigSecret is missing: register the cluster with polis cluster add' };
    return kubernetesDriver(name, async () => {
      const stored = await deps.resources.get('PlatformSecret', '', secret);
      const data = (stored as { data?: Record<string, string> }).data ?? {};
      if (!data.kubeconfig) throw new Error(`PlatformSecret ${secret} has no kubeconfig key`);
      return Buffer.from(data.kubeconfig, 'base64').toString('utf8');
    });
  };
}
