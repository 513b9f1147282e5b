import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import type { AppStatus } from '../../src/delivery/app-status.ts';
import type { ManualClock } from '../../src/kernel/clock.ts';
import type { FakeKube } from './fake-kube/index.ts';
import type { TestPolis } from './test-polis.ts';

/** The shipped least-privilege role for member clusters (deploy/member-cluster/), as the fake API server enforces it. */
export const SHIPPED_ROLE = readFileSync(
  new URL('../../deploy/member-cluster/polis-agent-rbac.yaml', import.meta.url),
  'utf8',
);

/**
 * What the tests of polis against the fake Kubernetes API server share: registering a fake as a cluster, applying
 * the education bureau's small portal to it, and waiting on a condition while probes and reconciles run (and, with a
 * clock, virtual time moves on 5 s a round). Every wait is bounded by rounds, never by wall-clock time, and says
 * what the clusters showed when it gives up.
 */
export class KubeHarness {
  private readonly polis: () => TestPolis;
  private readonly clock?: ManualClock;

  constructor(polis: () => TestPolis, opts: { clock?: ManualClock } = {}) {
    this.polis = polis;
    this.clock = opts.clock;
  }

  async waitFor(what: string, check: () => Promise<boolean>, rounds = 300): Promise<void> {
    const t = this.polis();
    for (let i = 0; i < rounds; i++) {
      // Virtual time moves on: failback waits for a cluster to stay Ready for its stabilization period.
      this.clock?.advance(5_000);
      await t.polis.clusters.probeAll();
      await t.polis.delivery.resyncAll();
      await t.polis.delivery.idle();
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    type Listed = { metadata: { name: string }; status?: { health?: string; conditions?: { message?: string }[] } };
    const clusters = (await t.request('GET', '/apis/polis.io/v1/clusters', { token: t.adminToken })).json() as {
      items?: Listed[];
    };
    const shown = clusters.items?.map((c) => [c.metadata.name, c.status?.health, c.status?.conditions?.[0]?.message]);
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(shown)}`);
  }

  /** Registers the fake as a primary cluster of the city's east region. */
  async register(name: string, fake: FakeKube): Promise<void> {
    const t = this.polis();
    const r = await t.request('POST', '/api/v1/clusters', {
      token: t.adminToken,
      body: {
        name,
        kubeconfig: fake.kubeconfig(),
        vendor: 'k3s',
        region: 'city-east',
        zone: 'city-east-edge',
        networkZone: 'e-gov-extranet',
        role: 'primary',
      },
    });
    if (r.statusCode !== 200) throw new Error(`registration: ${r.statusCode} ${r.body}`);
  }

  /** Applies the education bureau's portal (one web component, `replicas` of 100m / 64Mi) placed on `cluster`. */
  apply(name: string, cluster: string, replicas = 2): Promise<LightMyRequestResponse> {
    return this.polis().request('POST', '/api/v1/apply', {
      token: this.polis().tokens['edu-admin'],
      body: {
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name, tenant: 'edu' },
        spec: {
          components: [
            {
              name: 'web',
              type: 'webservice',
              properties: {
                image: 'registry.example.gov.cn/edu/portal:1.0',
                cpu: '100m',
                memory: '64Mi',
                ports: [{ port: 8080, expose: true }],
              },
              traits: [{ type: 'scaler', properties: { replicas } }],
            },
          ],
          policies: [{ name: 'here', type: 'placement', properties: { clusters: [cluster] } }],
        },
      },
    });
  }

  /** The same, refusing anything but success with the answer's body. */
  async applyOk(name: string, cluster: string, replicas = 2): Promise<void> {
    const r = await this.apply(name, cluster, replicas);
    if (r.statusCode !== 200) throw new Error(`apply: ${r.statusCode} ${r.body}`);
  }

  async appStatus(name: string): Promise<AppStatus | undefined> {
    const t = this.polis();
    const r = await t.request('GET', `/apis/core.oam.dev/v1beta1/tenants/edu/applications/${name}`, {
      token: t.adminToken,
    });
    return r.statusCode === 200 ? r.json().status : undefined;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a Cluster's status as the API returns it
  async clusterStatus(name: string): Promise<any> {
    const t = this.polis();
    return (await t.request('GET', `/apis/polis.io/v1/clusters/${name}`, { token: t.adminToken })).json().status;
  }

  /** Running, and Delivered=True. */
  async delivered(app: string): Promise<boolean> {
    const s = await this.appStatus(app);
    return s?.phase === 'Running' && s.conditions.find((c) => c.type === 'Delivered')?.status === 'True';
  }
}
