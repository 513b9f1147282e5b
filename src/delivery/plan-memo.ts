import { hash } from 'node:crypto';
import type { PlanInput, PlanResult } from './desired-state.ts';

/** The last plan of one application and the digest of the inputs it was made from. */
export interface PlanMemo {
  readonly digest: string;
  readonly result: PlanResult;
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
 * change elsewhere may let it render).
 */
export function memoPlan(
  memo: PlanMemo | undefined,
  input: PlanInput,
  candidatesKey: string,
  plan: (input: PlanInput) => PlanResult,
): { readonly result: PlanResult; readonly memo: PlanMemo | undefined; readonly reused: boolean } {
  const digest = planInputDigest(input, candidatesKey);
  if (memo?.digest === digest) return { result: memo.result, memo, reused: true };
  const result = plan(input);
  return { result, memo: result.ok ? { digest, result } : undefined, reused: false };
}
