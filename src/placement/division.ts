import { apportion } from './apportion.ts';
import type { PlacementPolicy } from './types.ts';

/** What one component's division needs, with clusters as indexes (see Eligibility). */
export interface DivisionInput {
  readonly replicas: number;
  readonly policy: PlacementPolicy;
  /** Clusters eligible for normal placement, name order, and their static weights (weighted only). */
  readonly primary: readonly number[];
  readonly weights?: readonly number[];
  /** Usable overflow clusters, declared order. */
  readonly overflow: readonly number[];
  /** Replicas of this component that fit on cluster i now (its own current replicas given back). */
  readonly room: (i: number) => number;
  /** Replicas of this component on cluster i now. */
  readonly current: (i: number) => number;
  /** The spread group of cluster i (region, vendor or zone), when the policy spreads. */
  readonly groupOf?: (i: number) => string;
  /** Where ties in capacity division start (a hash of the application key), so small applications spread out. */
  readonly tieStart: number;
  /** What this component may still hold on burst clusters (what the application's other components left). */
  readonly burst?: BurstBudget;
}

/** The rest of an application's burst allowance, and which clusters it covers at what cost per replica. */
export interface BurstBudget {
  readonly replicas: number;
  readonly yuanPerHour: number;
  /** Whether cluster i is a burst cluster (the allowance covers it). */
  readonly covers: (i: number) => boolean;
  /** Yuan per hour of one replica of this component on cluster i. */
  readonly cost: (i: number) => number;
}

export interface DivisionResult {
  /** Replicas per primary cluster, aligned with `primary`. */
  readonly primary: readonly number[];
  /** Replicas per overflow cluster, aligned with `overflow`. */
  readonly overflow: readonly number[];
  /** Room per primary cluster as the division saw it (after maxPerCluster), for reasons. */
  readonly cap: readonly number[];
  readonly unplaced: number;
  /** Of the unplaced, those an overflow cluster had room for but the burst allowance refused. */
  readonly burstHeldBack: number;
}

/**
 * Divides one component's replicas. Sticky: replicas stay where they are while their cluster stays eligible and
 * holds them; scaling up only adds, scaling down takes overflow first (last declared first), then from the clusters
 * holding the most. Overflow is used only for what the eligible clusters cannot hold, and it is handed back as soon
 * as they can.
 */
export function divide(input: DivisionInput): DivisionResult {
  const { replicas, policy, primary } = input;
  const max = policy.maxPerCluster ?? Infinity;
  const m = primary.length;
  const cap = new Array<number>(m);
  const kept = new Array<number>(m);
  let held = 0;
  let spare = 0;
  for (let j = 0; j < m; j++) {
    const i = primary[j]!;
    cap[j] = Math.min(input.room(i), max);
    kept[j] = Math.min(input.current(i), cap[j]!);
    held += kept[j]!;
    spare += cap[j]! - kept[j]!;
  }

  if (policy.division === 'duplicated') {
    const counts = cap.map((c) => Math.min(replicas, c));
    const short = m === 0 ? replicas : counts.reduce((s, c) => s + replicas - c, 0);
    return { primary: counts, overflow: input.overflow.map(() => 0), cap, unplaced: short, burstHeldBack: 0 };
  }

  if (replicas <= held) {
    const counts = shrink(kept, replicas, floors(input, kept, cap));
    return { primary: counts, overflow: input.overflow.map(() => 0), cap, unplaced: 0, burstHeldBack: 0 };
  }

  const added = Math.min(replicas - held, spare);
  const lower = raiseLowerBounds(input, kept, cap, added);
  const weight = policy.division === 'weighted' ? input.weights! : cap;
  const counts = apportion(held + added, weight, lower, cap, policy.division === 'capacity' ? input.tieStart : 0);
  const rest = replicas - held - added;
  const { out: overflow, heldBack } = divideOverflow(input, rest, max);
  const onOverflow = overflow.reduce((s, c) => s + c, 0);
  return { primary: counts, overflow, cap, unplaced: rest - onOverflow, burstHeldBack: heldBack };
}

/**
 * Lower bounds for scaling up: what each cluster keeps, then one replica for every spread group that has none (when
 * there are at least as many replicas as groups), then minPerCluster in name order, all within the `added` budget.
 */
function raiseLowerBounds(input: DivisionInput, kept: number[], cap: number[], added: number): number[] {
  const lower = kept.slice();
  let budget = added;
  const { policy } = input;
  if (input.groupOf && budget > 0) {
    const groups = spreadGroups(input, cap);
    if (input.replicas >= groups.size) {
      for (const members of groups.values()) {
        if (budget === 0) break;
        if (members.some((j) => lower[j]! > 0)) continue;
        const j = largest(members, (k) => (policy.division === 'weighted' ? input.weights![k]! : cap[k]!));
        lower[j]!++;
        budget--;
      }
    }
  }
  for (let j = 0; j < lower.length && budget > 0 && policy.minPerCluster > 0; j++) {
    const need = Math.min(policy.minPerCluster, cap[j]!) - lower[j]!;
    if (need <= 0) continue;
    const give = Math.min(need, budget);
    lower[j]! += give;
    budget -= give;
  }
  return lower;
}

/** Spread groups among the primary clusters that have room for at least one replica, members in name order. */
function spreadGroups(input: DivisionInput, cap: readonly number[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let j = 0; j < cap.length; j++) {
    if (cap[j]! < 1) continue;
    const g = input.groupOf!(input.primary[j]!);
    const members = groups.get(g);
    if (members) members.push(j);
    else groups.set(g, [j]);
  }
  return groups;
}

/** The member with the largest value; the first in name order on ties. */
function largest(members: readonly number[], value: (j: number) => number): number {
  let best = members[0]!;
  for (const j of members) if (value(j) > value(best)) best = j;
  return best;
}

/**
 * What scaling down may not take: minPerCluster (as far as the replicas allow) and, when there are at least as many
 * replicas as spread groups, the last replica of each group that holds one.
 */
function floors(input: DivisionInput, kept: readonly number[], cap: readonly number[]): number[] {
  const spread = new Array<number>(kept.length).fill(0);
  if (input.groupOf) {
    const groups = spreadGroups(input, cap);
    if (input.replicas >= groups.size)
      for (const members of groups.values()) {
        const j = largest(members, (k) => kept[k]!);
        if (kept[j]! > 0) spread[j] = 1;
      }
  }
  const min = input.policy.minPerCluster;
  const both = kept.map((k, j) => Math.max(spread[j]!, Math.min(k, min)));
  if (sum(both) <= input.replicas) return both;
  if (sum(spread) <= input.replicas) return spread;
  return spread.fill(0);
}

/**
 * Cuts the clusters holding the most down to a common level until `target` remain, never below `floor`. Of clusters
 * at the level, the later names give up the last replica, so earlier names keep the extra one as in apportion.
 */
export function shrink(kept: readonly number[], target: number, floor: readonly number[]): number[] {
  const at = (level: number) => {
    let s = 0;
    for (let j = 0; j < kept.length; j++) s += Math.max(floor[j]!, Math.min(kept[j]!, level));
    return s;
  };
  let lo = 0;
  let hi = Math.max(0, ...kept);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(mid) >= target) hi = mid;
    else lo = mid + 1;
  }
  const level = lo;
  if (level === 0) return floor.slice();
  const out = kept.map((k, j) => Math.max(floor[j]!, Math.min(k, level - 1)));
  let left = target - sum(out);
  for (let j = 0; j < out.length && left > 0; j++) {
    if (kept[j]! >= level && out[j]! < level) {
      out[j]!++;
      left--;
    }
  }
  return out;
}

/**
 * Overflow holds `rest` replicas: it keeps what it holds, shrinking from the last declared cluster, and grows in
 * declared order. On burst clusters it holds no more than the burst allowance: what is beyond it is taken back
 * from the last declared cluster first, and growth stops where the allowance ends (`heldBack` counts what room
 * there was beyond it).
 */
function divideOverflow(input: DivisionInput, rest: number, max: number): { out: number[]; heldBack: number } {
  const k = input.overflow.length;
  const out = new Array<number>(k);
  const cap = new Array<number>(k);
  const b = input.burst;
  const covered = new Array<boolean>(k);
  const cost = new Array<number>(k);
  let held = 0;
  let burstReplicas = 0;
  let burstYuan = 0;
  for (let j = 0; j < k; j++) {
    const i = input.overflow[j]!;
    cap[j] = Math.min(input.room(i), max);
    out[j] = Math.min(input.current(i), cap[j]!);
    held += out[j]!;
    covered[j] = b !== undefined && b.covers(i);
    cost[j] = covered[j] ? b!.cost(i) : 0;
    if (covered[j]) {
      burstReplicas += out[j]!;
      burstYuan += out[j]! * cost[j]!;
    }
  }
  const over = () => b !== undefined && (burstReplicas > b.replicas || burstYuan > b.yuanPerHour + EPSILON);
  for (let j = k - 1; j >= 0 && (held > rest || over()); j--) {
    while (out[j]! > 0 && (held > rest || (covered[j] && over()))) {
      out[j]!--;
      held--;
      if (covered[j]) {
        burstReplicas--;
        burstYuan -= cost[j]!;
      }
    }
  }
  let heldBack = 0;
  for (let j = 0; j < k && held < rest; j++) {
    let add = Math.min(cap[j]! - out[j]!, rest - held);
    if (covered[j]) {
      const want = add;
      add = Math.min(add, b!.replicas - burstReplicas);
      if (cost[j]! > 0) add = Math.min(add, Math.floor((b!.yuanPerHour - burstYuan) / cost[j]! + EPSILON));
      add = Math.max(0, add);
      heldBack += want - add;
      burstReplicas += add;
      burstYuan += add * cost[j]!;
    }
    out[j]! += add;
    held += add;
  }
  return { out, heldBack: Math.min(heldBack, rest - held) };
}

/** Money is compared to a thousandth of a fen: a budget spent exactly is not over. */
const EPSILON = 1e-5;

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
