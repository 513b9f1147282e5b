import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApplicationSpec } from '../src/apps/application-kind.ts';
import { renderApplication } from '../src/apps/render/index.ts';
import type { ClusterDriver, Owner } from '../src/clusters/driver.ts';
import { ClusterUnreachableError, NamespaceOwnedError } from '../src/clusters/driver.ts';
import { kubernetesDriver, parseKubeconfig } from '../src/clusters/drivers/kubernetes/index.ts';
import type { KubernetesDriver } from '../src/clusters/drivers/kubernetes/index.ts';
import { SimulatedDriver } from '../src/clusters/drivers/simulated/simulated-driver.ts';
import { RemoteSim, RemoteSimDriver } from '../src/clusters/drivers/remote-sim/remote-sim-driver.ts';
import { startSimServer } from '../src/clusters/drivers/remote-sim/sim-server.ts';
import { namespaceManifest, ownerOf, topologyNamespace } from '../src/delivery/namespace.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { Manifest } from '../src/kernel/manifest.ts';
import { manifestKey } from '../src/kernel/manifest.ts';
import { DEFAULT_SANDBOX, SimCloud } from '../src/sim/index.ts';
import type { FakeKube, FakeKubeOptions } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';

/**
 * One suite, every ClusterDriver (CONVENTIONS.md): the same behaviours through the driver interface on the
 * embedded simulated cloud, on a simulated cloud served over loopback (`polis sim serve`, POLIS_SIM_URL) and on the
 * Kubernetes driver against a fake API server (test/support/fake-kube). What
 * only a real API server has (request counts, watches, field managers, kubeconfigs) follows, for Kubernetes alone.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Editable = Record<string, any>;

interface Harness {
  readonly driver: ClusterDriver;
  /** Lets the cluster work until `check` holds: virtual time for the sim, real time (and watches) for the fake. */
  eventually<T>(read: () => Promise<T>, check: (t: T) => boolean): Promise<T>;
  /** An operator's in-cluster edit (kubectl edit). */
  edit(key: string, change: (obj: Editable) => void): void;
  /** The object as the cluster holds it. */
  live(key: string): Editable | undefined;
  /** polis loses its route to the cluster, and has had time to notice. */
  cutOff(): Promise<void>;
  reconnect(): void;
  /** A line a pod's container writes. */
  writeLog(namespace: string, pod: string, container: string, text: string): void;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function splitKey(key: string): [string, string, string | undefined, string] {
  const parts = key.split('/');
  const [kind, ns, name] = parts.slice(-3) as [string, string, string];
  return [parts.slice(0, -3).join('/'), kind, ns === '' ? undefined : ns, name];
}

function simHarness(): Harness {
  const sim = new SimCloud({ clock: new ManualClock(), seed: 1 });
  const cluster = sim.addCluster(DEFAULT_SANDBOX[0]!);
  return {
    driver: new SimulatedDriver(sim, cluster.name),
    async eventually(read, check) {
      let last = await read();
      for (let i = 0; i < 120 && !check(last); i++) {
        sim.advance(1000);
        last = await read();
      }
      return last;
    },
    edit: (key, change) => cluster.mutate(key, change),
    live: (key) => cluster.get(key),
    cutOff: async () => cluster.partition(),
    reconnect: () => cluster.restore(),
    writeLog: (namespace, pod, container, text) => void cluster.writeLog({ namespace, pod, container }, text),
    stop: async () => {},
  };
}

/** The simulated cloud served by another process (here, on loopback in this one), through the remote driver. */
async function remoteSimHarness(): Promise<Harness> {
  const sim = new SimCloud({ clock: new ManualClock(), seed: 1 });
  const cluster = sim.addCluster(DEFAULT_SANDBOX[0]!);
  const server = await startSimServer({ sim });
  return {
    driver: new RemoteSimDriver(new RemoteSim(server.url), cluster.name, DEFAULT_SANDBOX[0]!),
    async eventually(read, check) {
      let last = await read();
      for (let i = 0; i < 120 && !check(last); i++) {
        sim.advance(1000);
        // The followed lines cross a socket: let them arrive before reading again.
        await sleep(5);
        last = await read();
      }
      return last;
    },
    edit: (key, change) => cluster.mutate(key, change),
    live: (key) => cluster.get(key),
    cutOff: async () => cluster.partition(),
    reconnect: () => cluster.restore(),
    writeLog: (namespace, pod, container, text) => void cluster.writeLog({ namespace, pod, container }, text),
    stop: () => server.close(),
  };
}

const KUBE_OPTIONS = { requestTimeoutMs: 1000, staleAfterMs: 500 };

async function kubeHarness(
  options: FakeKubeOptions = {},
): Promise<Harness & { fake: FakeKube; driver: KubernetesDriver }> {
  const fake = await startFakeKube({ readyAfterMs: 0, bookmarkMs: 50, ...options });
  const driver = kubernetesDriver('fake', async () => fake.kubeconfig(), KUBE_OPTIONS);
  return {
    fake,
    driver,
    async eventually(read, check) {
      let last = await read();
      for (const end = Date.now() + 60_000; !check(last) && Date.now() < end;) {
        await sleep(25);
        last = await read();
      }
      return last;
    },
    edit: (key, change) => fake.edit(...splitKey(key), change),
    live: (key) => fake.get(...splitKey(key)),
    async cutOff() {
      fake.setDown('hang', { timeoutMs: 5000 });
      // The watches fall silent: after staleAfterMs the driver no longer trusts what it holds.
      await sleep(KUBE_OPTIONS.staleAfterMs * 2);
    },
    reconnect: () => fake.setDown(false),
    writeLog: (namespace, pod, container, text) => fake.writeLog(namespace, pod, container, text),
    async stop() {
      driver.close();
      await fake.stop();
    },
  };
}

const OWNER = ownerOf('edu', 'portal', undefined);

/** A realistic application: a webservice (2 replicas by default, a Service) and its ConfigMap, after the namespace. */
function manifests(
  owner: Owner,
  opts: { image?: string; replicas?: number; settings?: Record<string, string>; extra?: Editable[] } = {},
): Manifest[] {
  const spec = {
    components: [
      {
        name: 'web',
        type: 'webservice',
        properties: {
          image: opts.image ?? 'registry.gov.example/edu/portal:1.0',
          ports: [{ port: 8080, expose: true }],
          cpu: '100m',
          memory: '64Mi',
        },
        traits: [{ type: 'scaler', properties: { replicas: opts.replicas ?? 2 } }],
      },
      {
        name: 'config',
        type: 'k8s-objects',
        properties: {
          objects: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: 'settings' },
              data: opts.settings ?? { mode: 'live' },
            },
            ...(opts.extra ?? []),
          ],
        },
      },
    ],
  } as unknown as ApplicationSpec;
  const r = renderApplication(spec, {
    appName: owner.app,
    tenant: owner.tenant,
    namespace: owner.namespace,
    revision: 'v1',
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return [namespaceManifest(owner), ...r.manifests];
}

const keys = (ms: readonly Manifest[]) => ms.map((m) => manifestKey(m));
const NS_KEY = `v1/Namespace//${OWNER.namespace}`;
const WEB = `apps/v1/Deployment/${OWNER.namespace}/web`;
const SETTINGS = `v1/ConfigMap/${OWNER.namespace}/settings`;
const SERVICE = `v1/Service/${OWNER.namespace}/web`;

const BACKENDS: Record<string, () => Promise<Harness>> = {
  simulated: async () => simHarness(),
  'served simulated cloud': () => remoteSimHarness(),
  kubernetes: () => kubeHarness(),
};

for (const [backend, make] of Object.entries(BACKENDS)) {
  describe(`ClusterDriver conformance: ${backend}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.stop();
    });

    it('applies the namespace first and reports every object created', async () => {
      const ms = manifests(OWNER);
      const report = await h.driver.apply(ms, { owner: OWNER });
      expect(report.failed).toEqual([]);
      expect(report.applied).toEqual(keys(ms).map((key) => ({ key, action: 'created' })));
      expect(report.applied[0]!.key).toBe(NS_KEY);
      expect(h.live(WEB)?.spec.replicas).toBe(2);
      expect((await h.driver.inventory(OWNER)).sort()).toEqual(keys(ms).sort());
    });

    it('reports unchanged on a repeat and configured for a changed manifest', async () => {
      await h.driver.apply(manifests(OWNER), { owner: OWNER });
      const again = await h.driver.apply(manifests(OWNER), { owner: OWNER });
      expect(again.applied.map((a) => a.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
      const changed = await h.driver.apply(manifests(OWNER, { image: 'registry.gov.example/edu/portal:2.0' }), {
        owner: OWNER,
      });
      expect(Object.fromEntries(changed.applied.map((a) => [a.key, a.action]))).toEqual({
        [NS_KEY]: 'unchanged',
        [SETTINGS]: 'unchanged',
        [SERVICE]: 'unchanged',
        [WEB]: 'configured',
      });
      expect(h.live(WEB)?.spec.template.spec.containers[0].image).toBe('registry.gov.example/edu/portal:2.0');
    });

    it('leaves create-only fields as edited in the cluster and reverts other drift', async () => {
      const createOnlyPaths = { [WEB]: ['spec.replicas'] };
      await h.driver.apply(manifests(OWNER), { owner: OWNER, createOnlyPaths });
      h.edit(WEB, (o) => (o.spec.replicas = 5));
      h.edit(SETTINGS, (o) => (o.data.mode = 'maintenance'));
      const report = await h.eventually(
        () => h.driver.apply(manifests(OWNER), { owner: OWNER, createOnlyPaths }),
        (r) => r.applied.some((a) => a.action === 'configured'),
      );
      expect(report.failed).toEqual([]);
      expect(Object.fromEntries(report.applied.map((a) => [a.key, a.action]))).toMatchObject({
        [WEB]: 'unchanged',
        [SETTINGS]: 'configured',
      });
      expect(h.live(WEB)?.spec.replicas).toBe(5);
      expect(h.live(SETTINGS)?.data.mode).toBe('live');
      // An image edited in the cluster goes back too, and the replicas still stay.
      h.edit(WEB, (o) => (o.spec.template.spec.containers[0].image = 'registry.gov.example/edu/portal:hacked'));
      await h.eventually(
        () => h.driver.apply(manifests(OWNER), { owner: OWNER, createOnlyPaths }),
        (r) => r.applied.some((a) => a.key === WEB && a.action === 'configured'),
      );
      expect(h.live(WEB)?.spec.template.spec.containers[0].image).toBe('registry.gov.example/edu/portal:1.0');
      expect(h.live(WEB)?.spec.replicas).toBe(5);
    });

    it('prunes what is no longer desired, respecting gc labels, and everything with an empty keep', async () => {
      const gc = (name: string, strategy?: string) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, ...(strategy ? { labels: { 'polis.io/gc-strategy': strategy } } : {}) },
        data: { k: name },
      });
      const first = manifests(OWNER, { extra: [gc('old'), gc('legacy', 'never'), gc('archive', 'onAppDelete')] });
      expect((await h.driver.apply(first, { owner: OWNER })).failed).toEqual([]);
      const second = manifests(OWNER);
      await h.driver.apply(second, { owner: OWNER });
      const pruned = await h.driver.prune(OWNER, new Set(keys(second)));
      expect(pruned.deleted).toEqual([`v1/ConfigMap/${OWNER.namespace}/old`]);
      expect(h.live(`v1/ConfigMap/${OWNER.namespace}/legacy`)).toBeDefined();

      const all = await h.driver.prune(OWNER, new Set());
      expect(all.deleted).toContain(NS_KEY);
      expect(all.deleted).toContain(`v1/ConfigMap/${OWNER.namespace}/archive`);
      expect(all.deleted).not.toContain(`v1/ConfigMap/${OWNER.namespace}/legacy`);
      expect(all.deleted.at(-1)).toBe(NS_KEY);
      expect(
        await h.eventually(
          () => h.driver.inventory(OWNER),
          (k) => k.length === 0,
        ),
      ).toEqual([]);
    });

    it('observes the workload becoming Running with its ready replicas, and tells when it changes', async () => {
      const heard = new Set<string>();
      const off = h.driver.watchWorkloads!((ns) => heard.add(ns));
      await h.driver.apply(manifests(OWNER), { owner: OWNER });
      const status = await h.eventually(
        () => h.driver.observe(OWNER),
        (s) => s[0]?.phase === 'Running',
      );
      expect(status).toEqual([
        expect.objectContaining({
          key: WEB,
          kind: 'Deployment',
          name: 'web',
          component: 'web',
          observed: true,
          desiredReplicas: 2,
          readyReplicas: 2,
          phase: 'Running',
        }),
      ]);
      expect(heard.has(OWNER.namespace)).toBe(true);
      off();
    });

    it("holds one application in two of its namespaces (a topology's namespace): both observed, both pruned", async () => {
      const second = {
        ...OWNER,
        namespace: topologyNamespace(OWNER.tenant, OWNER.app, OWNER.namespace, undefined, 'staging'),
      };
      const both = [...manifests(OWNER), ...manifests(second, { replicas: 1 })];
      expect((await h.driver.apply(both, { owner: OWNER })).failed).toEqual([]);
      const web2 = `apps/v1/Deployment/${second.namespace}/web`;
      expect(h.live(web2)?.spec.replicas).toBe(1);
      expect(h.live(WEB)?.spec.replicas).toBe(2);
      const seen = await h.eventually(
        async () => [...(await h.driver.observe(OWNER)), ...(await h.driver.observe(second))],
        (s) => s.length === 2 && s.every((w) => w.phase === 'Running'),
      );
      expect(seen.map((w) => [w.key, w.readyReplicas])).toEqual([
        [WEB, 2],
        [web2, 1],
      ]);
      const all = await h.driver.prune(OWNER, new Set());
      expect(all.deleted).toContain(NS_KEY);
      expect(all.deleted).toContain(`v1/Namespace//${second.namespace}`);
    });

    it('reads one object as the cluster holds it (ref-objects), and undefined for one that is not there', async () => {
      await h.driver.apply(manifests(OWNER), { owner: OWNER });
      const live = await h.driver.read!('v1', 'ConfigMap', OWNER.namespace, 'settings');
      expect(live).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'live' } });
      expect((await h.driver.read!('v1', 'Namespace', '', OWNER.namespace))?.metadata.labels).toMatchObject({
        'polis.io/tenant': OWNER.tenant,
      });
      expect(await h.driver.read!('v1', 'ConfigMap', OWNER.namespace, 'nothing')).toBeUndefined();
    });

    it("lists the owner's pods with node, age and containers, and reads their logs; never another's", async () => {
      await h.driver.apply(manifests(OWNER), { owner: OWNER });
      const pods = await h.eventually(
        () => h.driver.pods(OWNER),
        (p) => p.length === 2 && p.every((x) => x.ready),
      );
      expect(pods.map((p) => p.name)).toEqual([...pods.map((p) => p.name)].sort());
      for (const p of pods) {
        expect(p).toMatchObject({ namespace: OWNER.namespace, component: 'web', restarts: 0, containers: ['web'] });
        expect(p.node).toBeTruthy();
        expect(Number.isNaN(Date.parse(p.createdAt))).toBe(false);
        expect(p.lastTermination).toBeUndefined();
      }
      const pod = pods[0]!.name;
      for (const n of [1, 2, 3]) h.writeLog(OWNER.namespace, pod, 'web', `GET /api/items ${n}`);
      const tail = await h.driver.logs(OWNER, { pod, tailLines: 2 });
      expect(tail).toHaveLength(2);
      expect(tail![0]).toMatch(/GET \/api\/items 2$/);
      expect(tail![1]).toMatch(/GET \/api\/items 3$/);
      expect((await h.driver.logs(OWNER, { pod, container: 'web', sinceSeconds: 3600 }))!.at(-1)).toMatch(/3$/);
      expect(await h.driver.logs(OWNER, { pod: 'no-such-pod' })).toBeUndefined();
      // Following: only what is written from now on, until stopped.
      const followed: string[] = [];
      const stop = await h.driver.followLogs(
        OWNER,
        { pod },
        (l) => followed.push(l),
        () => undefined,
      );
      expect(stop).toBeDefined();
      h.writeLog(OWNER.namespace, pod, 'web', 'GET /api/items 4');
      await h.eventually(
        async () => followed.length,
        (n) => n > 0,
      );
      stop!();
      expect(followed).toHaveLength(1);
      expect(followed[0]).toMatch(/GET \/api\/items 4$/);
      expect(
        await h.driver.followLogs(
          OWNER,
          { pod: 'no-such-pod' },
          () => undefined,
          () => undefined,
        ),
      ).toBeUndefined();
      // Another application sees neither the pods nor their logs, even when it names the namespace.
      const other = { ...ownerOf('health', 'clinic', undefined), namespace: OWNER.namespace };
      expect(await h.driver.pods(other)).toEqual([]);
      expect(await h.driver.logs(other, { pod })).toBeUndefined();
    });

    it("lists the Kubernetes Events of the owner's namespace, newest first, limited, by object; never another's", async () => {
      await h.driver.apply(manifests(OWNER), { owner: OWNER });
      const pods = await h.eventually(
        () => h.driver.pods(OWNER),
        (p) => p.length === 2 && p.every((x) => x.ready),
      );
      const events = await h.eventually(
        () => h.driver.events(OWNER, { limit: 100 }),
        (e) => e.filter((x) => x.reason === 'Started').length >= 2,
      );
      for (const p of pods) {
        const about = events.filter((e) => e.involvedObject.kind === 'Pod' && e.involvedObject.name === p.name);
        expect(about.map((e) => e.reason)).toEqual(expect.arrayContaining(['Scheduled', 'Started']));
        expect(about.find((e) => e.reason === 'Scheduled')).toMatchObject({
          namespace: OWNER.namespace,
          type: 'Normal',
          count: 1,
          message: expect.stringContaining(`${OWNER.namespace}/${p.name}`),
        });
      }
      const times = events.map((e) => e.lastTimestamp);
      expect(times).toEqual([...times].sort().reverse());
      for (const e of events) expect(e.firstTimestamp <= e.lastTimestamp).toBe(true);
      expect(await h.driver.events(OWNER, { limit: 1 })).toHaveLength(1);
      const one = await h.driver.events(OWNER, { limit: 100, involvedObject: { kind: 'Pod', name: pods[0]!.name } });
      expect(one.length).toBeGreaterThanOrEqual(2);
      expect(one.every((e) => e.involvedObject.name === pods[0]!.name)).toBe(true);
      // Another application's namespace has its own events, and none of these.
      expect(await h.driver.events(ownerOf('health', 'clinic', undefined), { limit: 100 })).toEqual([]);
      await h.cutOff();
      await expect(h.driver.events(OWNER, { limit: 10 })).rejects.toBeInstanceOf(ClusterUnreachableError);
      h.reconnect();
    });

    it('reports allocatable capacity and requests that grow with pods', async () => {
      const before = await h.driver.capacity();
      expect(before.allocatable.cpuMilli).toBeGreaterThan(0);
      expect(before.nodes.length).toBeGreaterThan(0);
      await h.driver.apply(manifests(OWNER), { owner: OWNER });
      const after = await h.eventually(
        () => h.driver.capacity(),
        (c) => c.requested.pods === before.requested.pods + 2,
      );
      expect(after.requested.cpuMilli - before.requested.cpuMilli).toBe(200);
      expect(after.requested.memoryBytes - before.requested.memoryBytes).toBe(128 * 2 ** 20);
    });

    it('reports the health of a reachable cluster', async () => {
      const health = await h.driver.health();
      expect(health).toMatchObject({ reachable: true, ready: true });
      expect(health.version).toMatch(/^v1\.\d+/);
    });

    it('throws ClusterUnreachableError while the cluster cannot be reached, and recovers', async () => {
      await h.driver.apply(manifests(OWNER), { owner: OWNER });
      await h.cutOff();
      await expect(h.driver.apply(manifests(OWNER), { owner: OWNER })).rejects.toBeInstanceOf(ClusterUnreachableError);
      await expect(h.driver.observe(OWNER)).rejects.toBeInstanceOf(ClusterUnreachableError);
      expect((await h.driver.health()).ready).toBe(false);
      h.reconnect();
      const report = await h.eventually(
        () => h.driver.apply(manifests(OWNER), { owner: OWNER }).catch(() => undefined),
        (r) => r !== undefined,
      );
      expect(report?.failed).toEqual([]);
      expect((await h.driver.health()).ready).toBe(true);
    });

    it('refuses to write into a namespace whose ownership labels name another application, changing nothing', async () => {
      // Two pairs the old mapping sent to one namespace (a-b/c and a/b-c → a-b-c), as applications delivered then.
      const first: Owner = { tenant: 'a-b', app: 'c', namespace: 'a-b-c' };
      const second: Owner = { tenant: 'a', app: 'b-c', namespace: 'a-b-c' };
      expect((await h.driver.apply(manifests(first), { owner: first })).failed).toEqual([]);
      const web = `apps/v1/Deployment/a-b-c/web`;
      const image = h.live(web)?.spec.template.spec.containers[0].image;
      const refused = await h.driver
        .apply(manifests(second, { image: 'registry.gov.example/a/b-c:9.9' }), { owner: second })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(refused).toBeInstanceOf(NamespaceOwnedError);
      expect(refused).toMatchObject({
        reason: 'NamespaceOwnedByOther',
        namespace: 'a-b-c',
        owner: { tenant: 'a-b', app: 'c' },
      });
      expect((refused as Error).message).toContain('belongs to application c of department a-b');
      expect(h.live(web)?.spec.template.spec.containers[0].image).toBe(image);
      expect(h.live(web)?.metadata.labels['polis.io/tenant']).toBe('a-b');
      // Even with force: a namespace is never taken over.
      await expect(h.driver.apply(manifests(second), { owner: second, force: true })).rejects.toThrow(
        NamespaceOwnedError,
      );
      // The owner itself goes on as before.
      const again = await h.driver.apply(manifests(first), { owner: first });
      expect(again.failed).toEqual([]);
    });

    it("puts the API server's refusal of one object in failed[] with its message", async () => {
      const bad: Manifest = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'bad', namespace: OWNER.namespace, labels: { 'app.oam.dev/name': OWNER.app } },
        spec: {
          selector: { matchLabels: { app: 'bad' } },
          template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
        },
      };
      const report = await h.driver.apply([...manifests(OWNER), bad], { owner: OWNER });
      expect(report.applied).toHaveLength(4);
      expect(report.failed).toEqual([
        {
          key: `apps/v1/Deployment/${OWNER.namespace}/bad`,
          message: expect.stringMatching(
            /is invalid: .*spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/,
          ),
        },
      ]);
    });
  });
}

describe('Kubernetes driver against an API server', () => {
  let h: Awaited<ReturnType<typeof kubeHarness>> | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function running(k: NonNullable<typeof h>, replicas = 2) {
    return k.eventually(
      () => k.driver.observe(OWNER),
      (s) => s[0]?.phase === 'Running' && s[0].readyReplicas === replicas,
    );
  }

  it('sends no request at all for a steady-state reconcile of unchanged manifests', async () => {
    h = await kubeHarness();
    await h.driver.apply(manifests(OWNER), { owner: OWNER });
    await running(h);
    await h.driver.capacity(); // the first call lists the nodes
    h.fake.resetCounts();
    const report = await h.driver.apply(manifests(OWNER), { owner: OWNER });
    const status = await h.driver.observe(OWNER);
    await h.driver.capacity();
    await h.driver.inventory(OWNER);
    expect(report.applied.every((a) => a.action === 'unchanged')).toBe(true);
    expect(status[0]?.phase).toBe('Running');
    const counts = h.fake.counts();
    expect(counts, JSON.stringify(h.fake.requests.slice(-5))).toEqual({ reads: 0, writes: 0, byVerb: {} });
  });

  it('relists after the watch history is compacted (410) and observes what changed meanwhile', async () => {
    h = await kubeHarness();
    await h.driver.apply(manifests(OWNER), { owner: OWNER });
    await running(h);
    h.fake.setDown('unavailable'); // ends every watch
    h.fake.edit('apps/v1', 'Deployment', OWNER.namespace, 'web', (o) => (o.spec.replicas = 3));
    h.fake.compact();
    h.fake.setDown(false);
    const status = await running(h, 3);
    expect(status[0]).toMatchObject({ desiredReplicas: 3, readyReplicas: 3, phase: 'Running' });
    const relisted = h.fake.requests.filter((r) => r.verb === 'list' && r.resource === 'deployments');
    expect(relisted.length).toBeGreaterThanOrEqual(2);
  });

  it('reports a conflict with another field manager, and takes the field over with force', async () => {
    h = await kubeHarness();
    await h.driver.apply(manifests(OWNER), { owner: OWNER });
    const answer = await fetch(
      `${h.fake.url}/apis/apps/v1/namespaces/${OWNER.namespace}/deployments/web?fieldManager=other-tool&force=true`,
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/apply-patch+yaml', Authorization: 'Bearer fake-token' },
        body: JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: OWNER.namespace },
          spec: { replicas: 5 },
        }),
      },
    );
    expect(answer.status).toBe(200);
    const k = h;
    const refused = await k.eventually(
      () => k.driver.apply(manifests(OWNER), { owner: OWNER }),
      (r) => r.failed.length > 0,
    );
    expect(refused.failed).toEqual([
      {
        key: WEB,
        message:
          'conflict with field manager other-tool on .spec.replicas; to take these fields over, set the annotation metadata.annotations["polis.io/force-conflicts"]: "true" on the application and apply it again',
      },
    ]);
    expect(h.fake.get('apps/v1', 'Deployment', OWNER.namespace, 'web')?.spec).toMatchObject({ replicas: 5 });
    const forced = await h.driver.apply(manifests(OWNER), { owner: OWNER, force: true });
    expect(forced.applied.find((a) => a.key === WEB)?.action).toBe('configured');
    expect(h.fake.get('apps/v1', 'Deployment', OWNER.namespace, 'web')?.spec).toMatchObject({ replicas: 2 });
  });

  it('names the missing permission when the API server forbids a write', async () => {
    h = await kubeHarness({ forbid: [{ verb: 'patch', resource: 'configmaps' }] });
    const report = await h.driver.apply(manifests(OWNER), { owner: OWNER });
    expect(report.applied.map((a) => a.key)).toEqual([NS_KEY, SERVICE, WEB]);
    expect(report.failed).toEqual([
      {
        key: SETTINGS,
        message: expect.stringMatching(
          /configmaps "settings" is forbidden: User ".+" cannot patch resource "configmaps" in API group "" in the namespace "edu--portal"/,
        ),
      },
    ]);
  });

  it("reads a pod's log through the shipped member-cluster role, asking for the pod's container, and the API server's answers are faithful", async () => {
    const role = readFileSync(new URL('../deploy/member-cluster/polis-agent-rbac.yaml', import.meta.url), 'utf8');
    h = await kubeHarness({ rbac: [role] });
    await h.driver.apply(manifests(OWNER), { owner: OWNER });
    const pods = await h.eventually(
      () => h!.driver.pods(OWNER),
      (p) => p.length === 2,
    );
    const pod = pods[0]!.name;
    h.fake.writeLog(OWNER.namespace, pod, 'web', 'started');
    expect(await h.driver.logs(OWNER, { pod, sinceSeconds: 60 })).toEqual(['started']);
    const asked = h.fake.requests.filter((r) => r.subresource === 'log');
    expect(asked.at(-1)).toMatchObject({ verb: 'get', status: 200, query: { container: 'web', sinceSeconds: '60' } });
    // The API server itself: a container the pod does not have is a 400, a missing pod a 404.
    const token = /token: (\S+)/.exec(h.fake.kubeconfig())?.[1];
    const get = (path: string) =>
      fetch(`${h!.fake.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const base = `/api/v1/namespaces/${OWNER.namespace}/pods`;
    expect((await get(`${base}/${pod}/log?container=nope`)).status).toBe(400);
    expect((await get(`${base}/missing/log`)).status).toBe(404);
    expect((await get(`${base}/${pod}/log?tailLines=x`)).status).toBe(400);
  });

  it("lists events through the shipped member-cluster role, by Kubernetes' field selectors, a kubelet's BackOff counted", async () => {
    const role = readFileSync(new URL('../deploy/member-cluster/polis-agent-rbac.yaml', import.meta.url), 'utf8');
    h = await kubeHarness({ rbac: [role] });
    await h.driver.apply(manifests(OWNER), { owner: OWNER });
    const pods = await h.eventually(
      () => h!.driver.pods(OWNER),
      (p) => p.length === 2,
    );
    const pod = h.fake.get('v1', 'Pod', OWNER.namespace, pods[0]!.name)!;
    const backOff = {
      type: 'Warning' as const,
      reason: 'BackOff',
      message: `Back-off restarting failed container web in pod ${pods[0]!.name}`,
      component: 'kubelet',
    };
    h.fake.recordEvent(pod, backOff);
    h.fake.recordEvent(pod, backOff);
    const events = await h.driver.events(OWNER, { limit: 100, involvedObject: { kind: 'Pod', name: pods[0]!.name } });
    // The newest (timestamps have whole seconds, as on a real server: the kubelet's Started may share BackOff's).
    const seen = events.find((e) => e.reason === 'BackOff');
    expect(seen).toMatchObject({ type: 'Warning', count: 2, message: backOff.message });
    expect(seen!.lastTimestamp).toBe(events[0]!.lastTimestamp);
    expect(events.every((e) => e.involvedObject.name === pods[0]!.name)).toBe(true);
    const asked = h.fake.requests.filter((r) => r.resource === 'events');
    expect(asked.at(-1)).toMatchObject({
      verb: 'list',
      status: 200,
      query: { limit: '500', fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pods[0]!.name}` },
    });
    // The API server itself: a field events are not selected by is a 400, as on a real one.
    const token = /token: (\S+)/.exec(h.fake.kubeconfig())?.[1];
    const get = (path: string) =>
      fetch(`${h!.fake.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const base = `/api/v1/namespaces/${OWNER.namespace}/events`;
    expect((await get(`${base}?fieldSelector=involvedObject.color%3Dred`)).status).toBe(400);
    const page = (await (await get(`${base}?limit=1`)).json()) as { items: unknown[]; metadata: { continue?: string } };
    expect(page.items).toHaveLength(1);
    expect(page.metadata.continue).toBeTruthy();
    const byReason = (await (await get(`${base}?fieldSelector=reason%3DBackOff`)).json()) as { items: unknown[] };
    expect(byReason.items).toHaveLength(1);
  });

  it('works with token and with basic credentials, and reports refused ones', async () => {
    h = await kubeHarness({ basic: [{ username: 'ops', password: 's3cret' }] });
    const fake = h.fake;
    const basic = kubernetesDriver('basic', async () => fake.kubeconfig({ auth: 'basic' }), KUBE_OPTIONS);
    const wrong = kubernetesDriver(
      'wrong',
      async () => fake.kubeconfig().replace('fake-token', 'old-token'),
      KUBE_OPTIONS,
    );
    try {
      expect(
        parseKubeconfig(fake.kubeconfig()).ok && parseKubeconfig(fake.kubeconfig({ auth: 'basic' })),
      ).toMatchObject({
        ok: true,
        auth: 'basic',
      });
      expect((await h.driver.apply(manifests(OWNER), { owner: OWNER })).failed).toEqual([]);
      expect(await basic.health()).toMatchObject({ reachable: true, ready: true });
      expect((await basic.inventory(OWNER)).sort()).toEqual(keys(manifests(OWNER)).sort());
      await expect(wrong.observe(OWNER)).rejects.toThrow(
        new ClusterUnreachableError('wrong', 'credentials refused (401): renew the token'),
      );
      expect(await wrong.health()).toMatchObject({ ready: false, message: expect.stringContaining('renew the token') });
      // One cluster's failure stays its own: the others go on.
      expect((await h.driver.observe(OWNER)).length).toBe(1);
    } finally {
      basic.close();
      wrong.close();
    }
  });

  it('refuses an exec-plugin kubeconfig, saying why and what to use instead', async () => {
    h = await kubeHarness();
    const exec = h.fake
      .kubeconfig()
      .replace(
        'token: fake-token',
        'exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: aws\n        args: [eks, get-token]',
      );
    const parsed = parseKubeconfig(exec);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors).toEqual([
      {
        code: 'KubeconfigExecRefused',
        path: 'users[0].user.exec',
        message: expect.stringMatching(
          /runs the credential helper nowhere.*ServiceAccount token.*kubectl create token polis -n polis-system --duration=8760h/,
        ),
      },
    ]);
    const driver = kubernetesDriver('exec', async () => exec, KUBE_OPTIONS);
    await expect(driver.apply(manifests(OWNER), { owner: OWNER })).rejects.toThrow(
      /users\[0\]\.user\.exec: exec credential plugins are refused/,
    );
    expect(await driver.health()).toMatchObject({ reachable: false, ready: false });
    driver.close();
  });
});
