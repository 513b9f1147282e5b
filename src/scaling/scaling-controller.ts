import type { ApplicationSpec } from '../apps/application-kind.ts';
import { componentDemands } from '../apps/render/index.ts';
import { namespaceOf } from '../delivery/namespace.ts';
import { EventRecorder } from '../events/event-recorder.ts';
import type { Clock } from '../kernel/clock.ts';
import { ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { ComponentRef, MetricsSource } from '../observe/index.ts';
import type { ChangeFeed, Subscription } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import type { AutoscalerDecision, ComponentAutoscaling, LoadHistory } from './autoscaler.ts';
import { decide } from './autoscaler.ts';
import type { AutoscalingProperties } from './autoscaling-policy.ts';
import type { HpaHistory } from './hpa-algorithm.ts';
import { EMPTY_HISTORY } from './hpa-algorithm.ts';
import { LOAD_HISTORY_RULES, LoadHistoryBuffer } from './load-history.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import { judgeSaturation, saturationMessage, type Saturation, type SaturationWatch } from './saturation.ts';

/**
 * What the scaling controller keeps in `Application.status.scaling`: the replica counts delivery places, each with
 * its reason in English (`reason`) and coded (`code`, `params`: docs/messages.md) for the console and the CLI.
 */
export interface ScalingStatus {
  readonly preview: boolean;
  readonly components: Readonly<Record<string, ScalingComponentStatus>>;
}

export interface ScalingComponentStatus {
  readonly desired: number;
  readonly reason: string;
  readonly code?: string;
  readonly params?: Message['params'];
  readonly decidedAt: string;
}

export interface ScalingDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly feed: ChangeFeed;
  readonly clock: Clock;
  readonly metrics: MetricsSource;
  /** How often every autoscaled component is evaluated (default 1000 ms; 0: only through `evaluateAll`). */
  readonly intervalMs?: number;
  readonly log?: (msg: string, err?: unknown) => void;
  /** Several replicas (docs/deploy.md): whether this replica handles the application; absent, it handles all. */
  readonly owns?: (tenant: string, app: string) => boolean;
}

interface Tracked {
  readonly tenant: string;
  readonly app: string;
  policy: AutoscalingProperties;
  /** HPA history per component, handed back on every decision. */
  readonly histories: Map<string, HpaHistory>;
  /** Load history per component with prediction enabled (requests per second, 5-minute buckets, 15 days). */
  readonly loads: Map<string, ComponentLoad>;
  /** Since when each component's signals have been over their saturation thresholds. */
  readonly saturation: Map<string, SaturationWatch>;
}

interface ComponentLoad {
  readonly buffer: LoadHistoryBuffer;
  /** Rebuilt from the metrics source's range (Prometheus keeps what polis saw before a restart) once. */
  seeded: boolean;
  /** Requests per second one replica serves at the CPU target, estimated from the observed CPU per request. */
  capacity?: number;
}

/** How fast the CPU-based capacity estimate follows new observations (per evaluation, about a 20 s time constant). */
const CAPACITY_SMOOTHING = 0.05;

const CTX = { actor: 'system:autoscaler', requestId: 'autoscaler' };

/**
 * The autoscaler's shell: every second, for each application with an `autoscaling` policy, it reads each
 * component's signals from the metrics source, runs the pure decision (src/scaling/autoscaler.ts) and, when the
 * replica count changes, writes it to `status.scaling` with its reason and records an event. Delivery places
 * those counts. In preview mode it records the decisions and changes nothing.
 */
export class ScalingController {
  private readonly deps: ScalingDeps;
  private readonly tracked = new Map<string, Tracked>();
  private readonly events: EventRecorder;
  private sub?: Subscription;
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(deps: ScalingDeps) {
    this.deps = deps;
    this.events = new EventRecorder({ resources: deps.resources, clock: deps.clock, component: 'autoscaler' });
  }

  async start(): Promise<void> {
    const from = await this.deps.store.currentRevision();
    let cont: string | undefined;
    do {
      const page = await this.deps.store.list({ kind: 'Application', limit: 1000, continue: cont });
      for (const o of page.items) this.track(o, false);
      cont = page.continue;
    } while (cont);
    this.sub = this.deps.feed.subscribe({
      from,
      filter: { kind: 'Application' },
      onEvent: (e) => this.track(e.object, e.type === 'DELETED'),
      onError: (err) => this.deps.log?.('autoscaler: application watch failed', err),
    });
    const every = this.deps.intervalMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => void this.evaluateAll(), every);
      this.timer.unref();
    }
  }

  stop(): void {
    this.sub?.close();
    if (this.timer) clearInterval(this.timer);
  }

  /** Evaluates every autoscaled component once (the timer calls it; tests in virtual time call it directly). */
  async evaluateAll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const t of [...this.tracked.values()]) {
        if (this.deps.owns && !this.deps.owns(t.tenant, t.app)) {
          // Another replica decides for it now; what this one learned of its load is let go.
          t.loads.clear();
          continue;
        }
        try {
          await this.evaluate(t);
        } catch (e) {
          this.deps.log?.(`autoscaler: ${t.tenant}/${t.app} not evaluated`, e);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private track(obj: StoredObject, deleted: boolean): void {
    const key = `${obj.metadata.tenant}/${obj.metadata.name}`;
    const policy = (obj.spec as ApplicationSpec | undefined)?.policies?.find((p) => p.type === 'autoscaling');
    if (deleted || !policy || obj.metadata.deletionTimestamp) {
      this.tracked.delete(key);
      return;
    }
    const existing = this.tracked.get(key);
    if (existing) existing.policy = policy.properties as AutoscalingProperties;
    else
      this.tracked.set(key, {
        tenant: obj.metadata.tenant ?? '',
        app: obj.metadata.name,
        policy: policy.properties as AutoscalingProperties,
        histories: new Map(),
        loads: new Map(),
        saturation: new Map(),
      });
  }

  private async evaluate(t: Tracked): Promise<void> {
    const app = await this.deps.store.get({ kind: 'Application', tenant: t.tenant, name: t.app });
    if (!app) return;
    const spec = app.spec as ApplicationSpec;
    const previous = (app.status as { scaling?: ScalingStatus } | undefined)?.scaling;
    const demands = new Map(componentDemands(spec).map((d) => [d.name, d]));
    const now = this.deps.clock.now();
    const preview = t.policy.preview === true;
    const next: Record<string, ScalingStatus['components'][string]> = { ...(previous?.components ?? {}) };
    const changes: Message[] = [];
    const wasSaturated = (app.status as { saturation?: Record<string, Saturation> } | undefined)?.saturation ?? {};
    const saturation: Record<string, Saturation | null> = {};
    for (const c of t.policy.components) {
      const demand = demands.get(c.name);
      if (!demand) continue;
      const ref: ComponentRef = {
        tenant: t.tenant,
        app: t.app,
        namespace: namespaceOf(t.tenant, t.app, app.status),
        component: c.name,
      };
      const signals = await this.deps.metrics.signals(ref);
      const judged = judgeSaturation({
        now: now.getTime(),
        cpuUtilization: signals?.cpuUtilization,
        latencyP99Ms: signals?.latencyP99Ms,
        latencyObjectiveMs: c.targets.latencyMs,
        watch: t.saturation.get(c.name) ?? {},
      });
      t.saturation.set(c.name, judged.watch);
      const was = wasSaturated[c.name];
      if (judged.saturated && (!was || was.signal !== judged.saturated.signal)) saturation[c.name] = judged.saturated;
      else if (!judged.saturated && was) saturation[c.name] = null;
      const current = previous?.components[c.name]?.desired ?? Math.max(c.minReplicas, demand.replicas);
      const load = c.prediction?.enabled ? await this.loadOf(t, c, ref, now.getTime(), signals) : undefined;
      const decision = decideFor(c, {
        now: now.getTime(),
        current,
        ready: signals?.readyPods ?? 0,
        signals,
        history: t.histories.get(c.name) ?? EMPTY_HISTORY,
        preview,
        ...(load ? { loadHistory: load.buffer.history(), perReplicaCapacity: load.capacity } : {}),
      });
      t.histories.set(c.name, decision.history);
      if (decision.desired === current && previous?.components[c.name]) continue;
      next[c.name] = {
        desired: decision.desired,
        reason: decision.reason,
        code: decision.detail.code,
        ...(decision.detail.params ? { params: decision.detail.params } : {}),
        decidedAt: now.toISOString(),
      };
      changes.push(
        msg('ScaleChange', { component: c.name, from: current, to: decision.desired, reason: decision.detail }),
      );
    }
    if (Object.keys(saturation).length > 0) await this.writeSaturation(t, saturation);
    if (changes.length === 0) return;
    await this.record(t, preview, changes);
    if (preview) return;
    try {
      // Replaces status.scaling whole (a merge patch would mix a new reason's params with the previous one's).
      const scaling = { preview, components: next };
      await this.deps.resources.patchWith(
        CTX,
        { kind: 'Application', tenant: t.tenant, name: t.app },
        (cur) => cur && { ...cur, status: { ...((cur.status as object | undefined) ?? {}), scaling } },
        { subresource: 'status' },
      );
    } catch (e) {
      if (!(e instanceof NotFoundError) && !(e instanceof ConflictError)) throw e;
    }
  }

  /**
   * The component's load history, fed with this evaluation's requests per second. On the first evaluation in this
   * process it is rebuilt from the metrics source's range (Prometheus answers from its own storage, so a restart
   * loses nothing it scraped); after that it is kept in memory. Capacity per replica: the requests-per-replica
   * target when there is one, else estimated from the observed CPU per request at the CPU target.
   */
  private async loadOf(
    t: Tracked,
    c: ComponentAutoscaling,
    ref: ComponentRef,
    now: number,
    signals: Awaited<ReturnType<MetricsSource['signals']>>,
  ): Promise<ComponentLoad> {
    let load = t.loads.get(c.name);
    if (!load) t.loads.set(c.name, (load = { buffer: new LoadHistoryBuffer(), seeded: false }));
    if (!load.seeded) {
      load.seeded = true;
      const step = LOAD_HISTORY_RULES.stepMs;
      const to = Math.floor(now / step) * step - step;
      const from = to - LOAD_HISTORY_RULES.spanMs + step;
      const past = await this.deps.metrics.history(ref, 'requestsPerSecond', from, to, step).catch(() => []);
      load.buffer.seed(from, past);
    }
    const rps = signals?.requestsPerSecond;
    if (rps !== undefined) load.buffer.add(now, rps);
    const perReplica = c.targets.requestsPerReplica;
    if (perReplica !== undefined) load.capacity = perReplica;
    else if (c.targets.cpuUtilization !== undefined) {
      const cpu = signals?.cpuUtilization;
      const ready = signals?.readyPods ?? 0;
      if (rps !== undefined && rps > 0 && cpu !== undefined && cpu > 0 && ready > 0) {
        const estimate = ((rps / ready) * (c.targets.cpuUtilization / 100)) / cpu;
        load.capacity =
          load.capacity === undefined ? estimate : load.capacity + CAPACITY_SMOOTHING * (estimate - load.capacity);
      }
    }
    return load;
  }

  /**
   * Writes `status.saturation` (delivery turns a saturated component Degraded with reason `Saturated`) and records
   * the change as an event. Written only when a component turns saturated, changes signal or recovers.
   */
  private async writeSaturation(t: Tracked, changed: Record<string, Saturation | null>): Promise<void> {
    try {
      await this.deps.resources.patch(
        CTX,
        { kind: 'Application', tenant: t.tenant, name: t.app },
        { status: { saturation: changed } },
        { subresource: 'status' },
      );
    } catch (e) {
      if (!(e instanceof NotFoundError) && !(e instanceof ConflictError)) throw e;
      return;
    }
    for (const [component, s] of Object.entries(changed)) {
      await this.events
        .record({
          tenant: t.tenant,
          involved: { kind: 'Application', name: t.app, apiVersion: 'core.oam.dev/v1beta1' },
          type: s ? 'Warning' : 'Normal',
          reason: s ? 'Saturated' : 'SaturationEnded',
          detail: s ? saturationMessage(component, s) : msg('SaturationEnded', { component }),
        })
        .catch((e: unknown) => this.deps.log?.('autoscaler: event not recorded', e));
    }
  }

  private async record(t: Tracked, preview: boolean, changes: Message[]): Promise<void> {
    await this.events
      .record({
        tenant: t.tenant,
        involved: { kind: 'Application', name: t.app, apiVersion: 'core.oam.dev/v1beta1' },
        type: 'Normal',
        reason: preview ? 'ScalePreview' : 'Scaled',
        detail: msg('MessageList', { items: changes }),
      })
      .catch((e: unknown) => this.deps.log?.('autoscaler: event not recorded', e));
  }
}

/** The metrics the pure decision takes, from the source's signals (CPU as a percent of the request). */
function decideFor(
  c: ComponentAutoscaling,
  input: {
    now: number;
    current: number;
    ready: number;
    signals: Awaited<ReturnType<MetricsSource['signals']>>;
    history: HpaHistory;
    preview: boolean;
    loadHistory?: LoadHistory | undefined;
    perReplicaCapacity?: number | undefined;
  },
): AutoscalerDecision {
  const s = input.signals;
  const ready = Math.max(0, input.ready);
  return decide(c, {
    now: input.now,
    current: input.current,
    ready,
    history: input.history,
    preview: input.preview,
    ...(input.loadHistory ? { loadHistory: input.loadHistory } : {}),
    ...(input.perReplicaCapacity !== undefined ? { perReplicaCapacity: input.perReplicaCapacity } : {}),
    metrics: {
      ...(c.targets.cpuUtilization !== undefined
        ? { cpuUtilization: { value: s?.cpuUtilization === undefined ? undefined : s.cpuUtilization * 100 } }
        : {}),
      ...(c.targets.requestsPerReplica !== undefined
        ? {
            requestsPerReplica: {
              value: s?.requestsPerSecond === undefined || ready === 0 ? undefined : s.requestsPerSecond / ready,
            },
          }
        : {}),
      ...(c.targets.latencyMs !== undefined ? { latencyMs: { value: s?.latencyP99Ms } } : {}),
    },
  });
}
