import { msg, type Message } from '../../kernel/messages/index.ts';
import { percentileProfile, type Sample } from './percentile-profile.ts';
import { riskOf, worse, type Risk } from './risk.ts';
import { MAX_RISK_SHARE } from './vpa-constants.ts';
import { VpaRecommender, type OomReport, type Requests } from './vpa-recommender.ts';

/** Yuan per core-hour and per GiB-hour of requests (a cluster's price list, or a flat price given as input). */
export interface Prices {
  readonly cpuCoreHour: number;
  readonly memoryGiBHour: number;
}

/** What the recommender reads of one component: its requests and the use of one replica over time. */
export interface ComponentHistory {
  readonly component: string;
  readonly replicas: number;
  /** Requests of one replica now. */
  readonly current: Requests;
  /** Sampling interval of `cpu` and `memory`. */
  readonly stepMs: number;
  /** Cores used by one replica, time order. */
  readonly cpu: readonly Sample[];
  /** Bytes used by one replica, time order; may be empty (the memory request is then kept). */
  readonly memory: readonly Sample[];
  /** OOM kills, with the memory request each one saw. */
  readonly ooms?: readonly { readonly at: number; readonly requestBytes: number }[];
}

/** One candidate for a component's requests, priced and measured on its own history. */
export interface SizingOption {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  readonly yuanPerMonth: number;
  readonly risk: Risk;
}

export type Profile = 'vpa' | 'percentile' | 'current';

export interface Recommendation {
  readonly component: string;
  readonly replicas: number;
  readonly current: SizingOption;
  readonly vpa: SizingOption;
  readonly percentile: SizingOption;
  /** What polis recommends: the cheaper of the two profiles whose risk is at most 1%, else the safer one. */
  readonly recommended: SizingOption & { readonly profile: Profile };
  /** current − recommended, yuan a month for all replicas (negative: the component needs more). */
  readonly savingYuanPerMonth: number;
  readonly oom: OomReport;
  /** Why a figure is held or worth a look (no history, OOM loop …), coded. */
  readonly notes: readonly Message[];
}

/** Hours in a month as billing counts them: 365 × 24 / 12. */
export const HOURS_PER_MONTH = 730;
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** Yuan a month of `replicas` replicas of `r` at `prices`, to the fen. */
export function monthlyCost(r: Requests, replicas: number, prices: Prices): number {
  const perHour = (r.cpuMilli / 1000) * prices.cpuCoreHour + (r.memoryBytes / GIB) * prices.memoryGiBHour;
  return Math.round(perHour * replicas * HOURS_PER_MONTH * 100) / 100;
}

/** Whole millicores and whole MiB, rounded up (what a manifest can say). */
export function roundRequests(r: Requests): Requests {
  return { cpuMilli: Math.ceil(r.cpuMilli - 1e-9), memoryBytes: Math.ceil(r.memoryBytes / MIB - 1e-9) * MIB };
}

/** The VPA's target after feeding it the whole history (see VpaRecommender). */
export function vpaTarget(h: ComponentHistory, opts: { guardOomLoop?: boolean } = {}): { r: Requests; oom: OomReport } {
  const vpa = new VpaRecommender(opts);
  const ooms = [...(h.ooms ?? [])];
  let o = 0;
  const requestCores = h.current.cpuMilli / 1000;
  let m = 0;
  for (const s of h.cpu) {
    for (; m < h.memory.length && h.memory[m]!.at <= s.at; m++) vpa.addMemory(h.memory[m]!.at, h.memory[m]!.value);
    for (; o < ooms.length && ooms[o]!.at <= s.at; o++) vpa.recordOom(ooms[o]!.at, ooms[o]!.requestBytes);
    vpa.addCpu(s.at, s.value, requestCores);
  }
  for (; m < h.memory.length; m++) vpa.addMemory(h.memory[m]!.at, h.memory[m]!.value);
  for (; o < ooms.length; o++) vpa.recordOom(ooms[o]!.at, ooms[o]!.requestBytes);
  return { r: roundRequests(vpa.target(h.current)), oom: vpa.oom };
}

/** Crane's percentile profile for both resources; a resource without samples keeps the current request. */
export function percentileTarget(h: ComponentHistory, nowMs: number): Requests {
  const cpu = percentileProfile(h.cpu, nowMs);
  const memory = percentileProfile(h.memory, nowMs);
  return roundRequests({
    cpuMilli: Number.isFinite(cpu) ? cpu * 1000 : h.current.cpuMilli,
    memoryBytes: Number.isFinite(memory) ? memory : h.current.memoryBytes,
  });
}

function option(h: ComponentHistory, r: Requests, prices: Prices): SizingOption {
  const cpuRisk = riskOf(h.cpu, r.cpuMilli / 1000, h.stepMs);
  const memoryRisk = riskOf(h.memory, r.memoryBytes, h.stepMs);
  return { ...r, yuanPerMonth: monthlyCost(r, h.replicas, prices), risk: worse(cpuRisk, memoryRisk) };
}

/**
 * polis's recommendation for one component at `nowMs`: the VPA's target and Crane's percentile profile, each
 * priced at `prices` and replayed on the component's own history (violation minutes); the cheaper of those whose
 * share of violation minutes is at most MAX_RISK_SHARE is recommended, else the one with the fewer. Pure.
 */
export function recommend(h: ComponentHistory, prices: Prices, nowMs: number): Recommendation {
  const notes: Message[] = [];
  const current = option(h, h.current, prices);
  if (h.cpu.length === 0) {
    notes.push(msg('RightsizingNoHistory', { component: h.component }));
    const same = { ...current, profile: 'current' as const };
    return {
      component: h.component,
      replicas: h.replicas,
      current,
      vpa: current,
      percentile: current,
      recommended: same,
      savingYuanPerMonth: 0,
      oom: { seen: 0, bumps: 0, loop: false },
      notes,
    };
  }
  if (h.memory.length === 0) notes.push(msg('RightsizingNoMemoryHistory', { component: h.component }));
  const { r: vpaR, oom } = vpaTarget(h);
  if (oom.loop) notes.push(msg('RightsizingOomLoop', { component: h.component, kills: oom.seen, bumps: oom.bumps }));
  const vpa = option(h, vpaR, prices);
  const pct = option(h, percentileTarget(h, nowMs), prices);
  const safe = [vpa, pct].filter((o) => o.risk.share <= MAX_RISK_SHARE);
  const pick =
    safe.length > 0
      ? safe.reduce((a, b) => (b.yuanPerMonth < a.yuanPerMonth ? b : a))
      : pct.risk.share <= vpa.risk.share
        ? pct
        : vpa;
  const profile: Profile = pick === vpa ? 'vpa' : 'percentile';
  return {
    component: h.component,
    replicas: h.replicas,
    current,
    vpa,
    percentile: pct,
    recommended: { ...pick, profile },
    savingYuanPerMonth: Math.round((current.yuanPerMonth - pick.yuanPerMonth) * 100) / 100,
    oom,
    notes,
  };
}
