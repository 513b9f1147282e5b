import { placeAll } from '../../placement/planner.ts';
import { DEFAULT_PLACEMENT_POLICY } from '../../placement/placement-policy.ts';
import type { ClusterCandidate, PlacementRequest } from '../../placement/types.ts';
import { recommend, type Prices } from '../rightsizing/recommendation.ts';
import { MAX_RISK_SHARE } from '../rightsizing/vpa-constants.ts';
import type { UtilizationRow } from './utilization-csv.ts';

/** One node of the shared pool the estate would move to. */
export interface NodeShape {
  readonly cores: number;
  readonly memoryBytes: number;
  /** Most pods on a node (kubelet maxPods, 110 by default). */
  readonly pods?: number;
}

/** What one sizing of the estate needs. */
export interface Sizing {
  readonly cores: number;
  readonly memoryBytes: number;
  /** Nodes of the given shape that hold that much (cores and memory both; a lower bound, no packing loss). */
  readonly nodes: number;
}

export interface ConsolidationPlan {
  readonly vms: number;
  readonly samples: number;
  readonly node: NodeShape;
  /** Each VM at its size, as the estate runs now. */
  readonly dedicated: Sizing;
  /** Each VM at its own peak (CPU and memory), the best that sizing VM by VM can do. */
  readonly sumOfPeaks: Sizing;
  /** polis: each VM rightsized (src/operations/rightsizing) and placed by polis's placement onto shared nodes. */
  readonly consolidated: Sizing & {
    /** VM-minutes in which a VM's node had more use than capacity (CPU or memory), over all VM-minutes. */
    readonly violationShare: number;
    readonly violationMinutes: number;
    readonly minutes: number;
    /** Node counts tried, in order, with their violation share (-1: placement could not place every VM). */
    readonly tried: readonly {
      readonly nodes: number;
      readonly violationShare: number;
      readonly profile: RequestProfile;
    }[];
    /** Which of the recommender's profiles sized the VMs in the chosen plan. */
    readonly profile: RequestProfile;
    /** VMs per node in the chosen plan. */
    readonly vmsPerNode: Readonly<Record<string, number>>;
  };
  /** dedicated.nodes / consolidated.nodes. */
  readonly fewerNodesThanDedicated: number;
}

/** The recommender's profile a plan sized the VMs with. */
export type RequestProfile = 'recommended' | 'vpa';

interface Vm {
  readonly name: string;
  readonly sizeCores: number;
  readonly sizeMemoryBytes: number;
  readonly at: number[];
  readonly cpu: number[];
  readonly memory: number[];
}

/** Prices only rank the recommendation's candidates here: any list with CPU and memory both priced will do. */
const RANKING_PRICES: Prices = { cpuCoreHour: 0.2, memoryGiBHour: 0.03 };

function byVm(rows: readonly UtilizationRow[]): Vm[] {
  const map = new Map<string, Vm & { at: number[]; cpu: number[]; memory: number[] }>();
  for (const r of rows) {
    let v = map.get(r.vm);
    if (!v)
      map.set(
        r.vm,
        (v = { name: r.vm, sizeCores: r.sizeCores, sizeMemoryBytes: r.sizeMemoryBytes, at: [], cpu: [], memory: [] }),
      );
    v.at.push(r.at);
    v.cpu.push(r.cpuCores);
    v.memory.push(r.memoryBytes);
  }
  for (const v of map.values()) {
    const order = v.at.map((_, i) => i).sort((a, b) => v.at[a]! - v.at[b]!);
    v.at = order.map((i) => v.at[i]!);
    v.cpu = order.map((i) => v.cpu[i]!);
    v.memory = order.map((i) => v.memory[i]!);
  }
  return [...map.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The commonest gap between samples (the sampling step), 5 minutes when there is one sample. */
function stepOf(vms: readonly Vm[]): number {
  const gaps = new Map<number, number>();
  for (const v of vms)
    for (let i = 1; i < v.at.length; i++)
      gaps.set(v.at[i]! - v.at[i - 1]!, (gaps.get(v.at[i]! - v.at[i - 1]!) ?? 0) + 1);
  const top = [...gaps].filter(([g]) => g > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  return top ? top[0] : 300_000;
}

function nodesFor(cores: number, memoryBytes: number, node: NodeShape): number {
  return Math.max(1, Math.ceil(cores / node.cores - 1e-9), Math.ceil(memoryBytes / node.memoryBytes - 1e-9));
}

function nodeName(i: number): string {
  return `node-${String(i + 1).padStart(4, '0')}`;
}

/**
 * A consolidation plan for an estate of VMs not yet on polis (issue 17, point 5). Each VM is rightsized by polis's
 * recommender on its own history (capped at its size; the recommended profile and the VPA target are both tried, the
 * plan needing fewer nodes wins), then polis's placement (src/placement placeAll, the
 * government default policy: replicas divided by free capacity) places the VMs, largest first, on N nodes of the
 * given shape. The plan replays every instant: a VM is in violation at an instant when its node's summed use
 * exceeds the node's CPU or memory. N starts at what the requests need and grows until the share of violating
 * VM-minutes is at most `maxViolationShare` (1%). Pure.
 */
export function consolidationPlan(
  rows: readonly UtilizationRow[],
  node: NodeShape,
  opts: { maxViolationShare?: number } = {},
): ConsolidationPlan {
  const limit = opts.maxViolationShare ?? MAX_RISK_SHARE;
  const vms = byVm(rows);
  const stepMs = stepOf(vms);
  const dedicatedCores = vms.reduce((s, v) => s + v.sizeCores, 0);
  const dedicatedMemory = vms.reduce((s, v) => s + v.sizeMemoryBytes, 0);
  const peakCores = vms.reduce((s, v) => s + Math.max(0, ...v.cpu), 0);
  const peakMemory = vms.reduce((s, v) => s + Math.max(0, ...v.memory), 0);
  const nowMs = Math.max(...vms.map((v) => v.at[v.at.length - 1]!));

  const recs = vms.map((v) =>
    recommend(
      {
        component: v.name,
        replicas: 1,
        current: { cpuMilli: v.sizeCores * 1000, memoryBytes: v.sizeMemoryBytes },
        stepMs,
        cpu: v.at.map((at, i) => ({ at, value: v.cpu[i]! })),
        memory: v.at.map((at, i) => ({ at, value: v.memory[i]! })),
      },
      RANKING_PRICES,
      nowMs,
    ),
  );
  const capped = (pick: (r: (typeof recs)[number]) => { cpuMilli: number; memoryBytes: number }) =>
    recs.map((r, i) => ({
      cpuMilli: Math.min(pick(r).cpuMilli, vms[i]!.sizeCores * 1000),
      memoryBytes: Math.min(pick(r).memoryBytes, vms[i]!.sizeMemoryBytes),
    }));

  // Instants on one grid, for the replay.
  const instants = [...new Set(vms.flatMap((v) => v.at))].sort((a, b) => a - b);
  const slot = new Map(instants.map((t, i) => [t, i]));
  const search = (requests: readonly { cpuMilli: number; memoryBytes: number }[], profile: RequestProfile) => {
    const reqCores = requests.reduce((s, r) => s + r.cpuMilli / 1000, 0);
    const reqMemory = requests.reduce((s, r) => s + r.memoryBytes, 0);
    const order = vms
      .map((_, i) => i)
      .sort(
        (a, b) =>
          requests[b]!.cpuMilli / (node.cores * 1000) +
            requests[b]!.memoryBytes / node.memoryBytes -
            (requests[a]!.cpuMilli / (node.cores * 1000) + requests[a]!.memoryBytes / node.memoryBytes) || a - b,
      );

    const attempt = (n: number) => {
      const clusters: ClusterCandidate[] = Array.from({ length: n }, (_, i) => ({
        name: nodeName(i),
        vendor: 'estate',
        region: 'estate',
        zone: 'estate',
        networkZone: 'estate',
        role: 'primary',
        labels: {},
        healthy: true,
        free: { cpuMilli: node.cores * 1000, memoryBytes: node.memoryBytes, pods: node.pods ?? 110 },
      }));
      const reqs: PlacementRequest[] = order.map((i) => ({
        key: vms[i]!.name,
        policyFor: () => DEFAULT_PLACEMENT_POLICY,
        components: [{ name: 'vm', replicas: 1, perReplica: { ...requests[i]!, pods: 1 } }],
        current: {},
      }));
      const decisions = placeAll(reqs, clusters);
      const nodeOf = new Array<number>(vms.length).fill(-1);
      const index = new Map(clusters.map((c, i) => [c.name, i]));
      for (let k = 0; k < decisions.length; k++) {
        const placed = Object.entries(decisions[k]!.components.vm!.replicas).find(([, r]) => r > 0);
        if (!placed) return undefined;
        nodeOf[order[k]!] = index.get(placed[0])!;
      }
      const cpu = new Float64Array(n * instants.length);
      const mem = new Float64Array(n * instants.length);
      for (let i = 0; i < vms.length; i++) {
        const v = vms[i]!;
        const base = nodeOf[i]! * instants.length;
        for (let j = 0; j < v.at.length; j++) {
          const s = base + slot.get(v.at[j]!)!;
          cpu[s]! += v.cpu[j]!;
          mem[s]! += v.memory[j]!;
        }
      }
      let violating = 0;
      let total = 0;
      for (let i = 0; i < vms.length; i++) {
        const v = vms[i]!;
        const base = nodeOf[i]! * instants.length;
        for (let j = 0; j < v.at.length; j++) {
          const s = base + slot.get(v.at[j]!)!;
          total++;
          if (cpu[s]! > node.cores + 1e-9 || mem[s]! > node.memoryBytes) violating++;
        }
      }
      const perNode: Record<string, number> = {};
      for (const k of nodeOf) perNode[nodeName(k)] = (perNode[nodeName(k)] ?? 0) + 1;
      return { violating, total, perNode };
    };

    const tried: { nodes: number; violationShare: number }[] = [];
    let n = nodesFor(reqCores, reqMemory, node);
    const ceiling = Math.max(n, nodesFor(dedicatedCores, dedicatedMemory, node), vms.length);
    let chosen: { n: number; violating: number; total: number; perNode: Record<string, number> } | undefined;
    for (; n <= ceiling; n++) {
      const r = attempt(n);
      const share = r ? r.violating / Math.max(1, r.total) : -1;
      tried.push({ nodes: n, violationShare: share });
      if (r && share <= limit) {
        chosen = { n, ...r };
        break;
      }
    }
    chosen ??= { n: ceiling, violating: 0, total: 0, perNode: {} };
    return { ...chosen, tried, reqCores, reqMemory, profile };
  };
  // The recommended profile (≤ 1% risk VM by VM) and the VPA target (p90 + 15%; a VM bursts above its request up to
  // its size, as a pod does up to its limit): the plan takes whichever needs fewer nodes within the limit.
  const plans = [
    search(
      capped((r) => r.recommended),
      'recommended',
    ),
    search(
      capped((r) => r.vpa),
      'vpa',
    ),
  ];
  const best = plans.reduce((x, y) => (y.n < x.n || (y.n === x.n && y.violating < x.violating) ? y : x));
  const chosen = best;
  const tried = plans.flatMap((p) => p.tried.map((t) => ({ ...t, profile: p.profile })));
  const stepMinutes = stepMs / 60_000;
  const dedicatedNodes = nodesFor(dedicatedCores, dedicatedMemory, node);
  return {
    vms: vms.length,
    samples: rows.length,
    node,
    dedicated: { cores: dedicatedCores, memoryBytes: dedicatedMemory, nodes: dedicatedNodes },
    sumOfPeaks: { cores: peakCores, memoryBytes: peakMemory, nodes: nodesFor(peakCores, peakMemory, node) },
    consolidated: {
      cores: chosen.reqCores,
      memoryBytes: chosen.reqMemory,
      profile: chosen.profile,
      nodes: chosen.n,
      violationShare: chosen.total > 0 ? chosen.violating / chosen.total : 0,
      violationMinutes: chosen.violating * stepMinutes,
      minutes: chosen.total * stepMinutes,
      tried,
      vmsPerNode: chosen.perNode,
    },
    fewerNodesThanDedicated: dedicatedNodes / chosen.n,
  };
}
