import type { Clock } from '../../kernel/clock.ts';
import type { AlertStateStore, WindowSlotRow } from '../../resources/alert-state.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import { compileRule } from './alert-kinds.ts';
import type { CollectorDeps } from './alert-collector.ts';
import { collectSignals } from './alert-collector.ts';
import type { Alert, AlertTransition } from './evaluate.ts';
import { evaluateAlertsInSteps, windowsOf } from './evaluate.ts';
import { runInSlices } from '../../kernel/loop-slices.ts';
import type { CompiledRule } from './rules.ts';
import { BUILTIN_RULES } from './rules.ts';
import { RingSignalWindows } from './signal-windows.ts';
import { extremesRead, WindowCheckpoints } from './window-rows.ts';
import type { AlertTarget } from './signals.ts';

export interface AlertControllerDeps extends CollectorDeps {
  readonly clock: Clock;
  /** Evaluation period in ms (default 15 s); 0: no timer, call `tick()` (virtual time). */
  readonly intervalMs?: number;
  /** Where samples are kept and windows read (default: an in-memory ring; the history engine may replace it). */
  readonly windows?: RingSignalWindows;
  readonly log?: (msg: string, err?: unknown) => void;
  /**
   * Where the alerts are kept across restarts and leaders (absent: in memory only). Read on the first round, written
   * after each round that changed any alert's state (and, when only values moved, at most every `refreshMs`).
   * `list` reads it, so every replica, leader or not, answers the same. Where several replicas run, pass the store
   * fenced by the leader's term (AlertStateStore.fenced): a leader that lost its term then writes nothing.
   */
  readonly state?: AlertStateStore;
  /** How stale a stored alert's value and message may grow while its state holds (default 60 s). */
  readonly refreshMs?: number;
  /**
   * How often the sample windows are written to the state store (default 60 s; 0: every round). A restart loses
   * at most the samples since (as if polis had been down that much longer), not the windows. Each time only the
   * bucket slots written to since are written (window-rows.ts).
   */
  readonly windowsEveryMs?: number;
}

/** Told of every alert that begins firing or resolves (incidents group them; the notifier sends them). */
export type AlertListener = (t: AlertTransition) => void | Promise<void>;

/**
 * Evaluates the built-in rules (platform and SLO) and every AlertRule object every `intervalMs`: samples the
 * signals (alert-collector.ts), evaluates (evaluate.ts, pure), keeps the alerts and tells listeners of each
 * transition. With a `state` store the alerts (each with when it became active and fired) and the sample windows
 * are kept there: a restarted process, or a new leader, takes them up on its first round, so a `for` duration goes
 * on from where it was, an alert already firing, and told, is not told again, and a window (`min over 2m`) holds
 * the samples taken before the restart.
 */
export class AlertController {
  private readonly deps: AlertControllerDeps;
  readonly windows: RingSignalWindows;
  private current = new Map<string, Alert>();
  private targets: readonly AlertTarget[] = [];
  private rules: readonly CompiledRule[] = BUILTIN_RULES;
  private readonly listeners = new Set<AlertListener>();
  private readonly wanted = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private restored = false;
  /** What was last written to the state store, by key (the alert without its moving value). */
  private saved = new Map<string, string>();
  /** When the state store was last written, and whether a value moved since. */
  private savedAt = -Infinity;
  private savedValues = new Map<string, string>();
  /** When the windows were last written. */
  private windowsSavedAt = -Infinity;
  private readonly checkpoints: WindowCheckpoints;
  /** Dictionary ids of series dropped since the last checkpoint written (deleted by the next one). */
  private dropSeries: number[] = [];

  constructor(deps: AlertControllerDeps) {
    this.deps = deps;
    this.windows = deps.windows ?? new RingSignalWindows();
    this.checkpoints = new WindowCheckpoints(this.windows);
    this.want(BUILTIN_RULES);
  }

  /** Subscribes to fired and resolved alerts; returns the unsubscribe. */
  onTransition(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    const every = this.deps.intervalMs ?? 15_000;
    if (every <= 0 || this.timer) return;
    this.timer = setInterval(
      () => void this.tick().catch((e: unknown) => this.deps.log?.('alert evaluation failed', e)),
      every,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: sample, evaluate, tell. Rounds never overlap. */
  tick(): Promise<AlertTransition[]> {
    const next = this.running.then(() => this.round());
    this.running = next.catch(() => undefined);
    return next;
  }

  private async round(): Promise<AlertTransition[]> {
    const now = this.deps.clock.now().getTime();
    if (!this.restored) await this.restore(now);
    const rules = [...BUILTIN_RULES, ...(await this.objectRules())];
    this.want(rules);
    // The checkpoints store the max and min of the windows some rule reads them of, the sums and counts of all.
    this.checkpoints.keepExtremes(extremesRead(rules));
    this.targets = await collectSignals(this.deps, this.windows, now);
    this.rules = rules;
    // In slices: a round over a large estate never holds the event loop (and the API's requests) for long.
    const r = await runInSlices(
      evaluateAlertsInSteps({ rules, targets: this.targets, windows: this.windows, now, previous: this.current }),
    );
    this.current = r.alerts;
    await this.save(now);
    await this.saveWindows(now);
    for (const t of r.transitions)
      for (const l of this.listeners) {
        try {
          await l(t);
        } catch (e) {
          this.deps.log?.('an alert listener failed', e);
        }
      }
    return r.transitions;
  }

  /**
   * The alerts of these departments, or all, as every replica sees them: from the state store when there is one
   * (what the leader's last evaluation wrote; a follower evaluates nothing and its memory is empty or stale), else
   * this process's memory.
   */
  async list(tenants: 'all' | readonly string[]): Promise<Alert[]> {
    const state = this.deps.state;
    if (!state) return this.alerts(tenants);
    const rows = await state.loadAlerts(tenants === 'all' ? {} : { tenants });
    return rows.map((r) => JSON.parse(r.data) as Alert).sort((a, b) => a.key.localeCompare(b.key));
  }

  /** The alerts now (pending, firing, recently resolved) of these departments, or all (cluster alerts too). */
  alerts(tenants: 'all' | readonly string[]): Alert[] {
    const out = [...this.current.values()].filter(
      (a) => tenants === 'all' || (a.tenant !== undefined && tenants.includes(a.tenant)),
    );
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  /** The rules of the last round, and the targets they ran on (for the Prometheus export). */
  lastRound(): { readonly rules: readonly CompiledRule[]; readonly targets: readonly AlertTarget[] } {
    return { rules: this.rules, targets: this.targets };
  }

  private async restore(now: number): Promise<void> {
    const state = this.deps.state;
    this.restored = true;
    if (!state) return;
    // The windows first: the round that follows reads them (stored by the leader before, or by this process).
    // In slices, as the evaluation: taking up a large estate's windows is about a second of CPU.
    await runInSlices(this.checkpoints.loadInSteps(await state.loadWindows(), now));
    // What was loaded is in the store already; this round's samples, taken at `now` after it, are not.
    this.windowsSavedAt = now - 1;
    const rows = await state.loadAlerts();
    this.current = new Map(rows.map((row) => [row.key, JSON.parse(row.data) as Alert]));
    this.saved = new Map([...this.current].map(([k, a]) => [k, stateOf(a)]));
    this.savedValues = new Map([...this.current].map(([k, a]) => [k, valueOf(a)]));
    this.savedAt = rows.reduce((at, r) => Math.max(at, r.updatedAt), -Infinity);
  }

  /**
   * Writes the alerts when any changed state; a value moving alone is written at most every `refreshMs` (what
   * other replicas show is that fresh).
   */
  private async save(now: number): Promise<void> {
    const state = this.deps.state;
    if (!state) return;
    const next = new Map([...this.current].map(([k, a]) => [k, stateOf(a)]));
    const same = next.size === this.saved.size && [...next].every(([k, v]) => this.saved.get(k) === v);
    if (same && now - this.savedAt < (this.deps.refreshMs ?? 60_000)) return;
    if (same && [...this.current.values()].every((a) => this.savedValues.get(a.key) === valueOf(a))) return;
    await state.saveAlerts(
      [...this.current.values()].map((a) => ({
        key: a.key,
        tenant: a.tenant ?? '',
        data: JSON.stringify(a),
        updatedAt: now,
      })),
    );
    this.saved = next;
    this.savedValues = new Map([...this.current.values()].map((a) => [a.key, valueOf(a)]));
    this.savedAt = now;
  }

  /**
   * Writes the sample windows every `windowsEveryMs`: the bucket slots written to since the last time (since the
   * first round: what was loaded then is in the store already), after naming the series new since.
   */
  private async saveWindows(now: number): Promise<void> {
    const state = this.deps.state;
    const everyMs = this.deps.windowsEveryMs ?? 60_000;
    if (!state || now - this.windowsSavedAt < everyMs) return;
    this.dropSeries = this.dropSeries.concat(this.checkpoints.dropped(now));
    const unnamed = this.checkpoints.unnamed();
    const ids = await state.windowSeriesIds(unnamed);
    this.checkpoints.name(unnamed, ids);
    // A series dropped while a checkpoint failed, and back since, has its id again: it must not be deleted.
    const named = new Set(ids);
    this.dropSeries = this.dropSeries.filter((id) => !named.has(id));
    const sizes = this.checkpoints.windowsKept(everyMs);
    let put: WindowSlotRow[] = [];
    let replaced: Array<{ windowMs: number; slot: number }> = [];
    for (const w of sizes) {
      // One window at a time, the event loop turning between them (bench/alerts.ts: tens of ms each at 10,000
      // applications), not one block while the API serves.
      const rows = this.checkpoints.rows(w, this.windowsSavedAt, now);
      put = put.concat(rows.put);
      replaced = replaced.concat(rows.replaced);
      await new Promise((r) => setImmediate(r));
    }
    const pruneBefore = now - Math.max(0, ...sizes) - 3_600_000;
    await state.saveWindows({ put, replaced, dropSeries: this.dropSeries, pruneBefore });
    this.windowsSavedAt = now;
    this.dropSeries = [];
  }

  private want(rules: readonly CompiledRule[]): void {
    for (const [signal, ms] of windowsOf(rules)) {
      const k = `${signal}/${ms}`;
      if (this.wanted.has(k)) continue;
      this.wanted.add(k);
      this.windows.want(signal, ms);
    }
  }

  private async objectRules(): Promise<CompiledRule[]> {
    const out: CompiledRule[] = [];
    let cont: string | undefined;
    do {
      const page = await this.deps.store.list({ kind: 'AlertRule', limit: 1000, continue: cont });
      for (const o of page.items as StoredObject[]) {
        const r = compileRule(o);
        if (r) out.push(r);
      }
      cont = page.continue;
    } while (cont);
    return out;
  }
}

/** What moves every round: the value and the message that states it. */
function valueOf(a: Alert): string {
  return JSON.stringify([a.value, a.message]);
}

/** An alert's state, without the value that moves every round. */
function stateOf(a: Alert): string {
  const { value: _value, message: _message, ...rest } = a;
  return JSON.stringify(rest);
}
