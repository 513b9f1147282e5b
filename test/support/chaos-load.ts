/**
 * What the chaos tests and bench/scale-out-chaos do to and read from a ReplicaSet: a write load spread over the
 * replicas that remembers every acknowledged write, applications placed over the fake clusters, and what those
 * clusters hold.
 */
import type { FakeKube } from './fake-kube/index.ts';
import type { Replica, ReplicaSet } from './replica-set.ts';

export const TENANT = 'edu';
const SECRETS = `/apis/polis.io/v1/tenants/${TENANT}/secrets`;
const APPS = `/apis/core.oam.dev/v1beta1/tenants/${TENANT}/applications`;

/** The department the load writes into. */
export async function createTenant(set: ReplicaSet): Promise<void> {
  const r = await set.request(set.live()[0]!, 'POST', '/api/v1/apply', [
    {
      apiVersion: 'polis.io/v1',
      kind: 'Tenant',
      metadata: { name: TENANT },
      spec: {
        displayName: { zh: '教育局', en: 'Education Bureau' },
        contacts: [{ name: 'Owner', role: 'owner', email: 'owner@edu.gov.example' }],
      },
    },
  ]);
  if (r.status !== 200) throw new Error(`tenant: ${r.status} ${JSON.stringify(r.json)}`);
}

/**
 * Writers creating Secrets, each on the live replicas in turn. A write counts as acknowledged only on 201; a
 * refused or unanswered one (the replica died, the database is down) is counted by its status and not retried
 * under the same name, so `acked` holds exactly what polis promised to keep.
 */
export class WriteLoad {
  readonly acked = new Set<string>();
  readonly outcomes = new Map<string, number>();
  #running = false;
  #loops: Promise<void>[] = [];
  #n = 0;

  private readonly set: ReplicaSet;
  private readonly writers: number;
  private readonly pauseMs: number;

  /** `pauseMs` after each write leaves the machine's two cores to the replicas. */
  constructor(set: ReplicaSet, writers = 4, pauseMs = 25) {
    this.set = set;
    this.writers = writers;
    this.pauseMs = pauseMs;
  }

  start(): void {
    this.#running = true;
    this.#loops = Array.from({ length: this.writers }, (_, w) => this.#loop(w));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  /** How many writes ended with `outcome` (an HTTP status, or `error` when no answer came). */
  count(outcome: string): number {
    return this.outcomes.get(outcome) ?? 0;
  }

  async #loop(w: number): Promise<void> {
    while (this.#running) {
      const live = this.set.live();
      const replica = live[(w + this.#n) % Math.max(1, live.length)];
      const name = `w${w}-${++this.#n}`;
      let outcome = 'error';
      if (replica) {
        try {
          const r = await this.set.request(
            replica,
            'POST',
            SECRETS,
            {
              apiVersion: 'polis.io/v1',
              kind: 'Secret',
              metadata: { name },
              stringData: { value: name },
            },
            5_000,
          );
          outcome = String(r.status);
          if (r.status === 201) this.acked.add(name);
        } catch {
          // No answer: not acknowledged.
        }
      }
      this.outcomes.set(outcome, this.count(outcome) + 1);
      await new Promise((r) => setTimeout(r, outcome === '201' ? this.pauseMs : 200));
    }
  }

  /** Names acknowledged but absent when read back from `replica` (must be empty). */
  async lost(replica: Replica): Promise<string[]> {
    const present = new Set<string>();
    let cont: string | undefined;
    do {
      const r = await this.set.request(
        replica,
        'GET',
        `${SECRETS}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
        undefined,
        30_000,
      );
      if (r.status !== 200) throw new Error(`listing secrets: ${r.status} ${JSON.stringify(r.json)}`);
      for (const item of r.json.items as { metadata: { name: string } }[]) present.add(item.metadata.name);
      cont = r.json.metadata?.continue || undefined;
    } while (cont);
    return [...this.acked].filter((n) => !present.has(n));
  }
}

/** One web component of `replicas` pods, divided over `clusters` by polis's placement. */
export function appDoc(name: string, clusters: readonly string[], replicas: number): Record<string, unknown> {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name, tenant: TENANT },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: 'registry.example.gov.cn/edu/portal:1.0', cpu: '100m', memory: '64Mi', port: 8080 },
          traits: [{ type: 'scaler', properties: { replicas } }],
        },
      ],
      policies: [{ name: 'here', type: 'placement', properties: { clusters } }],
    },
  };
}

export async function applyApp(set: ReplicaSet, replica: Replica, doc: Record<string, unknown>): Promise<void> {
  // Generous: a replica stopped mid-transaction holds the writer lock until PostgreSQL ends its session (10 s).
  const r = await set.request(replica, 'POST', '/api/v1/apply', doc, 30_000);
  if (r.status !== 200) throw new Error(`apply: ${r.status} ${JSON.stringify(r.json)}`);
}

/** Running with Delivered=True, read from `replica`. */
export async function delivered(set: ReplicaSet, replica: Replica, app: string): Promise<boolean> {
  const r = await set.request(replica, 'GET', `${APPS}/${app}`);
  const s = r.json?.status as { phase?: string; conditions?: { type: string; status: string }[] } | undefined;
  return s?.phase === 'Running' && s.conditions?.find((c) => c.type === 'Delivered')?.status === 'True';
}

/** The Deployments a fake cluster holds for `app`: name, component and spec.replicas. */
export async function deploymentsOf(
  fake: FakeKube,
  app: string,
): Promise<{ name: string; component: string; replicas: number }[]> {
  const r = await fetch(
    `${fake.url}/apis/apps/v1/deployments?labelSelector=${encodeURIComponent(`app.oam.dev/name=${app}`)}`,
    { headers: { authorization: 'Bearer fake-token' }, signal: AbortSignal.timeout(10_000) },
  );
  if (!r.ok) throw new Error(`listing deployments of ${app}: ${r.status}`);
  const list = (await r.json()) as {
    items: { metadata: { name: string; labels?: Record<string, string> }; spec: { replicas?: number } }[];
  };
  return list.items.map((d) => ({
    name: d.metadata.name,
    component: d.metadata.labels?.['app.oam.dev/component'] ?? '',
    replicas: d.spec.replicas ?? 1,
  }));
}

/**
 * What the fake clusters hold for `app`: per cluster, its Deployments per component; the total replicas of
 * component `web` over every cluster.
 */
export async function placedOf(
  fakes: ReadonlyMap<string, FakeKube>,
  app: string,
): Promise<{ perCluster: Record<string, Record<string, number>>; webReplicas: number }> {
  const perCluster: Record<string, Record<string, number>> = {};
  let webReplicas = 0;
  for (const [cluster, fake] of fakes) {
    const counts: Record<string, number> = {};
    for (const d of await deploymentsOf(fake, app)) {
      counts[d.component] = (counts[d.component] ?? 0) + 1;
      if (d.component === 'web') webReplicas += d.replicas;
    }
    perCluster[cluster] = counts;
  }
  return { perCluster, webReplicas };
}
