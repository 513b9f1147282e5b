import type { Owner } from '../../src/clusters/driver.ts';
import { KubernetesDriver } from '../../src/clusters/drivers/kubernetes/index.ts';
import { ProvisionerPending } from '../../src/market/provisioners/job-provisioner.ts';
import { ProvisionerError } from '../../src/market/provisioners/index.ts';
import type { FakeKube } from './fake-kube/index.ts';
import { startFakeKube } from './fake-kube/index.ts';
import type { ContainerRun } from './fake-kube/types.ts';
import { SHIPPED_ROLE } from './kube-harness.ts';
import { localKubelet } from './local-kubelet.ts';

/**
 * A cluster for the Job provisioner's tests: the fake API server with the shipped member-cluster role enforced, its
 * kubelet running each Job's container command on this machine (recorded in `runs`; a Job named in `failOnce` exits 1
 * once, as a container that crashed), and the instance owner's namespace made by polis's driver.
 */
export async function startJobCluster(
  owner: Owner,
  runs: ContainerRun[],
  failOnce: Set<string>,
): Promise<{ fake: FakeKube; driver: KubernetesDriver }> {
  const fake = await startFakeKube({
    readyAfterMs: 0,
    rbac: [SHIPPED_ROLE],
    kubelet: localKubelet({
      runs,
      before: (run) => {
        const job = run.pod.replace(/-[a-z0-9]{5}$/, '');
        if (!failOnce.delete(job)) return undefined;
        return { exitCode: 1, output: 'injected: the container crashed' };
      },
    }),
  });
  const driver = new KubernetesDriver('k8s-east', async () => fake.kubeconfig());
  const report = await driver.apply(
    [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: owner.namespace,
          labels: {
            'app.oam.dev/name': owner.app,
            'polis.io/tenant': owner.tenant,
            'app.kubernetes.io/managed-by': 'polis',
          },
        },
      },
    ],
    { owner },
  );
  if (report.failed.length > 0) {
    driver.close();
    await fake.stop();
    throw new Error(`the owner's namespace was not made: ${JSON.stringify(report.failed)}`);
  }
  return { fake, driver };
}

/**
 * Calls a provisioner step until it stops answering "pending", as the binding reconciler's requeues do (every 50 ms,
 * at most `tries` times); up to five provisioner errors (a failed Job) are collected in `errors` and retried.
 */
export async function settleJob<T>(call: () => Promise<T>, tries: number, errors: ProvisionerError[] = []): Promise<T> {
  for (let i = 0; i < tries; i++) {
    try {
      return await call();
    } catch (e) {
      if (e instanceof ProvisionerPending) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (e instanceof ProvisionerError && errors.length < 5) {
        errors.push(e);
        continue;
      }
      throw e;
    }
  }
  throw new Error('the Job never finished');
}
