import { hash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ClusterCandidate, ComponentPlacement, ExcludedCluster } from '../placement/types.ts';
import type { DeliveryPlan, PlanInput, PlanResult } from './desired-state.ts';

/**
 * The last plan of one application and the digest of the inputs it was made from. The plan is kept with each
 * component's `excluded` packed (packExcluded) and the clusters' manifests as deflated JSON text: at 300 clusters
 * the excluded notes were nine tenths of a plan's size (about 100 KB of its 110 KB as JSON), and the manifests
 * the rest (about 9.5 KB of JSON, 0.9 KB deflated, for an application of three components on five clusters). A plan
 * kept as planned took about 45 KB of heap; packed, about 6 KB.
 */
export interface PlanMemo {
  readonly digest: string;
  /** The plan, each component's `excluded` left out (empty) when `packed` holds it, and the clusters' manifests. */
  readonly plan: DeliveryPlan;
  readonly packed: Readonly<Record<string, PackedExcluded>>;
  /** The manifests of each cluster (in plan.clusters order), as one deflated JSON text. */
  readonly manifests: Buffer;
}

/**
 * A component's excluded clusters relative to the candidates the plan was made from: for each entry in order, the
 * candidate's index and the index of its note (the entry without its cluster; equal notes shared).
 */
export interface PackedExcluded {
  readonly entries: Uint16Array;
  readonly notes: readonly Omit<ExcludedCluster, 'cluster'>[];
}

/**
 * A digest of everything `planDelivery` reads: every input but the candidates as they are, and in their place
 * `candidatesKey`, which must change whenever the candidates given would (the cluster directory's version, with
 * what the caller changed of them). planDelivery is pure, so equal digests make equal plans: a reconcile whose
 * inputs are those of the last one (a resync of a steady application, a workload change that moves no replica)
 * takes the last plan instead of placing over every cluster and rendering again.
 *
 * JSON text of the inputs: the same object built the same way gives the same text; inputs built in another order
 * give another digest, which costs a plan, never a wrong one.
 */
export function planInputDigest(input: PlanInput, candidatesKey: string): string {
  const { candidates: _candidates, ...rest } = input;
  return hash('sha1', `${candidatesKey}\u0000${JSON.stringify(rest)}`);
}

/**
 * The plan for `input`: the memo's when its digest is the input's, else `plan(input)`, with the memo to keep for the
 * next reconcile (pure). A plan that did not render is not kept (its errors are reported at every reconcile, and a
 * change elsewhere may let it render). The plan answered from a memo is equal to the one kept (a new object each
 * time, sharing the parts nobody changes).
 */
export function memoPlan(
  memo: PlanMemo | undefined,
  input: PlanInput,
  candidatesKey: string,
  plan: (input: PlanInput) => PlanResult,
): { readonly result: PlanResult; readonly memo: PlanMemo | undefined; readonly reused: boolean } {
  const digest = planInputDigest(input, candidatesKey);
  if (memo?.digest === digest) return { result: unpack(memo, input.candidates), memo, reused: true };
  const result = plan(input);
  return { result, memo: result.ok ? pack(digest, result, input.candidates) : undefined, reused: false };
}

function pack(digest: string, plan: DeliveryPlan, candidates: readonly ClusterCandidate[]): PlanMemo {
  const index = new Map(candidates.map((c, i) => [c.name, i]));
  const placement: Record<string, ComponentPlacement> = {};
  const packed: Record<string, PackedExcluded> = {};
  for (const [name, p] of Object.entries(plan.placement)) {
    const done = packExcluded(p.excluded, index);
    if (done) {
      packed[name] = done;
      placement[name] = { ...p, excluded: [] };
    } else placement[name] = p;
  }
  // Deflated at the fastest level: about a tenth of the text, for a small part of a plan's cost.
  const manifests = deflateRawSync(JSON.stringify(plan.clusters.map((cp) => cp.manifests)), { level: 1 });
  const clusters = plan.clusters.map((cp) => ({ ...cp, manifests: [] }));
  return { digest, plan: { ...plan, placement, clusters }, packed, manifests };
}

function unpack(memo: PlanMemo, candidates: readonly ClusterCandidate[]): DeliveryPlan {
  const placement: Record<string, ComponentPlacement> = {};
  for (const [name, p] of Object.entries(memo.plan.placement)) {
    const packed = memo.packed[name];
    placement[name] = packed ? { ...p, excluded: unpackExcluded(packed, candidates) } : p;
  }
  const manifests = JSON.parse(
    inflateRawSync(memo.manifests).toString(),
  ) as DeliveryPlan['clusters'][number]['manifests'][];
  const clusters = memo.plan.clusters.map((cp, i) => ({ ...cp, manifests: manifests[i]! }));
  return { ...memo.plan, placement, clusters };
}

/**
 * `excluded` as candidate indices and shared notes (pure); undefined when it cannot be packed exactly (a cluster
 * that is no candidate, an entry whose cluster is not its first field, too many of them), and is kept as it is.
 */
export function packExcluded(
  excluded: readonly ExcludedCluster[],
  index: ReadonlyMap<string, number>,
): PackedExcluded | undefined {
  if (excluded.length === 0 || index.size > 0xffff) return undefined;
  const entries = new Uint16Array(excluded.length * 2);
  const notes: Omit<ExcludedCluster, 'cluster'>[] = [];
  const noteIndex = new Map<string, number>();
  for (let i = 0; i < excluded.length; i++) {
    const { cluster, ...note } = excluded[i]!;
    const at = index.get(cluster);
    // Rebuilt as { cluster, ...note }: exact only when the cluster came first.
    if (at === undefined || Object.keys(excluded[i]!)[0] !== 'cluster') return undefined;
    const text = JSON.stringify(note);
    let n = noteIndex.get(text);
    if (n === undefined) {
      n = notes.length;
      if (n > 0xffff) return undefined;
      notes.push(note);
      noteIndex.set(text, n);
    }
    entries[2 * i] = at;
    entries[2 * i + 1] = n;
  }
  return { entries, notes };
}

/** The excluded clusters packExcluded packed, given the same candidates (pure). */
export function unpackExcluded(packed: PackedExcluded, candidates: readonly ClusterCandidate[]): ExcludedCluster[] {
  const out: ExcludedCluster[] = new Array(packed.entries.length / 2);
  for (let i = 0; i < out.length; i++)
    out[i] = { cluster: candidates[packed.entries[2 * i]!]!.name, ...packed.notes[packed.entries[2 * i + 1]!]! };
  return out;
}
