import type { EventRecorder } from '../events/event-recorder.ts';
import type { EventSpec } from '../events/event-kind.ts';
import { msg } from '../kernel/messages/index.ts';
import type { ChangeEvent } from '../resources/store.ts';

/** The reason of the Event that asks an application's owner to deliver it again. */
export const REDELIVERY_REASON = 'RedeliveryRequested';

/**
 * Where the marketplace (on the leader) asks for an application to be delivered again: at once by this replica's
 * delivery when it handles the application (one process, or its own shard), else through the store, so that the
 * replica owning it hears of it from the change feed (an Event on the Application, reason `RedeliveryRequested`)
 * instead of at its next full resync.
 */
export class RedeliveryRelay {
  readonly #deps: RedeliveryRelayDeps;

  constructor(deps: RedeliveryRelayDeps) {
    this.#deps = deps;
  }

  redeliver(tenant: string, application: string): void {
    const { shard, enqueue, events } = this.#deps;
    if (!shard || shard.owns(tenant, application)) {
      enqueue(tenant, application);
      return;
    }
    void events.record({
      tenant,
      involved: { kind: 'Application', name: application, apiVersion: 'core.oam.dev/v1beta1' },
      type: 'Normal',
      reason: REDELIVERY_REASON,
      detail: msg('MarketRedeliveryRequested', { application }),
    });
  }
}

export interface RedeliveryRelayDeps {
  /** Which applications this replica's delivery handles (absent: every one). */
  readonly shard?: { owns(tenant: string, name: string): boolean };
  readonly enqueue: (tenant: string, application: string) => void;
  /** Where the request for another replica is written (the leader's, fenced by its term). */
  readonly events: EventRecorder;
}

/** The application (`tenant/name`) a change-feed event asks to deliver again, if it is such a request. */
export function redeliveryRequested(e: ChangeEvent): string | undefined {
  if (e.type === 'DELETED' || e.object.kind !== 'Event') return undefined;
  const spec = e.object.spec as Partial<EventSpec> | undefined;
  if (spec?.reason !== REDELIVERY_REASON || spec.involvedObject?.kind !== 'Application') return undefined;
  return `${e.object.metadata.tenant ?? ''}/${spec.involvedObject.name}`;
}
