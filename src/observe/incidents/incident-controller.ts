import type { Clock } from '../../kernel/clock.ts';
import { ConflictError, NotFoundError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { RequestContext, ResourceService } from '../../resources/service.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import { demarcate } from '../demarcation/index.ts';
import { IncidentEngine, type Incident, type TimelineEntry } from './engine.ts';
import type { IncidentSpec } from './incident-kind.ts';
import type { Observation } from './symptoms.ts';

/** Where the controller reads what happened: the simulated cloud's telemetry, or a Prometheus (one seam). */
export interface ObservationSource {
  observe(fromS: number, toS: number): Promise<Observation> | Observation;
}

const CTX: RequestContext = { actor: 'system:incidents', requestId: 'incidents' };
/** How far back each evaluation reads: the detection baseline and the demarcation's baseline and history. */
const WINDOW_SECONDS = 40 * 60;
const ORDER = { open: 0, acknowledged: 1, resolved: 2 } as const;

const iso = (s: number): string => new Date(s * 1000).toISOString();

/**
 * Evaluates the incident engine on a timer (or on demand in virtual time) and keeps one Incident object per cause
 * and department touched. Each department's copy carries the verdict from its own point of view, computed from the
 * recorded input with its scope: the input and options are on the object, so `demarcate(spec.input, spec.options)`
 * replays it.
 */
export class IncidentController {
  readonly engine: IncidentEngine;
  private readonly deps: {
    resources: ResourceService;
    clock: Clock;
    source: ObservationSource;
    log?: (m: string, e?: unknown) => void;
    /** Told once per department when an incident opens for it, with its verdict (the notifier, in main.ts). */
    onOpened?: (incident: StoredObject) => void;
  };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(deps: IncidentController['deps'] & { engine?: IncidentEngine }) {
    this.deps = deps;
    this.engine = deps.engine ?? new IncidentEngine();
  }

  start(everyMs = 15_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.evaluate()
        .then(() => undefined)
        .catch((e) => this.deps.log?.('incident evaluation failed', e))
        .finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One evaluation now; writes the incidents it opened or changed. */
  async evaluate(): Promise<Incident[]> {
    const now = Math.floor(this.deps.clock.now().getTime() / 1000);
    const obs = await this.deps.source.observe(now - WINDOW_SECONDS, now);
    const changed = this.engine.evaluate(obs, now);
    for (const inc of changed) for (const d of inc.departments) await this.persist(inc, d);
    this.engine.forget(now - 86_400);
    return changed;
  }

  /** A person acknowledges or resolves a department's incident. */
  async act(
    ctx: RequestContext,
    tenant: string,
    name: string,
    action: 'acknowledged' | 'resolved',
  ): Promise<StoredObject> {
    const now = Math.floor(this.deps.clock.now().getTime() / 1000);
    let current: StoredObject;
    try {
      current = await this.deps.resources.get('Incident', tenant, name);
    } catch (e) {
      if (e instanceof NotFoundError) throw new NotFoundError(msg('IncidentNotFound', { name, tenant }));
      throw e;
    }
    const spec = current.spec as IncidentSpec;
    if (spec.state === 'resolved') throw new ConflictError(msg('IncidentAlreadyResolved', { name }));
    if (spec.state === action) return current;
    const entry: TimelineEntry = {
      at: now,
      actor: ctx.actor,
      action,
      message: msg(action === 'acknowledged' ? 'IncidentAcknowledged' : 'IncidentResolved', { actor: ctx.actor }),
    };
    this.engine.act(spec.cause, action, ctx.actor, now);
    return this.deps.resources.patchWith(
      ctx,
      { kind: 'Incident', tenant, name },
      (cur) => {
        const s = (cur as StoredObject).spec as IncidentSpec;
        return { ...cur, spec: { ...s, state: action, timeline: [...s.timeline, entry] } };
      },
      { auditVerb: action === 'acknowledged' ? 'acknowledge' : 'resolve' },
    );
  }

  private async persist(inc: Incident, department: string): Promise<void> {
    const input = { ...inc.input, scope: { department } };
    const r = demarcate(input, inc.result.options);
    const spec = (prior: IncidentSpec | undefined): IncidentSpec => {
      // People's entries (acknowledge, resolve) are kept; the engine's are its own.
      const people = (prior?.timeline ?? []).filter((e) => !String(e.actor).startsWith('system:'));
      const timeline = [...inc.timeline, ...(people as unknown as TimelineEntry[])].sort((a, b) => a.at - b.at);
      const state = prior && ORDER[prior.state] > ORDER[inc.state] ? prior.state : inc.state;
      return {
        cause: inc.id,
        state,
        at: iso(inc.at),
        openedAt: iso(inc.openedAt),
        verdictAt: iso(inc.verdictAt),
        final: inc.final,
        verdictKind: r.verdict.kind,
        ...(r.verdict.subject ? { culprit: r.verdict.subject.name } : {}),
        symptoms: inc.symptoms.map((s) => ({ ...s })),
        verdict: { ...r.verdict },
        candidates: r.candidates.slice(0, 5).map((c) => ({ ...c })),
        input: input as Record<string, unknown>,
        options: { ...r.options },
        timeline: timeline.map((e) => ({ ...e })),
      };
    };
    let created = false;
    const written = await this.deps.resources.patchWith(
      CTX,
      { kind: 'Incident', tenant: department, name: inc.id },
      (cur) => {
        created = cur === undefined;
        return {
          apiVersion: 'polis.io/v1',
          kind: 'Incident',
          metadata: { ...((cur as StoredObject | undefined)?.metadata ?? {}), name: inc.id, tenant: department },
          spec: spec(cur === undefined ? undefined : ((cur as StoredObject).spec as IncidentSpec)),
        };
      },
      { createIfAbsent: true },
    );
    if (created) this.deps.onOpened?.(written);
  }
}
