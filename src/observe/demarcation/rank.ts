import { changeOf, cleanPoints, scaleAt, type SeriesChange } from './change.ts';
import type { DemarcationInput, DemarcationOptions, Series, SignalKind } from './input.ts';
import { SIGNAL_RULES } from './signals.ts';

/** A series' part in a candidate's score. */
export interface SeriesEvidence {
  readonly on: Series['on'];
  readonly name: string;
  readonly signal: SignalKind;
  readonly quantile?: number;
  readonly variant?: string;
  /** For a call edge: the callee. */
  readonly peer?: string;
  readonly before: number;
  /** NaN when the series fell silent. */
  readonly after: number;
  /** Robust standard deviations in the bad direction, after what the callees explain. */
  readonly z: number;
  /** The part of the rise that the callees' rise explains (callers wait on callees), in the signal's unit. */
  readonly explained?: { readonly by: string; readonly amount: number };
  readonly silent: boolean;
  /** What it adds to the score (weight × strength). */
  readonly contribution: number;
}

export interface CandidateEvidence {
  readonly series: readonly SeriesEvidence[];
  readonly events: readonly {
    readonly at: number;
    readonly on: Series['on'];
    readonly name: string;
    readonly reason: string;
  }[];
  readonly changes: readonly {
    readonly at: number;
    readonly component: string;
    readonly revision?: string;
    readonly kind: 'rollout' | 'config' | 'scale';
  }[];
  /** Callers to the candidate whose latency or errors rose with it (the way the fault travelled), ending at it. */
  readonly path: readonly string[];
  /** For a node or a cluster: the components anomalous on it. */
  readonly spread?: { readonly components: readonly string[]; readonly pods: number; readonly anomalousPods: number };
}

export interface Candidate {
  readonly subject: { readonly kind: 'component' | 'node' | 'cluster'; readonly name: string };
  readonly score: number;
  readonly evidence: CandidateEvidence;
}

/** Strength of a silence (a series that stopped reporting) and of one warning event, in units of strength. */
const SILENT_STRENGTH = 1;
const EVENT_STRENGTH = 1;
/** A component that changed (rollout, configuration) shortly before: changes cause most incidents. */
const CHANGE_FACTOR = 2;
/** A pod counts towards a node's spread with at least one unit of evidence (one signal well past the threshold). */
const ANOMALOUS = 1;

/** A component's request rate: the baseline's median, its noise scale and the samples by time. */
interface Traffic {
  readonly before: number;
  readonly scale: number;
  readonly at: ReadonlyMap<number, number>;
}

/**
 * The largest deviation of a load-driven series after `at` from what its traffic predicts at the same moment
 * (`before × traffic(t) / traffic before`), in the bad direction, in robust standard deviations of the prediction:
 * the series' own noise at the predicted level together with the traffic measurement's, scaled to the prediction
 * (a rate four times higher scatters four times as much, and a noisy traffic sample makes a noisy prediction).
 * `own` is the deviation at that moment, in the signal's unit. Undefined when no sample lines up with a traffic
 * sample (nothing to compare with).
 */
function ownBeyondTraffic(
  change: SeriesChange,
  traffic: Traffic,
  at: number,
  opts: DemarcationOptions,
): { own: number; z: number } | undefined {
  const bad = SIGNAL_RULES[change.series.signal].bad;
  let worst: { own: number; z: number } | undefined;
  for (const [t, v] of cleanPoints(change.series)) {
    if (t < at || t > at + opts.postSeconds) continue;
    const load = traffic.at.get(t);
    if (load === undefined) continue;
    const expected = (change.before * load) / traffic.before;
    const d = bad === 'up' ? v - expected : bad === 'down' ? expected - v : Math.abs(v - expected);
    const noise = Math.hypot(scaleAt(change, expected), (Math.abs(expected) * traffic.scale) / traffic.before);
    const z = d / noise;
    if (worst === undefined || z > worst.z) worst = { own: d, z };
  }
  return worst === undefined ? undefined : { own: Math.max(0, worst.own), z: Math.max(0, worst.z) };
}

/** Signals that move with the traffic a subject serves (their change is discounted by the request rate's). */
const LOAD_DRIVEN: ReadonlySet<SignalKind> = new Set<SignalKind>(['cpu', 'network', 'io']);

/** How strongly a z-score says "anomalous": 0 up to the threshold, then logarithmic so one huge z cannot drown the rest. */
export function strength(z: number, threshold: number): number {
  return z > threshold ? Math.log1p(z - threshold) : 0;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const seriesKey = (s: Series): string =>
  `${s.on}\u0000${s.name}\u0000${s.signal}\u0000${s.quantile ?? ''}\u0000${s.variant ?? ''}\u0000${s.peer ?? ''}`;

interface Located {
  readonly change: SeriesChange;
  readonly component?: string;
  readonly pod?: string;
  readonly node?: string;
  readonly cluster?: string;
}

/** Ranks the components, nodes and clusters that may have caused what began at `input.at`. Pure and deterministic. */
export function rankCandidates(input: DemarcationInput, opts: DemarcationOptions): Candidate[] {
  const at = input.at;
  const pods = new Map((input.pods ?? []).map((p) => [p.name, p]));
  const nodes = new Map((input.nodes ?? []).map((n) => [n.name, n]));
  const components = [...new Set(input.components.map((c) => c.name))].sort(byName);
  const known = new Set(components);
  const callees = new Map<string, string[]>();
  const callers = new Map<string, string[]>();
  for (const e of input.edges ?? []) {
    if (!known.has(e.from) || !known.has(e.to) || e.from === e.to) continue;
    (callees.get(e.from) ?? callees.set(e.from, []).get(e.from)!).push(e.to);
    (callers.get(e.to) ?? callers.set(e.to, []).get(e.to)!).push(e.from);
  }
  for (const m of [callees, callers]) for (const [k, v] of m) m.set(k, [...new Set(v)].sort(byName));

  // Every series' change, located; sorted so that the input order never matters.
  const located: Located[] = [];
  for (const s of [...input.series].sort((a, b) => byName(seriesKey(a), seriesKey(b)))) {
    const change = changeOf(s, at, opts);
    if (!change) continue;
    if (s.on === 'component' && known.has(s.name)) located.push({ change, component: s.name });
    else if (s.on === 'pod' && pods.has(s.name) && known.has(pods.get(s.name)!.component))
      located.push({ change, component: pods.get(s.name)!.component, pod: s.name });
    else if (s.on === 'node') located.push({ change, node: s.name, cluster: nodes.get(s.name)?.cluster });
    else if (s.on === 'cluster') located.push({ change, cluster: s.name });
  }

  // The largest rise of each signal per component and per pod (what callers see of it, what it sees of its callees).
  const rise = new Map<string, number>();
  const riseKey = (who: string, signal: SignalKind): string => `${who}\u0000${signal}`;
  for (const l of located) {
    if (!l.component || l.change.silent) continue;
    for (const who of l.pod ? [l.component, `pod:${l.pod}`] : [l.component]) {
      const k = riseKey(who, l.change.series.signal);
      rise.set(k, Math.max(rise.get(k) ?? 0, l.change.delta));
    }
  }

  // Each component's and each pod's request rate: its level before the onset and its samples by time. A pod's own
  // traffic predicts its load-driven signals better than its component's: replicas need not share the load evenly.
  const trafficOf = new Map<string, Traffic>();
  for (const l of located) {
    const sr = l.change.series;
    if (sr.signal !== 'requests' || !l.component || l.change.silent || l.change.before <= 0) continue;
    const who = sr.on === 'component' ? l.component : l.pod ? `pod:${l.pod}` : undefined;
    if (who !== undefined)
      trafficOf.set(who, {
        before: l.change.before,
        scale: l.change.scale,
        at: new Map(cleanPoints(sr).map(([t, v]) => [t, v])),
      });
  }

  const evidenceOf = (l: Located): SeriesEvidence => {
    const rule = SIGNAL_RULES[l.change.series.signal];
    let z = l.change.z;
    let explained: SeriesEvidence['explained'];
    if (rule.explainedBy && l.component && l.change.delta > 0) {
      // A caller's latency (errors) includes its callees': only the rise beyond theirs is its own.
      let by = '';
      let amount = 0;
      // A pod without outbound series of its own makes the calls its component's outbound series measure.
      const outbound =
        (l.pod ? rise.get(riseKey(`pod:${l.pod}`, rule.explainedBy)) : undefined) ??
        rise.get(riseKey(l.component, rule.explainedBy)) ??
        0;
      if (outbound > amount) [by, amount] = ['outbound', outbound];
      for (const callee of callees.get(l.component) ?? []) {
        const r = rise.get(riseKey(callee, l.change.series.signal)) ?? 0;
        if (r > amount) [by, amount] = [callee, r];
      }
      if (amount > 0) {
        // What is left is judged at the level the callees explain: a share of 20 % scatters more than one of 0.2 %.
        explained = { by, amount: Math.min(amount, l.change.delta) };
        z = (l.change.delta - explained.amount) / scaleAt(l.change, l.change.before + explained.amount);
      }
    }
    if (LOAD_DRIVEN.has(l.change.series.signal) && l.component && !l.change.silent) {
      // CPU, network and I/O follow the traffic served: only the part beyond what the request rate's change
      // predicts at the same moment (the level before times the traffic then over the traffic before) is its own.
      // A pod's series follow the pod's own request rate where it is measured, else its component's.
      const traffic = (l.pod ? trafficOf.get(`pod:${l.pod}`) : undefined) ?? trafficOf.get(l.component);
      const own = traffic ? ownBeyondTraffic(l.change, traffic, at, opts) : undefined;
      if (own !== undefined) {
        const amount = Math.max(0, l.change.delta - own.own);
        if (amount > 0) {
          explained = { by: 'requests', amount };
          z = own.z;
        }
      }
    }
    const s = l.change.series;
    const contribution = rule.weight * (l.change.silent ? SILENT_STRENGTH : strength(z, opts.threshold));
    return {
      on: s.on,
      name: s.name,
      signal: s.signal,
      ...(s.quantile !== undefined ? { quantile: s.quantile } : {}),
      ...(s.variant !== undefined ? { variant: s.variant } : {}),
      ...(s.peer !== undefined ? { peer: s.peer } : {}),
      before: l.change.before,
      after: l.change.after,
      z,
      ...(explained ? { explained } : {}),
      silent: l.change.silent,
      contribution,
    };
  };

  /**
   * A call edge whose latency (errors) rose beyond what its callee's own served latency (errors) shows: the time is
   * lost at the callee's side or on the network to it (a network delay, a callee's sidecar), so it is the callee's
   * evidence, counted as its served signal.
   */
  const edgeEvidence = (l: Located, peer: string): SeriesEvidence | undefined => {
    if (l.change.silent || l.change.delta <= 0) return undefined;
    const served: SignalKind = l.change.series.signal === 'outboundLatency' ? 'latency' : 'errors';
    const calleeRise = Math.max(0, rise.get(riseKey(peer, served)) ?? 0);
    const explained = Math.min(calleeRise, l.change.delta);
    // Judged at the baseline's noise, not at the explained level as a component's own rise is: measured that way, the
    // edge lost three of Online Boutique's network delays (bench/rca-nezha) and gained nothing on the simulated city.
    const z = (l.change.delta - explained) / l.change.scale;
    const s = l.change.series;
    return {
      on: s.on,
      name: s.name,
      signal: served,
      ...(s.quantile !== undefined ? { quantile: s.quantile } : {}),
      peer,
      before: l.change.before,
      after: l.change.after,
      z,
      ...(explained > 0 ? { explained: { by: peer, amount: explained } } : {}),
      silent: false,
      contribution: SIGNAL_RULES[served].weight * strength(z, opts.threshold),
    };
  };

  /** Score of a set of series: per signal kind the strongest, summed over kinds in a fixed order. */
  const scoreOf = (evs: readonly SeriesEvidence[]): number => {
    const best = new Map<SignalKind, number>();
    for (const e of evs) best.set(e.signal, Math.max(best.get(e.signal) ?? 0, e.contribution));
    let sum = 0;
    for (const k of [...best.keys()].sort(byName)) sum += best.get(k)!;
    return sum;
  };

  const from = at - opts.preSeconds;
  const to = at + opts.postSeconds;
  const events = [...(input.events ?? [])]
    .filter((e) => e.at >= from && e.at <= to)
    .sort((a, b) => a.at - b.at || byName(a.on + a.name + a.reason, b.on + b.name + b.reason));
  const eventScore = (evs: readonly { reason: string }[]): number =>
    EVENT_STRENGTH * new Set(evs.map((e) => e.reason)).size;

  const evByComponent = new Map<string, SeriesEvidence[]>();
  const evByPod = new Map<string, SeriesEvidence[]>();
  const evByNode = new Map<string, SeriesEvidence[]>();
  const evByCluster = new Map<string, SeriesEvidence[]>();
  const push = (m: Map<string, SeriesEvidence[]>, k: string, e: SeriesEvidence): void => {
    (m.get(k) ?? m.set(k, []).get(k)!).push(e);
  };
  for (const l of located) {
    const e = evidenceOf(l);
    const peer = l.change.series.peer;
    if (
      l.component &&
      peer !== undefined &&
      known.has(peer) &&
      SIGNAL_RULES[l.change.series.signal].role === 'outbound'
    ) {
      const edge = edgeEvidence(l, peer);
      if (edge) push(evByComponent, peer, edge);
    }
    if (l.component) push(evByComponent, l.component, e);
    if (l.pod) push(evByPod, l.pod, e);
    if (l.node) push(evByNode, l.node, e);
    else if (l.cluster) push(evByCluster, l.cluster, e);
  }

  // Components.
  const podsOf = new Map<string, string[]>();
  for (const p of [...pods.values()].sort((a, b) => byName(a.name, b.name)))
    (podsOf.get(p.component) ?? podsOf.set(p.component, []).get(p.component)!).push(p.name);
  const componentScore = new Map<string, number>();
  const out: Candidate[] = [];
  const anomalousLatency = new Set<string>();
  for (const l of located)
    if (l.component && SIGNAL_RULES[l.change.series.signal].explainedBy && l.change.z >= opts.threshold)
      anomalousLatency.add(l.component);
  for (const c of components) {
    const series = (evByComponent.get(c) ?? []).filter((e) => e.contribution > 0);
    const mine = new Set([c, ...(podsOf.get(c) ?? [])]);
    const evs = events.filter((e) => (e.on === 'component' || e.on === 'pod') && mine.has(e.name));
    const changes = [...(input.changes ?? [])]
      .filter(
        (ch) => ch.component === c && ch.kind !== 'scale' && ch.at >= at - opts.changeLookbackSeconds && ch.at <= to,
      )
      .sort((a, b) => a.at - b.at || byName(a.revision ?? '', b.revision ?? ''));
    let score = scoreOf(series) + eventScore(evs);
    if (score > 0 && changes.length > 0) score *= CHANGE_FACTOR;
    componentScore.set(c, score);
    if (score <= 0) continue;
    out.push({
      subject: { kind: 'component', name: c },
      score,
      evidence: { series: sortEvidence(series), events: evs, changes, path: pathTo(c, callers, anomalousLatency) },
    });
  }

  // Nodes: a common cause of several unrelated components' anomalies on the same node, or the node's own signals.
  // A pod measured only after the onset (a replacement, rescheduled from a failed node) has no baseline: it is a
  // consequence, not a victim of the node it landed on. Only a pod with no series at all borrows its component's score.
  const measured = new Set(input.series.filter((s) => s.on === 'pod').map((s) => s.name));
  const podScore = (p: string): number => {
    const own = evByPod.get(p);
    const evs = events.filter((e) => e.on === 'pod' && e.name === p);
    if (own) return scoreOf(own) + eventScore(evs);
    return measured.has(p) ? eventScore(evs) : (componentScore.get(pods.get(p)!.component) ?? 0);
  };
  const allPods = [...pods.values()].filter((p) => p.node !== undefined).sort((a, b) => byName(a.name, b.name));
  const anomalousPod = new Map(allPods.map((p) => [p.name, podScore(p.name)]));
  const localTo = nodeLocalComponents(allPods, anomalousPod, evByPod);
  const totalMass = [...anomalousPod.values()].filter((v) => v >= ANOMALOUS).reduce((a, b) => a + b, 0);
  const nodeNames = [...new Set([...nodes.keys(), ...allPods.map((p) => p.node!)])].sort(byName);
  const nodeScore = new Map<string, number>();
  const localComponents = new Set<string>();
  for (const n of nodeNames) {
    const here = allPods.filter((p) => p.node === n);
    // A caller whose callee is more anomalous than itself is that callee's echo, not a second victim of the node.
    // …and a component whose replicas on other nodes are as sick is no victim of this one: its fault is its own.
    const bad = here.filter(
      (p) =>
        anomalousPod.get(p.name)! >= ANOMALOUS &&
        !(callees.get(p.component) ?? []).some(
          (d) => (componentScore.get(d) ?? 0) > (componentScore.get(p.component) ?? 0),
        ) &&
        !allPods.some(
          (q) =>
            q.component === p.component &&
            q.node !== n &&
            evByPod.has(q.name) &&
            anomalousPod.get(q.name)! >= ANOMALOUS,
        ),
    );
    const badComponents = [...new Set(bad.map((p) => p.component))].sort(byName);
    // A node's fault reaches most of its pods: at least two independent components, and half its pods.
    const spreadOk = badComponents.length >= 2 && 2 * bad.length >= here.length;
    // How much more anomalous the node's pods are than the others, on average (1: only here; 0: no more than elsewhere).
    const elsewhere = allPods.length - here.length;
    const massHere = bad.reduce((a, p) => a + anomalousPod.get(p.name)!, 0);
    const meanHere = here.length > 0 ? massHere / here.length : 0;
    const meanElse = elsewhere > 0 ? (totalMass - massHere) / elsewhere : 0;
    const concentration = meanHere > 0 ? Math.max(0, (meanHere - meanElse) / meanHere) : 0;
    let spread = 0;
    if (spreadOk) {
      // Only what the components share counts for the node: each counts up to the second strongest (as a cluster
      // gains from its nodes). One component far sicker than the rest, whose others carry only noise, stays its own.
      const perComponent = new Map<string, number>();
      for (const p of bad)
        perComponent.set(p.component, Math.max(perComponent.get(p.component) ?? 0, anomalousPod.get(p.name)!));
      spread = sharedPart([...perComponent.values()]) * concentration;
    }
    // Components whose replicas suffer here and nowhere else: what they share is this node, not their code.
    const local = [...(localTo.get(n)?.keys() ?? [])].sort(byName);
    const readiness = (evByNode.get(n) ?? []).some((e) => e.contribution > 0 && (e.silent || e.signal === 'nodeReady'));
    const evs = events.filter((e) => e.on === 'node' && e.name === n);
    const localOk = local.length >= 2 || (local.length === 1 && (readiness || evs.length > 0));
    if (localOk)
      spread = Math.max(
        spread,
        local.reduce((a, c) => a + localTo.get(n)!.get(c)!, 0),
      );
    // A node's CPU or memory rising with one pod's is that pod's doing: they count only with a spread, or when no
    // pod on it rose in the same resource (then what uses it is outside the pods: the node's own).
    const podRose = (signal: SignalKind): boolean =>
      here.some((p) =>
        (evByPod.get(p.name) ?? []).some((e) => e.signal === signal && e.contribution > 0 && e.after > e.before),
      );
    const series = (evByNode.get(n) ?? []).filter(
      (e) =>
        e.contribution > 0 &&
        (spreadOk ||
          localOk ||
          e.silent ||
          e.signal === 'nodeReady' ||
          (e.signal === 'nodeCpu' && !podRose('cpu')) ||
          (e.signal === 'nodeMemory' && !podRose('memory'))),
    );
    const score = scoreOf(series) + eventScore(evs) + spread;
    if (localOk && score > 0) for (const c of local) localComponents.add(c);
    nodeScore.set(n, score);
    if (score <= 0) continue;
    out.push({
      subject: { kind: 'node', name: n },
      score,
      evidence: {
        series: sortEvidence(series),
        events: evs,
        changes: [],
        path: [nodes.get(n)?.cluster, n].filter((x): x is string => x !== undefined),
        spread: {
          components: [...new Set([...badComponents, ...(localOk ? local : [])])].sort(byName),
          pods: here.length,
          anomalousPods: localOk
            ? here.filter(
                (p) => bad.includes(p) || (local.includes(p.component) && anomalousPod.get(p.name)! >= ANOMALOUS),
              ).length
            : bad.length,
        },
      },
    });
  }
  // A component whose anomaly is confined to the replicas on one failing node counts for the share of its replicas
  // affected: its replicas elsewhere show its code and configuration are sound.
  for (const i of out.keys()) {
    const c = out[i]!;
    if (c.subject.kind !== 'component' || !localComponents.has(c.subject.name)) continue;
    const mine = allPods.filter((p) => p.component === c.subject.name && evByPod.has(p.name));
    const sick = mine.filter((p) => anomalousPod.get(p.name)! >= ANOMALOUS).length;
    if (mine.length > 0) out[i] = { ...c, score: (c.score * sick) / mine.length };
  }

  // Clusters: unreachable, or several of their nodes at once.
  const clusterNames = [
    ...new Set([...(input.clusters ?? []).map((c) => c.name), ...[...nodes.values()].map((n) => n.cluster)]),
  ].sort(byName);
  for (const cl of clusterNames) {
    const myNodes = nodeNames.filter((n) => nodes.get(n)?.cluster === cl);
    const badNodes = myNodes.filter((n) => nodeScore.get(n)! > 0);
    // Several nodes at once: only what they share counts for the cluster, the second strongest node's score on each
    // of them. A fault in one node (its score far above the rest, which carry only noise) stays that node's.
    let fromNodes = 0;
    if (badNodes.length >= 2) {
      fromNodes = sharedPart(badNodes.map((n) => nodeScore.get(n)!)) * (badNodes.length / myNodes.length);
    }
    const series = (evByCluster.get(cl) ?? []).filter((e) => e.contribution > 0);
    const evs = events.filter((e) => e.on === 'cluster' && e.name === cl);
    const score = scoreOf(series) + eventScore(evs) + fromNodes;
    if (score <= 0) continue;
    const here = allPods.filter((p) => p.node !== undefined && myNodes.includes(p.node));
    const bad = here.filter((p) => anomalousPod.get(p.name)! >= ANOMALOUS);
    out.push({
      subject: { kind: 'cluster', name: cl },
      score,
      evidence: {
        series: sortEvidence(series),
        events: evs,
        changes: [],
        path: [cl],
        spread: {
          components: [...new Set(bad.map((p) => p.component))].sort(byName),
          pods: here.length,
          anomalousPods: bad.length,
        },
      },
    });
  }

  const kindOrder = { cluster: 0, node: 1, component: 2 } as const;
  return out.sort(
    (a, b) =>
      b.score - a.score ||
      kindOrder[a.subject.kind] - kindOrder[b.subject.kind] ||
      byName(a.subject.name, b.subject.name),
  );
}

/**
 * Per node, the components whose anomalous replicas (one unit of evidence or more, by their own series) all run on
 * it while at least one replica on another node was measured before and after the onset and stayed normal, with the
 * strongest anomalous replica's score. A fault in a component reaches all its replicas; one in a node only those on it.
 */
function nodeLocalComponents(
  allPods: readonly { name: string; component: string; node?: string }[],
  score: ReadonlyMap<string, number>,
  own: ReadonlyMap<string, readonly SeriesEvidence[]>,
): Map<string, Map<string, number>> {
  const byComponent = new Map<string, { name: string; node: string }[]>();
  for (const p of allPods)
    if (p.node !== undefined && own.has(p.name))
      (byComponent.get(p.component) ?? byComponent.set(p.component, []).get(p.component)!).push({
        name: p.name,
        node: p.node,
      });
  const out = new Map<string, Map<string, number>>();
  for (const [c, ps] of byComponent) {
    const sick = ps.filter((p) => score.get(p.name)! >= ANOMALOUS);
    const nodesSick = new Set(sick.map((p) => p.node));
    if (nodesSick.size !== 1) continue;
    const [n] = nodesSick;
    if (!ps.some((p) => p.node !== n && score.get(p.name)! < ANOMALOUS)) continue;
    const m = out.get(n!) ?? out.set(n!, new Map()).get(n!)!;
    m.set(c, Math.max(...sick.map((p) => score.get(p.name)!)));
  }
  return out;
}

/**
 * What several victims of one common cause share: each one's score up to the second strongest's (a cause that reaches
 * them all shows in all; one far above the rest, which carry only noise, is that one's own fault).
 */
function sharedPart(scores: readonly number[]): number {
  if (scores.length < 2) return 0;
  const second = [...scores].sort((a, b) => b - a)[1]!;
  return scores.reduce((sum, x) => sum + Math.min(x, second), 0);
}

/** Strongest first, then by series identity. */
function sortEvidence(evs: readonly SeriesEvidence[]): SeriesEvidence[] {
  const key = (e: SeriesEvidence): string =>
    `${e.on}\u0000${e.name}\u0000${e.signal}\u0000${e.quantile ?? ''}\u0000${e.variant ?? ''}\u0000${e.peer ?? ''}`;
  return [...evs].sort((a, b) => b.contribution - a.contribution || byName(key(a), key(b)));
}

/**
 * The way the fault travelled to the callers: from the candidate up through callers whose latency or errors rose,
 * to the farthest such caller (shortest path, ties by name), listed caller first.
 */
function pathTo(c: string, callers: ReadonlyMap<string, readonly string[]>, rose: ReadonlySet<string>): string[] {
  const prev = new Map<string, string>([[c, '']]);
  let frontier = [c];
  let last = c;
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const x of frontier)
      for (const up of callers.get(x) ?? [])
        if (!prev.has(up) && rose.has(up)) {
          prev.set(up, x);
          next.push(up);
        }
    next.sort(byName);
    if (next.length > 0) last = next[0]!;
    frontier = next;
  }
  const path = [last];
  while (path[path.length - 1] !== c) path.push(prev.get(path[path.length - 1]!)!);
  return path;
}
