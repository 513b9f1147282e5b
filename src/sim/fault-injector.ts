import type { ClusterRuntime } from './cluster-runtime.ts';
import type { CallMesh, MeshSnapshot } from './call-mesh.ts';
import { clearCrashLoop, crashLoop, failNode, restoreNode } from './faults.ts';
import { componentKey, type ActiveFault, type ComponentRef, type FaultScenario, type FaultSpec } from './fault-spec.ts';
import { crash, podEvent } from './pod-lifecycle.ts';
import type { SimTelemetry } from './telemetry.ts';

/** A fault names something the cloud does not have: `path` is the field, `message` what exists. */
export class FaultTargetError extends RangeError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/** What the injector reaches in the cloud. */
export interface FaultWorld {
  now(): number;
  runtime(cluster: string): ClusterRuntime | undefined;
  runtimes(): readonly ClusterRuntime[];
  schedule(at: number, run: () => void): void;
  readonly mesh: CallMesh;
  readonly telemetry: SimTelemetry;
}

/**
 * The faults in force in the simulated cloud: added and cleared on command (`polis sim fault`), or by a scenario
 * at offsets from its start. Ids are a sequence, and every effect is a function of the clock and the cloud's seed,
 * so the same scenario on the same seed replays exactly. Kubelet-level faults (a node down, a crash loop, a
 * partition) act on the clusters; the others on the call mesh's traffic.
 */
export class SimFaults {
  private readonly world: FaultWorld;
  private readonly active = new Map<string, ActiveFault>();
  private seq = 0;
  private revisions = new Map<string, number>();

  constructor(world: FaultWorld) {
    this.world = world;
  }

  /** The faults in force, oldest first. */
  list(): ActiveFault[] {
    return [...this.active.values()];
  }

  /** Starts a fault now; throws FaultTargetError when its target does not exist. */
  add(spec: FaultSpec): ActiveFault {
    this.check(spec);
    const now = this.world.now();
    const id = `fault-${++this.seq}`;
    let revision: string | undefined;
    if (spec.type === 'bad-rollout') {
      const key = componentKey(spec.target);
      const n = (this.revisions.get(key) ?? 1) + 1;
      this.revisions.set(key, n);
      revision = spec.revision ?? `${spec.target.component}-v${n}`;
      this.world.telemetry.change({ at: Math.round(now / 1000), component: key, revision, kind: 'rollout' });
      this.world.telemetry.event(Math.round(now / 1000), 'component', key, 'ScalingReplicaSet', 'Normal');
    }
    const fault: ActiveFault = {
      id,
      spec,
      startedAt: now,
      ...(spec.durationSeconds !== undefined ? { endsAt: now + spec.durationSeconds * 1000 } : {}),
      ...(revision !== undefined ? { revision } : {}),
    };
    this.active.set(id, fault);
    this.begin(spec);
    if (fault.endsAt !== undefined) this.world.schedule(fault.endsAt, () => this.clear(id));
    return fault;
  }

  /** Ends a fault (its kubelet effects undone); false when there is none by that id. */
  clear(id: string): boolean {
    const f = this.active.get(id);
    if (!f) return false;
    this.active.delete(id);
    this.end(f.spec);
    return true;
  }

  clearAll(): number {
    const ids = [...this.active.keys()];
    for (const id of ids) this.clear(id);
    return ids.length;
  }

  /** Schedules a scenario's faults from now; returns when each will start (epoch ms). */
  play(scenario: FaultScenario): number[] {
    for (const [i, f] of scenario.faults.entries()) {
      try {
        this.check(f.fault);
      } catch (e) {
        if (e instanceof FaultTargetError) throw new FaultTargetError(`faults[${i}].fault.${e.path}`, e.message);
        throw e;
      }
    }
    const now = this.world.now();
    return scenario.faults.map((f) => {
      const at = now + f.afterSeconds * 1000;
      this.world.schedule(at, () => this.add(f.fault));
      return at;
    });
  }

  /**
   * Applies what a leak does at a scrape: a pod whose memory reached its request-sized limit is OOMKilled and
   * restarts (its memory starts again from rest).
   */
  enforce(s: MeshSnapshot): void {
    const leaking = new Set(
      this.list()
        .filter((f) => f.spec.type === 'memory-leak')
        .map((f) => componentKey((f.spec as { target: ComponentRef }).target)),
    );
    if (leaking.size === 0) return;
    for (const p of s.pods) {
      if (!leaking.has(p.component) || !p.ready) continue;
      const rt = this.world.runtime(p.cluster);
      const pod = rt && [...rt.workloads()].flatMap((w) => w.pods).find((x) => x.name === p.name);
      if (!rt || !pod || pod.template.memoryBytes <= 0 || p.memoryBytes < pod.template.memoryBytes) continue;
      const t = Math.round(s.at / 1000);
      this.world.telemetry.event(t, 'pod', p.name, 'OOMKilling');
      podEvent(rt, pod, 'Warning', 'OOMKilling', `Memory cgroup out of memory: Killed process of pod ${pod.name}`);
      this.world.telemetry.log(p.component, {
        at: t,
        pod: p.name,
        level: 'error',
        text: 'OOMKilled: memory limit reached',
      });
      crash(rt, pod);
    }
  }

  private begin(spec: FaultSpec): void {
    switch (spec.type) {
      case 'node-down':
        failNode(this.world.runtime(spec.cluster)!, spec.node);
        break;
      case 'cluster-partition':
        this.world.runtime(spec.cluster)!.state = 'partitioned';
        break;
      case 'crash-loop':
        for (const { rt, image } of this.images(spec.target)) crashLoop(rt, image);
        break;
      default:
        break;
    }
  }

  private end(spec: FaultSpec): void {
    switch (spec.type) {
      case 'node-down':
        restoreNode(this.world.runtime(spec.cluster)!, spec.node);
        break;
      case 'cluster-partition': {
        const rt = this.world.runtime(spec.cluster)!;
        if (rt.state === 'partitioned') rt.state = 'up';
        break;
      }
      case 'crash-loop':
        for (const { rt, image } of this.images(spec.target)) clearCrashLoop(rt, image);
        break;
      default:
        break;
    }
  }

  /**
   * The images of a component's workloads, cluster by cluster: the workload's current template's, so a cluster
   * whose pods are all being replaced at that instant (none left, after a failover or a failback) is hit too.
   */
  private images(ref: ComponentRef): { rt: ClusterRuntime; image: string }[] {
    const out = [];
    for (const rt of this.world.runtimes())
      for (const w of rt.workloads())
        if (w.namespace === ref.namespace && w.component === ref.component) {
          const image = w.template?.images[0] ?? w.pods[0]?.template.images[0];
          if (image !== undefined) out.push({ rt, image });
        }
    return out;
  }

  private check(spec: FaultSpec): void {
    const cluster = (path: string, name: string): ClusterRuntime => {
      const rt = this.world.runtime(name);
      if (!rt)
        throw new FaultTargetError(
          path,
          `no simulated cluster ${name} (clusters: ${this.world
            .runtimes()
            .map((r) => r.name)
            .join(', ')})`,
        );
      return rt;
    };
    const node = (rt: ClusterRuntime, name: string): void => {
      if (!rt.nodes.get(name))
        throw new FaultTargetError(
          'node',
          `cluster ${rt.name} has no node ${name} (nodes: ${rt.nodes.list.map((n) => n.name).join(', ')})`,
        );
    };
    const component = (path: string, ref: ComponentRef): void => {
      const key = componentKey(ref);
      const known =
        this.world.mesh.edges().some((e) => e.from === key || e.to === key) ||
        this.world
          .runtimes()
          .some((rt) =>
            [...rt.workloads()].some((w) => w.namespace === ref.namespace && w.component === ref.component),
          );
      if (!known) throw new FaultTargetError(path, `no component ${ref.component} runs in namespace ${ref.namespace}`);
    };
    switch (spec.type) {
      case 'node-down':
        node(cluster('cluster', spec.cluster), spec.node);
        break;
      case 'cluster-partition':
        cluster('cluster', spec.cluster);
        break;
      case 'cpu-hog':
        if (spec.target) component('target', spec.target);
        else node(cluster('cluster', spec.cluster!), spec.node!);
        break;
      case 'network-loss':
        component('from', spec.from);
        component('to', spec.to);
        break;
      default:
        component('target', spec.target);
    }
  }
}
