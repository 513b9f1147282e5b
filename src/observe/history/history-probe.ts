import type { Sample } from './signals.ts';

/** One application component the sampler records, as the store names it. */
export interface ComponentTarget {
  readonly tenant: string;
  readonly app: string;
  readonly namespace: string;
  readonly component: string;
}

/** Where the sampler reads the present value of every signal: the simulated cloud, or real clusters. */
export interface HistoryProbe {
  /**
   * The samples of `targets` and of the clusters and nodes now; never throws (a part it cannot read is left out).
   * `pause`, when given, is a checkpoint (loop-slices.ts `slicer`) a probe that reads in process may await between
   * targets, so a sampling of ten thousand components does not hold the event loop in one stretch.
   */
  sample(targets: readonly ComponentTarget[], pause?: () => Promise<void> | undefined): Promise<Sample[]>;
}

/** The labels of a component series. */
export function componentLabels(name: string, t: ComponentTarget): Record<string, string> {
  return { __name__: name, tenant: t.tenant, app: t.app, namespace: t.namespace, component: t.component };
}
