/**
 * Kubernetes Events as the scheduler and kubelets record them (core/v1 Event): one per (object, reason, message),
 * its count and lastTimestamp moved on repetition, as client-go's event recorder aggregates.
 */
import { randomBytes } from 'node:crypto';
import { def, quietly, type Any } from './controller-kit.ts';
import { nowTime, type Registry } from './registry.ts';

export const EVENTS = def('v1', 'Event');

export interface EventNote {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  /** Which part of Kubernetes writes it: default-scheduler, kubelet … */
  readonly component: string;
}

/** Records an event about `object` (anything with kind, metadata.namespace, name and uid) in its namespace. */
export function recordEvent(registry: Registry, object: Any, note: EventNote): void {
  const ns = object.metadata?.namespace as string | undefined;
  if (ns === undefined) return;
  const kind = String(object.kind ?? 'Pod');
  const name = String(object.metadata.name);
  const now = nowTime();
  quietly(() => {
    for (const e of registry.store.scan(EVENTS) as Iterable<Any>) {
      if (e.metadata.namespace !== ns || e.involvedObject?.kind !== kind || e.involvedObject?.name !== name) continue;
      if (e.reason !== note.reason || e.message !== note.message) continue;
      const next = structuredClone(e);
      next.count = (e.count ?? 1) + 1;
      next.lastTimestamp = now;
      registry.update(EVENTS, ns, e.metadata.name, next, { manager: note.component });
      return;
    }
    registry.create(
      EVENTS,
      ns,
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace: ns },
        involvedObject: {
          apiVersion: String(object.apiVersion ?? 'v1'),
          kind,
          namespace: ns,
          name,
          uid: object.metadata.uid,
        },
        type: note.type,
        reason: note.reason,
        message: note.message,
        source: { component: note.component },
        reportingComponent: note.component,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
      },
      { manager: note.component },
    );
  });
}
