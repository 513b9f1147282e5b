/**
 * The scheduler and the kubelets, simulated: a pod without a node is bound round-robin to a Ready node with room for
 * its requests (cpu, memory, pod count) or marked Unschedulable; a bound pod becomes Running and Ready (pods of Jobs:
 * Succeeded) `readyAfterMs` later. No images are pulled, no probes run.
 */
import { randomBytes } from 'node:crypto';
import {
  type Any,
  type ControllerContext,
  NODES,
  PODS,
  condition,
  isPodActive,
  quietly,
  writeStatus,
} from './controller-kit.ts';
import { recordEvent } from './events.ts';
import { runPod } from './kubelet.ts';
import { nowTime } from './registry.ts';
import { parseQuantity, podRequests } from './quantity.ts';

export class Scheduler {
  private readonly ctx: ControllerContext;
  private next = 0;
  private readonly starting = new Set<string>();
  /**
   * What every node holds (requests of its active pods, and their count), kept up to date from the store's events
   * as the real scheduler keeps its cache from its informers: binding one pod does not walk every pod.
   */
  private readonly usage = new Map<string, { cpu: number; memory: number; pods: number }>();
  readonly stop: () => void;

  constructor(ctx: ControllerContext) {
    this.ctx = ctx;
    for (const p of ctx.registry.store.scan(PODS)) this.count(p as Any, 1);
    this.stop = ctx.registry.store.subscribe((e) => {
      if (e.def !== PODS) return;
      if (e.prev) this.count(e.prev as Any, -1);
      if (e.type !== 'DELETED') this.count(e.object as Any, 1);
    });
  }

  /** Adds (sign 1) or takes away (-1) a stored pod version's requests on its node, when it holds any. */
  private count(p: Any, sign: 1 | -1): void {
    if (!p.spec?.nodeName || !isPodActive(p)) return;
    const r = podRequests(p);
    const u = this.usage.get(p.spec.nodeName) ?? { cpu: 0, memory: 0, pods: 0 };
    this.usage.set(p.spec.nodeName, {
      cpu: u.cpu + sign * r.cpu,
      memory: u.memory + sign * r.memory,
      pods: u.pods + sign,
    });
  }

  reconcile(ns: string, name: string): void {
    const pod = this.ctx.registry.store.get(PODS, ns, name) as Any | undefined;
    if (!pod || pod.metadata.deletionTimestamp || pod.status?.phase !== 'Pending') return;
    if (!pod.spec.nodeName) this.schedule(pod);
    else if (!this.starting.has(pod.metadata.uid)) {
      this.starting.add(pod.metadata.uid);
      this.ctx.later(this.ctx.opts.readyAfterMs ?? 0, () => {
        this.starting.delete(pod.metadata.uid);
        this.start(ns, name, pod.metadata.uid);
      });
    }
  }

  private schedule(pod: Any): void {
    const nodes = ([...this.ctx.registry.store.scan(NODES)] as Any[]).sort((a, b) =>
      a.metadata.name < b.metadata.name ? -1 : 1,
    );
    const ready = nodes.filter(
      (n) =>
        !n.spec?.unschedulable &&
        (n.status?.conditions ?? []).some((c: Any) => c.type === 'Ready' && c.status === 'True'),
    );
    const usage = this.usage;
    const want = podRequests(pod);
    const reasons = new Map<string, number>();
    const fits = (node: Any): boolean => {
      const used = usage.get(node.metadata.name) ?? { cpu: 0, memory: 0, pods: 0 };
      const alloc = node.status?.allocatable ?? {};
      const misses: string[] = [];
      if (used.pods + 1 > Number(alloc.pods ?? 110)) misses.push('Too many pods');
      if (used.cpu + want.cpu > parseQuantity(alloc.cpu) + 1e-9) misses.push('Insufficient cpu');
      if (used.memory + want.memory > parseQuantity(alloc.memory)) misses.push('Insufficient memory');
      for (const m of misses) reasons.set(m, (reasons.get(m) ?? 0) + 1);
      return misses.length === 0;
    };
    let chosen: Any | undefined;
    for (let i = 0; i < ready.length && !chosen; i++) {
      const node = ready[(this.next + i) % ready.length] as Any;
      if (fits(node)) {
        chosen = node;
        this.next = (this.next + i + 1) % ready.length;
      }
    }
    const { namespace, name } = pod.metadata;
    if (!chosen) {
      const notReady = nodes.length - ready.length;
      if (notReady > 0) reasons.set('node(s) had untolerated taint {node.kubernetes.io/not-ready: }', notReady);
      const detail = [...reasons.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([r, n]) => `${n} ${r}`)
        .join(', ');
      const status = {
        ...pod.status,
        conditions: [
          condition(
            pod.status?.conditions,
            'PodScheduled',
            'False',
            'Unschedulable',
            `0/${nodes.length} nodes are available: ${detail}.`,
            { probeTime: true },
          ),
        ],
      };
      writeStatus(this.ctx, PODS, pod, status, 'kube-scheduler');
      recordEvent(
        this.ctx.registry,
        { kind: 'Pod', ...pod },
        {
          type: 'Warning',
          reason: 'FailedScheduling',
          message: `0/${nodes.length} nodes are available: ${detail}.`,
          component: 'default-scheduler',
        },
      );
      return;
    }
    quietly(() => {
      const current = this.ctx.registry.get(PODS, namespace, name) as Any;
      current.spec.nodeName = chosen.metadata.name;
      this.ctx.registry.update(PODS, namespace, name, current, { manager: 'kube-scheduler' });
      const bound = this.ctx.registry.get(PODS, namespace, name) as Any;
      writeStatus(
        this.ctx,
        PODS,
        bound,
        {
          ...bound.status,
          conditions: [condition([], 'PodScheduled', 'True', '', '', { probeTime: true })],
        },
        'kube-scheduler',
      );
      recordEvent(
        this.ctx.registry,
        { kind: 'Pod', ...bound },
        {
          type: 'Normal',
          reason: 'Scheduled',
          message: `Successfully assigned ${namespace}/${name} to ${chosen.metadata.name}`,
          component: 'default-scheduler',
        },
      );
    });
  }

  /** The kubelet's part: containers "start" (and, for Jobs, finish). */
  private start(ns: string, name: string, uid: string): void {
    const pod = this.ctx.registry.store.get(PODS, ns, name) as Any | undefined;
    if (!pod || pod.metadata.uid !== uid || pod.metadata.deletionTimestamp || pod.status?.phase !== 'Pending') return;
    const node = this.ctx.registry.store.get(NODES, undefined, pod.spec.nodeName) as Any | undefined;
    const hostIP = node?.status?.addresses?.find((a: Any) => a.type === 'InternalIP')?.address ?? '10.0.0.1';
    const runsToCompletion = pod.spec.restartPolicy === 'Never' || pod.spec.restartPolicy === 'OnFailure';
    if (runsToCompletion && this.ctx.opts.kubelet) return runPod(this.ctx, pod, this.ctx.opts.kubelet);
    const now = nowTime();
    const prev = pod.status?.conditions;
    const readyStatus = runsToCompletion ? 'False' : 'True';
    const readyReason = runsToCompletion ? 'PodCompleted' : '';
    const podIP = `10.244.${hostIP.split('.')[3] ?? '0'}.${((randomBytes(1)[0] as number) % 250) + 2}`;
    writeStatus(
      this.ctx,
      PODS,
      pod,
      {
        ...pod.status,
        phase: runsToCompletion ? 'Succeeded' : 'Running',
        conditions: [
          condition(prev, 'PodReadyToStartContainers', runsToCompletion ? 'False' : 'True', '', '', {
            probeTime: true,
          }),
          condition(prev, 'Initialized', 'True', readyReason, '', { probeTime: true }),
          condition(prev, 'Ready', readyStatus, readyReason, '', { probeTime: true }),
          condition(prev, 'ContainersReady', readyStatus, readyReason, '', { probeTime: true }),
          condition(prev, 'PodScheduled', 'True', '', '', { probeTime: true }),
        ],
        hostIP,
        hostIPs: [{ ip: hostIP }],
        podIP,
        podIPs: [{ ip: podIP }],
        startTime: now,
        containerStatuses: (pod.spec.containers as Any[]).map((c) => ({
          name: c.name,
          image: c.image,
          imageID: `${c.image}@sha256:${randomBytes(32).toString('hex')}`,
          containerID: `containerd://${randomBytes(32).toString('hex')}`,
          ready: !runsToCompletion,
          started: !runsToCompletion,
          restartCount: 0,
          state: runsToCompletion
            ? { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now, containerID: '' } }
            : { running: { startedAt: now } },
          lastState: {},
        })),
      },
      'kubelet',
    );
    for (const c of pod.spec.containers as Any[])
      recordEvent(
        this.ctx.registry,
        { kind: 'Pod', ...pod },
        {
          type: 'Normal',
          reason: 'Started',
          message: `Started container ${c.name}`,
          component: 'kubelet',
        },
      );
  }
}
