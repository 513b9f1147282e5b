import { msg, type Message } from '../../kernel/messages/index.ts';
import {
  demarcate,
  type DemarcationInput,
  type DemarcationOptions,
  type DemarcationResult,
} from '../demarcation/index.ts';
import { CityGraph, keyOf, recordInput } from './neighbourhood.ts';
import {
  DEFAULT_DETECT,
  detectSymptoms,
  stillFiring,
  type DetectOptions,
  type Observation,
  type Symptom,
  type SymptomSource,
} from './symptoms.ts';

export type IncidentState = 'open' | 'acknowledged' | 'resolved';

export interface TimelineEntry {
  /** Epoch seconds. */
  readonly at: number;
  /** `system:incidents` or the person who acted. */
  readonly actor: string;
  readonly action: 'opened' | 'symptom' | 'verdict' | 'merged' | 'acknowledged' | 'resolved';
  readonly message: Message;
}

/** One incident: one cause, however many symptoms it shows. */
export interface Incident {
  readonly id: string;
  state: IncidentState;
  /** Epoch seconds: the onset (the earliest symptom). */
  at: number;
  /** When the engine opened it. */
  readonly openedAt: number;
  symptoms: Symptom[];
  /** The departments whose components show symptoms (or run on the infrastructure that does). */
  departments: string[];
  /** The recorded input of the latest verdict and the verdict itself; replay: demarcate(input, result.options). */
  input: DemarcationInput;
  result: DemarcationResult;
  /** When the verdict was first given. */
  readonly verdictAt: number;
  /** The verdict is final once the compared window after the onset is complete. */
  final: boolean;
  lastFiring: number;
  timeline: TimelineEntry[];
}

export interface EngineOptions {
  readonly detect: DetectOptions;
  /** The demarcation options; history is shortened so that an incident's record stays small (docs/observe.md). */
  readonly demarcation: Partial<DemarcationOptions>;
  /** An incident with no symptom firing for this long resolves itself. */
  readonly quietSeconds: number;
  /** Incidents opened this close together whose symptoms turn out related are merged. */
  readonly mergeSeconds: number;
}

export const DEFAULT_ENGINE: EngineOptions = {
  detect: DEFAULT_DETECT,
  demarcation: { historySeconds: 1500 },
  quietSeconds: 600,
  mergeSeconds: 300,
};

const SYSTEM = 'system:incidents';
const POST_DEFAULT = 300;
const PRE_DEFAULT = 300;

/**
 * Groups symptoms into incidents, one per cause, and gives each the demarcation verdict of its recorded input.
 * A symptom joins an open incident it is related to (along the calls, or through the node or cluster it runs on);
 * the verdict is recomputed while the compared window fills and is final after it. Deterministic: the same
 * observations at the same times give the same incidents, ids and timelines; no clock, no I/O.
 */
export class IncidentEngine {
  private readonly opts: EngineOptions;
  private readonly source: SymptomSource;
  private readonly incidents = new Map<string, Incident>();

  constructor(o: { options?: Partial<EngineOptions>; source?: SymptomSource } = {}) {
    this.opts = { ...DEFAULT_ENGINE, ...o.options };
    const detect = this.opts.detect;
    this.source = o.source ?? { symptoms: (obs, now) => detectSymptoms(obs, now, detect) };
  }

  list(): Incident[] {
    return [...this.incidents.values()];
  }

  get(id: string): Incident | undefined {
    return this.incidents.get(id);
  }

  /** Marks an incident acknowledged or resolved by a person. */
  act(id: string, action: 'acknowledged' | 'resolved', actor: string, now: number): Incident | undefined {
    const inc = this.incidents.get(id);
    if (!inc || inc.state === 'resolved' || inc.state === action) return inc;
    inc.state = action;
    inc.timeline.push({
      at: now,
      actor,
      action,
      message: msg(action === 'acknowledged' ? 'IncidentAcknowledged' : 'IncidentResolved', { actor }),
    });
    return inc;
  }

  /**
   * One evaluation at `now` (epoch seconds) over an observation that reaches back at least the baseline and the
   * demarcation history. Returns the incidents opened or changed.
   */
  evaluate(obs: Observation, now: number): Incident[] {
    const graph = new CityGraph(obs);
    const changed = new Set<Incident>();
    const live = () => [...this.incidents.values()].filter((i) => i.state !== 'resolved');
    const symptoms = this.source.symptoms(obs, now);
    const fresh: Symptom[] = [];
    for (const s of symptoms) {
      const owner = live().find((i) => i.symptoms.some((x) => x.id === s.id));
      if (owner) owner.lastFiring = now;
      else fresh.push(s);
    }
    // Fresh symptoms join a related incident (merging incidents they tie together), or open a new one.
    const unplaced: Symptom[] = [];
    for (const s of fresh) {
      const rel = graph.related(s.on, s.name);
      const hits = live().filter(
        (i) =>
          i.symptoms.some((x) => rel.has(keyOf(x))) ||
          i.symptoms.some((x) => graph.related(x.on, x.name).has(keyOf(s))),
      );
      if (hits.length === 0) {
        unplaced.push(s);
        continue;
      }
      hits.sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : 1));
      const into = hits[0]!;
      this.join(into, s, now);
      changed.add(into);
      for (const other of hits.slice(1))
        if (other.state === 'open' && Math.abs(other.openedAt - into.openedAt) <= this.opts.mergeSeconds) {
          for (const x of other.symptoms) if (!into.symptoms.some((y) => y.id === x.id)) into.symptoms.push(x);
          into.at = Math.min(into.at, other.at);
          this.incidents.delete(other.id);
          into.timeline.push({
            at: now,
            actor: SYSTEM,
            action: 'merged',
            message: msg('IncidentMerged', { other: other.id }),
          });
        }
    }
    // Unplaced symptoms: related ones together (connected components), each group one new incident.
    const groups: Symptom[][] = [];
    for (const s of unplaced) {
      const rel = graph.related(s.on, s.name);
      const g = groups.filter(
        (grp) => grp.some((x) => rel.has(keyOf(x))) || grp.some((x) => graph.related(x.on, x.name).has(keyOf(s))),
      );
      const merged = [s, ...g.flat()];
      for (const x of g) groups.splice(groups.indexOf(x), 1);
      groups.push(merged);
    }
    for (const grp of groups) {
      grp.sort((a, b) => a.since - b.since || (a.id < b.id ? -1 : 1));
      const at = grp[0]!.since;
      const id = `inc-${at}-${fnv(grp[0]!.id).toString(36)}`;
      const input = this.record(obs, graph, grp, at, now);
      const result = demarcate(input, this.opts.demarcation);
      const inc: Incident = {
        id,
        state: 'open',
        at,
        openedAt: now,
        symptoms: grp,
        departments: [],
        input,
        result,
        verdictAt: now,
        final: false,
        lastFiring: now,
        timeline: [
          {
            at: now,
            actor: SYSTEM,
            action: 'opened',
            message: msg('IncidentOpened', { symptoms: grp.length, first: describe(grp[0]!) }),
          },
          { at: now, actor: SYSTEM, action: 'verdict', message: result.verdict.reason },
        ],
      };
      inc.departments = departments(inc, obs);
      this.incidents.set(id, inc);
      changed.add(inc);
    }
    // Verdicts while the compared window fills; quiet incidents resolve.
    const post = this.opts.demarcation.postSeconds ?? POST_DEFAULT;
    for (const inc of live()) {
      if (!inc.final && (changed.has(inc) || now <= inc.at + post + 60)) {
        const input = this.record(obs, graph, inc.symptoms, inc.at, now);
        const result = demarcate(input, this.opts.demarcation);
        const before = verdictKey(inc.result);
        inc.input = input;
        inc.result = result;
        inc.departments = departments(inc, obs);
        if (verdictKey(result) !== before)
          inc.timeline.push({ at: now, actor: SYSTEM, action: 'verdict', message: result.verdict.reason });
        if (now >= inc.at + post) inc.final = true;
        changed.add(inc);
      }
      const firing = inc.symptoms.some((s) => stillFiring(s, obs, now, this.opts.detect.confirmSeconds));
      if (firing) inc.lastFiring = Math.max(inc.lastFiring, now);
      else if (now - inc.lastFiring >= this.opts.quietSeconds) {
        inc.state = 'resolved';
        inc.timeline.push({
          at: now,
          actor: SYSTEM,
          action: 'resolved',
          message: msg('IncidentResolvedQuiet', { minutes: Math.round(this.opts.quietSeconds / 60) }),
        });
        changed.add(inc);
      }
    }
    return [...changed].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Forgets resolved incidents resolved before `beforeS` (the store keeps them). */
  forget(beforeS: number): void {
    for (const [id, inc] of this.incidents)
      if (inc.state === 'resolved' && (inc.timeline[inc.timeline.length - 1]?.at ?? 0) < beforeS)
        this.incidents.delete(id);
  }

  private join(inc: Incident, s: Symptom, now: number): void {
    inc.symptoms.push(s);
    inc.at = Math.min(inc.at, s.since);
    inc.lastFiring = now;
    inc.timeline.push({
      at: now,
      actor: SYSTEM,
      action: 'symptom',
      message: msg('IncidentSymptomAdded', { symptom: describe(s) }),
    });
  }

  private record(obs: Observation, graph: CityGraph, symptoms: readonly Symptom[], at: number, now: number) {
    const pre = this.opts.demarcation.preSeconds ?? PRE_DEFAULT;
    const history = this.opts.demarcation.historySeconds ?? 3600;
    return recordInput(obs, graph, symptoms, at, at - pre - history, now);
  }
}

function verdictKey(r: DemarcationResult): string {
  return `${r.verdict.kind}|${r.verdict.subject?.kind ?? ''}|${r.verdict.subject?.name ?? ''}`;
}

/** A symptom in a few words: `component shop/db latency`, `node n1 event NodeNotReady`. */
export function describe(s: Symptom): string {
  return `${s.on} ${s.name} ${s.signal}${s.detail !== undefined ? ` ${s.detail}` : ''}`;
}

/** The departments an incident touches: of its symptoms' components, and of the components in its input. */
function departments(inc: Incident, obs: Observation): string[] {
  const byComponent = new Map(obs.components.map((c) => [c.name, c.department]));
  const out = new Set<string>();
  for (const s of inc.symptoms) if (s.on === 'component' && byComponent.has(s.name)) out.add(byComponent.get(s.name)!);
  if (out.size === 0) for (const c of inc.input.components) out.add(c.department);
  return [...out].sort();
}

function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
