import { describe, expect, it } from 'vitest';
import { OWNER_LABELS } from '../../../kernel/ownership.ts';
import { deployment, deploymentKey, newCloud } from '../../../sim/sim-fixtures.ts';
import type { Manifest } from '../../../kernel/manifest.ts';
import { SimulatedDriver } from './simulated-driver.ts';

const owner = { tenant: 'edu', app: 'portal', namespace: 'edu--portal' };
const ns: Manifest = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name: owner.namespace,
    labels: { [OWNER_LABELS.tenant]: 'edu', [OWNER_LABELS.app]: 'portal', [OWNER_LABELS.managedBy]: 'polis' },
  },
};
const manifests = [ns, deployment('web', owner.namespace, { replicas: 2 })];

/** A cloud of one cluster, the portal applied with digest `d1` and its pods started (its status settled). */
async function applied() {
  const { cloud, cluster } = newCloud();
  const driver = new SimulatedDriver(cloud, cluster.name);
  const first = await driver.apply(manifests, { owner, digest: 'd1' });
  expect(first.failed).toEqual([]);
  cloud.advance(120_000);
  // The status moved on since the apply: the cluster cannot vouch for it, and the apply records it again.
  expect(await driver.applyUnchanged(owner, 'd1')).toBeUndefined();
  await driver.apply(manifests, { owner, digest: 'd1' });
  return { cloud, cluster, driver };
}

describe('an apply the simulated cluster answers without the manifests', () => {
  it('reports every object unchanged while nothing the last apply left has changed', async () => {
    const { driver } = await applied();
    const again = await driver.applyUnchanged(owner, 'd1');
    expect(again).toEqual(await driver.apply(manifests, { owner, digest: 'd1' }));
    expect(again!.applied.map((a) => a.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('answers nothing for another digest, another application, or once an object changed or went', async () => {
    const { cloud, cluster, driver } = await applied();
    expect(await driver.applyUnchanged(owner, 'd2')).toBeUndefined();
    expect(await driver.applyUnchanged({ ...owner, app: 'other' }, 'd1')).toBeUndefined();
    // Drift: another hand edits the Deployment.
    cluster.mutate(deploymentKey('web', owner.namespace), (o) => {
      (o as { spec: { replicas: number } }).spec.replicas = 5;
    });
    expect(await driver.applyUnchanged(owner, 'd1')).toBeUndefined();
    await driver.apply(manifests, { owner, digest: 'd1' });
    cloud.advance(120_000);
    await driver.apply(manifests, { owner, digest: 'd1' });
    expect(await driver.applyUnchanged(owner, 'd1')).toBeDefined();
    cluster.delete(deploymentKey('web', owner.namespace));
    expect(await driver.applyUnchanged(owner, 'd1')).toBeUndefined();
    // An apply without a digest forgets what the last one left.
    await driver.apply(manifests, { owner });
    expect(await driver.applyUnchanged(owner, 'd1')).toBeUndefined();
  });

  it('is unreachable with its cluster', async () => {
    const { cluster, driver } = await applied();
    cluster.down();
    await expect(driver.applyUnchanged(owner, 'd1')).rejects.toThrow();
  });
});
