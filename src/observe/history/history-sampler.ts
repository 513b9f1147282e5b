import type { ApplicationSpec } from '../../apps/application-kind.ts';
import { componentDemands } from '../../apps/render/index.ts';
import { namespaceOf } from '../../delivery/namespace.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { Store } from '../../resources/store.ts';
import { slicer } from '../../kernel/loop-slices.ts';
import type { ComponentTarget, HistoryProbe } from './history-probe.ts';
import type { HistoryWriter } from './history-writer.ts';

export interface HistorySamplerDeps {
  readonly store: Store;
  /**
   * Every component with replicas (componentTargetsOf each application), from an index kept from the change feed
   * (main.ts), so the sampler parses no application. Absent: listed from the store every minute.
   */
  readonly targets?: () => Promise<ComponentTarget[]>;
  readonly probe: HistoryProbe;
  readonly writer: HistoryWriter;
  readonly clock: Clock;
  /** Sampling period (default 15 s, the first tier's spacing). */
  readonly intervalMs?: number;
  /** How often chunks are written (default 60 s) and retention applied (hourly). */
  readonly flushEveryMs?: number;
  readonly log?: (message: string, err: unknown) => void;
}

const TARGETS_EVERY_MS = 60_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The controller shell of polis's own history: every 15 s it reads the present value of every signal through the
 * probe, for every component of every application, and hands the samples to the writer; every minute it flushes.
 * `tick()` does one step at the clock's present, for virtual-time runs (no timer then: leave `start` out).
 */
export class HistorySampler {
  private readonly deps: HistorySamplerDeps;
  private timer: NodeJS.Timeout | undefined;
  private targets: ComponentTarget[] = [];
  private targetsAt = -Infinity;
  private flushedAt = -Infinity;
  private prunedAt = -Infinity;
  private running: Promise<void> | undefined;

  constructor(deps: HistorySamplerDeps) {
    this.deps = deps;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.tick(), this.deps.intervalMs ?? 15_000);
    this.timer.unref();
  }

  /** Stops the timer and writes what is held in memory. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.deps.writer.flush().catch((e: unknown) => this.deps.log?.('history: final flush failed', e));
  }

  /** One sampling step at the clock's present; overlapping calls wait for the one running. */
  tick(): Promise<void> {
    const run = (this.running ?? Promise.resolve()).then(() => this.step());
    this.running = run.catch((e: unknown) => this.deps.log?.('history: sampling failed', e));
    return this.running;
  }

  private async step(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    if (now - this.targetsAt >= TARGETS_EVERY_MS) {
      this.targets = await (this.deps.targets?.() ?? listTargets(this.deps.store));
      this.targetsAt = now;
    }
    // On its own timer (a serving process), sampling gives the event loop back every few milliseconds; in virtual
    // time (tick() called after each step) it runs in one go, as before, so a run's samples stay those of one step.
    this.deps.writer.append(
      await this.deps.probe.sample(this.targets, this.timer !== undefined ? slicer() : undefined),
      now,
    );
    if (now - this.flushedAt >= (this.deps.flushEveryMs ?? 60_000)) {
      await this.deps.writer.flush();
      this.flushedAt = now;
    }
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      await this.deps.writer.prune(now);
      this.prunedAt = now;
    }
  }
}

/**
 * Every component with replicas of one application, with the namespace it runs in (pure). The index of targets
 * (main.ts) calls it for every change event of an application, most of which (status writes, a changed annotation)
 * leave the spec as it was: the components with replicas, which render the spec, are remembered by `uid:generation`
 * (the generation moves with every change outside metadata and status), as the usage report's holdings are.
 */
export function componentTargetsOf(o: StoredObject): ComponentTarget[] {
  const tenant = o.metadata.tenant ?? '';
  const app = o.metadata.name;
  const namespace = namespaceOf(tenant, app, o.status);
  return replicatedComponents(o).map((component) => ({ tenant, app, namespace, component }));
}

/** By `uid:generation`: the names of an application's components with replicas. */
const REPLICATED_BY_GENERATION = new Map<string, readonly string[]>();
const REPLICATED_CACHE_LIMIT = 50_000;

function replicatedComponents(o: StoredObject): readonly string[] {
  const { uid, generation } = o.metadata;
  const key = uid && generation !== undefined ? `${uid}:${generation}` : undefined;
  const hit = key === undefined ? undefined : REPLICATED_BY_GENERATION.get(key);
  if (hit !== undefined) return hit;
  const names = componentDemands(o.spec as ApplicationSpec)
    .filter((c) => c.replicas > 0)
    .map((c) => c.name);
  if (key !== undefined) {
    if (REPLICATED_BY_GENERATION.size >= REPLICATED_CACHE_LIMIT)
      REPLICATED_BY_GENERATION.delete(REPLICATED_BY_GENERATION.keys().next().value!);
    REPLICATED_BY_GENERATION.set(key, names);
  }
  return names;
}

/** Every component with replicas of every application, with the namespace it runs in. */
export async function listTargets(store: Store): Promise<ComponentTarget[]> {
  const out: ComponentTarget[] = [];
  let cont: string | undefined;
  do {
    const page = await store.list({ kind: 'Application', limit: 1000, continue: cont });
    for (const o of page.items) out.push(...componentTargetsOf(o));
    cont = page.continue;
  } while (cont);
  return out;
}
