/**
 * The Kubernetes Events one simulated cluster records, as its kubelets and scheduler would (Scheduled,
 * FailedScheduling, Pulling, Failed, BackOff, Started, Unhealthy, Killing, OOMKilling): per namespace, one event per
 * (object, reason, message) whose count grows on repetition, the oldest dropped past a bound.
 */
export interface SimEvent {
  readonly namespace: string;
  readonly name: string;
  readonly involvedObject: { readonly kind: string; readonly name: string };
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  count: number;
  /** Epoch ms. */
  readonly firstTimestamp: number;
  lastTimestamp: number;
}

/** Per namespace: what a cluster keeps (Kubernetes keeps an hour; a bound keeps a crash loop from growing it). */
const MAX_PER_NAMESPACE = 1000;

export class ClusterEvents {
  private readonly byNamespace = new Map<string, Map<string, SimEvent>>();
  private seq = 0;

  /** Records an event at `at` (epoch ms), or counts it again when the same one is already there. */
  record(
    at: number,
    namespace: string,
    involvedObject: { kind: string; name: string },
    type: SimEvent['type'],
    reason: string,
    message: string,
  ): void {
    let ns = this.byNamespace.get(namespace);
    if (!ns) this.byNamespace.set(namespace, (ns = new Map()));
    const key = `${involvedObject.kind}/${involvedObject.name}/${reason}/${message}`;
    const had = ns.get(key);
    if (had) {
      had.count++;
      had.lastTimestamp = at;
      // Map order is recency: the one seen again moves to the end.
      ns.delete(key);
      ns.set(key, had);
      return;
    }
    const name = `${involvedObject.name}.${(at * 1000 + (this.seq++ % 1000)).toString(16)}`;
    ns.set(key, {
      namespace,
      name,
      involvedObject,
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
    });
    if (ns.size > MAX_PER_NAMESPACE) ns.delete(ns.keys().next().value!);
  }

  /** The namespace's events, newest first, at most `limit`, optionally about one object (kind and/or name). */
  list(namespace: string, limit: number, about?: { kind?: string; name?: string }): SimEvent[] {
    const out: SimEvent[] = [];
    const all = [...(this.byNamespace.get(namespace)?.values() ?? [])];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const e = all[i]!;
      if (about?.kind !== undefined && e.involvedObject.kind !== about.kind) continue;
      if (about?.name !== undefined && e.involvedObject.name !== about.name) continue;
      out.push({ ...e });
    }
    return out;
  }

  /** A namespace deleted takes its events. */
  dropNamespace(namespace: string): void {
    this.byNamespace.delete(namespace);
  }
}
