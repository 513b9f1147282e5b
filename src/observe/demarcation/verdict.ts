import { msg, type Message } from '../../kernel/messages/index.ts';
import { DEFAULT_OPTIONS, type DemarcationInput, type DemarcationOptions, type SignalKind } from './input.ts';
import { rankCandidates, type Candidate, type SeriesEvidence } from './rank.ts';
import { SIGNAL_RULES } from './signals.ts';

/** Who should act on the incident. */
export type Owner =
  | { readonly team: 'platform' }
  | { readonly team: 'department'; readonly department: string; readonly vendor?: string }
  | { readonly team: 'publisher'; readonly publisher: string };

export interface Verdict {
  /** 基础设施 / 应用 / 共享依赖, or undetermined when nothing moved beyond its usual variation. */
  readonly kind: 'infrastructure' | 'application' | 'shared-dependency' | 'undetermined';
  readonly owner: Owner;
  /** The culprit: a cluster or node (with vendor and region), or a component (with application and revision). */
  readonly subject?: {
    /** `network`: the path from `caller` to the component `name` (calls lost or slowed between them). */
    readonly kind: 'component' | 'node' | 'cluster' | 'network';
    readonly name: string;
    readonly caller?: string;
    readonly cluster?: string;
    readonly vendor?: string;
    readonly region?: string;
    readonly application?: string;
    readonly department?: string;
    readonly revision?: string;
  };
  readonly reason: Message;
  readonly ownerText: Message;
}

export interface RankedCandidate extends Candidate {
  readonly rank: number;
  /** The evidence as coded messages, strongest first. */
  readonly reasons: readonly Message[];
}

export interface DemarcationResult {
  readonly verdict: Verdict;
  readonly candidates: readonly RankedCandidate[];
  /** The parameters used, so a replay uses the same. */
  readonly options: DemarcationOptions;
}

/** Evidence messages per candidate: at most this many series. */
const MAX_SERIES_REASONS = 5;

/**
 * The demarcation verdict of an incident and its ranked root-cause candidates. A pure, deterministic function of
 * its recorded input (./input.ts): no clock, no I/O; the same input in any order gives the same output.
 */
export function demarcate(input: DemarcationInput, options: Partial<DemarcationOptions> = {}): DemarcationResult {
  const opts: DemarcationOptions = { ...DEFAULT_OPTIONS, ...options };
  const ranked = rankCandidates(input, opts);
  const candidates = ranked.map((c, i) => ({ ...c, rank: i + 1, reasons: reasonsOf(c, input.at) }));
  return { verdict: verdictOf(input, ranked[0]), candidates, options: opts };
}

function verdictOf(input: DemarcationInput, top: Candidate | undefined): Verdict {
  const platform = { team: 'platform' } as const;
  if (!top)
    return {
      kind: 'undetermined',
      owner: platform,
      reason: msg('VerdictUndetermined'),
      ownerText: ownerText(platform),
    };
  const clusters = new Map((input.clusters ?? []).map((c) => [c.name, c]));
  if (top.subject.kind === 'node' || top.subject.kind === 'cluster') {
    const clusterName =
      top.subject.kind === 'cluster'
        ? top.subject.name
        : (input.nodes ?? []).find((n) => n.name === top.subject.name)?.cluster;
    const cluster = clusterName !== undefined ? clusters.get(clusterName) : undefined;
    return {
      kind: 'infrastructure',
      owner: platform,
      subject: {
        kind: top.subject.kind,
        name: top.subject.name,
        ...(clusterName !== undefined ? { cluster: clusterName } : {}),
        ...(cluster?.vendor !== undefined ? { vendor: cluster.vendor } : {}),
        ...(cluster?.region !== undefined ? { region: cluster.region } : {}),
      },
      reason:
        top.subject.kind === 'node'
          ? msg('VerdictNode', { node: top.subject.name, cluster: clusterName ?? '?' })
          : msg('VerdictCluster', { cluster: top.subject.name }),
      ownerText: ownerText(platform),
    };
  }
  const c = input.components.find((x) => x.name === top.subject.name)!;
  const caller = networkCaller(input, top);
  if (caller !== undefined)
    return {
      kind: 'infrastructure',
      owner: platform,
      subject: { kind: 'network', name: c.name, caller },
      reason: msg('VerdictNetwork', { from: caller, to: c.name }),
      ownerText: ownerText(platform),
    };
  const subject = {
    kind: 'component' as const,
    name: c.name,
    application: c.application,
    department: c.department,
    ...(c.revision !== undefined ? { revision: c.revision } : {}),
  };
  if (c.publisher !== undefined) {
    const owner = { team: 'publisher', publisher: c.publisher } as const;
    return {
      kind: 'shared-dependency',
      owner,
      subject,
      reason: msg('VerdictSharedInstance', { component: c.name, publisher: c.publisher }),
      ownerText: ownerText(owner),
    };
  }
  const owner: Owner = { team: 'department', department: c.department, ...(c.vendor ? { vendor: c.vendor } : {}) };
  if (input.scope && input.scope.department !== c.department) {
    return {
      kind: 'shared-dependency',
      owner,
      subject,
      reason: msg('VerdictSharedService', { component: c.name, department: c.department }),
      ownerText: ownerText(owner),
    };
  }
  const rollout = [...top.evidence.changes].reverse().find((ch) => ch.kind === 'rollout' && ch.revision !== undefined);
  return {
    kind: 'application',
    owner,
    subject: rollout ? { ...subject, revision: rollout.revision! } : subject,
    reason: rollout
      ? msg('VerdictApplicationRevision', {
          component: c.name,
          application: c.application,
          revision: rollout.revision!,
          minutes: minutesBefore(input.at, rollout.at),
        })
      : msg('VerdictApplication', { component: c.name, application: c.application }),
    ownerText: ownerText(owner),
  };
}

/**
 * The caller, when a component is blamed for what its callers saw of their calls to it while it reported itself
 * healthy (its own latency and errors measured and at most a quarter as anomalous, its load and CPU only falling as
 * fewer calls arrive; no event, no change, no restart): the calls were lost or slowed between the two, on the
 * network (or in a proxy on the way), not in it.
 */
function networkCaller(input: DemarcationInput, top: Candidate): string | undefined {
  const ev = top.evidence;
  if (ev.events.length > 0 || ev.changes.length > 0) return undefined;
  const edges = ev.series.filter((e) => e.peer === top.subject.name && e.name !== top.subject.name);
  if (edges.length === 0) return undefined;
  const edgeMax = Math.max(...edges.map((e) => e.contribution));
  // What the callers saw of their calls to it, in the signal's unit: the largest rise of the calls' latency (errors).
  const edgeRise = (signal: SignalKind): number =>
    Math.max(0, ...edges.filter((e) => e.signal === signal).map((e) => e.after - e.before));
  // Its own evidence may only be what its callers' traffic does to it (the load it serves moves either way as calls
  // are lost or retried, CPU with it), or far weaker served or CPU signals: nothing a fault in it would show. Weaker
  // in strength, or in size: a callee that reports 2 % of its requests failing cannot be why 50 % of the calls to it
  // fail, however unusual 2 % is for it.
  const own = ev.series.filter((e) => !edges.includes(e));
  const healthy = own.every(
    (e) =>
      !e.silent &&
      (SIGNAL_RULES[e.signal].role === 'load' ||
        ((e.signal === 'latency' || e.signal === 'errors') &&
          (e.contribution < 0.25 * edgeMax || e.after - e.before < 0.25 * edgeRise(e.signal))) ||
        (e.signal === 'cpu' && (e.after < e.before || e.contribution < 0.25 * edgeMax))),
  );
  if (!healthy) return undefined;
  const pods = new Set((input.pods ?? []).filter((p) => p.component === top.subject.name).map((p) => p.name));
  const reported = input.series.some(
    (s) =>
      (s.signal === 'latency' || s.signal === 'errors') &&
      ((s.on === 'component' && s.name === top.subject.name) || (s.on === 'pod' && pods.has(s.name))) &&
      s.points.some(([t, v]) => t >= input.at && v !== null),
  );
  if (!reported) return undefined;
  const strongest = [...edges].sort((a, b) => b.contribution - a.contribution)[0]!;
  const pod = (input.pods ?? []).find((p) => p.name === strongest.name);
  return pod?.component ?? strongest.name;
}

function ownerText(o: Owner): Message {
  if (o.team === 'platform') return msg('OwnerPlatformTeam');
  if (o.team === 'publisher') return msg('OwnerPublisher', { publisher: o.publisher });
  return o.vendor !== undefined
    ? msg('OwnerDepartmentVendor', { department: o.department, vendor: o.vendor })
    : msg('OwnerDepartment', { department: o.department });
}

/** Whole minutes from `then` to `at` (negative when after). */
function minutesBefore(at: number, then: number): number {
  return Math.round((at - then) / 60);
}

/** Three significant digits: evidence is read by people. */
export function sig(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(3)) : v;
}

function signalLabel(e: SeriesEvidence): string {
  const q = e.quantile !== undefined ? ` p${Math.round(e.quantile * 1000) / 10}` : '';
  return `${e.signal}${q}${e.variant !== undefined ? ` ${e.variant}` : ''}`;
}

function reasonsOf(c: Candidate, at: number): Message[] {
  const out: Message[] = [];
  const ev = c.evidence;
  if (ev.spread && ev.spread.components.length > 0)
    out.push(
      msg('EvidenceSpread', {
        subject: c.subject.name,
        anomalous: ev.spread.anomalousPods,
        pods: ev.spread.pods,
        components: ev.spread.components.join(', '),
      }),
    );
  for (const ch of ev.changes)
    out.push(
      ch.kind === 'rollout' && ch.revision !== undefined
        ? msg('EvidenceRollout', { component: ch.component, revision: ch.revision, minutes: minutesBefore(at, ch.at) })
        : msg('EvidenceConfigChange', { component: ch.component, minutes: minutesBefore(at, ch.at) }),
    );
  for (const e of ev.series.slice(0, MAX_SERIES_REASONS)) {
    const base = { subject: e.name, signal: signalLabel(e) };
    const unit = SIGNAL_RULES[e.signal].unit;
    if (e.silent) out.push(msg('EvidenceSilent', base));
    else if (e.explained)
      out.push(
        msg('EvidenceSeriesExplained', {
          ...base,
          before: sig(e.before),
          after: sig(e.after),
          unit,
          explained: sig(e.explained.amount),
          by: e.explained.by,
          z: sig(e.z),
        }),
      );
    else out.push(msg('EvidenceSeries', { ...base, before: sig(e.before), after: sig(e.after), unit, z: sig(e.z) }));
  }
  for (const e of ev.events) out.push(msg('EvidenceEvent', { subject: e.name, reason: e.reason }));
  if (c.subject.kind === 'component' && ev.path.length > 1)
    out.push(msg('EvidencePath', { path: ev.path.join(' → ') }));
  return out;
}
