import { createHash } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import { stableName } from '../kernel/names.ts';
import { NotFoundError } from '../kernel/errors.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { EventSpec } from './event-kind.ts';

export interface EventInput {
  readonly tenant: string;
  readonly involved: { readonly kind: string; readonly name: string; readonly apiVersion?: string };
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly cluster?: string;
}

/** Event names are stable per (object, reason, message, cluster), so a repeat raises the count of one Event. */
export function eventName(e: EventInput): string {
  const hash = createHash('sha256')
    .update([e.involved.kind, e.involved.name, e.reason, e.message, e.cluster ?? ''].join('\u0000'))
    .digest('hex')
    .slice(0, 10);
  return stableName([e.involved.name, hash]);
}

/** Writes Events for one controller. Failures to record are the caller's to log; they never fail a reconcile. */
export class EventRecorder {
  private readonly resources: ResourceService;
  private readonly clock: Clock;
  private readonly component: string;
  constructor(deps: { resources: ResourceService; clock: Clock; component: string }) {
    this.resources = deps.resources;
    this.clock = deps.clock;
    this.component = deps.component;
  }

  async record(e: EventInput): Promise<void> {
    const name = eventName(e);
    const now = this.clock.now().toISOString();
    const ctx = { actor: `system:${this.component}`, requestId: `event-${name}` };
    let current: StoredObject | undefined;
    try {
      current = await this.resources.get('Event', e.tenant, name);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    if (current) {
      const spec = current.spec as EventSpec;
      await this.resources.patch(
        ctx,
        { kind: 'Event', tenant: e.tenant, name },
        { spec: { count: spec.count + 1, lastTimestamp: now } },
      );
      return;
    }
    const spec: EventSpec = {
      involvedObject: { ...e.involved },
      type: e.type,
      reason: e.reason,
      message: e.message.slice(0, 2000),
      source: { component: this.component, ...(e.cluster ? { cluster: e.cluster } : {}) },
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
    };
    await this.resources.create(ctx, {
      apiVersion: 'polis.io/v1',
      kind: 'Event',
      metadata: { name, tenant: e.tenant, labels: { 'polis.io/involved-kind': e.involved.kind } },
      spec,
    });
  }

  /** Deletes Events last seen before `olderThanMs` ago; returns how many. */
  async prune(olderThanMs: number): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - olderThanMs).toISOString();
    const ctx = { actor: `system:${this.component}`, requestId: 'event-prune' };
    let removed = 0;
    let cont: string | undefined;
    do {
      const page = await this.resources.list({ kind: 'Event', limit: 500, continue: cont });
      for (const ev of page.items) {
        if ((ev.spec as EventSpec).lastTimestamp >= cutoff) continue;
        try {
          await this.resources.delete(ctx, { kind: 'Event', tenant: ev.metadata.tenant ?? '', name: ev.metadata.name });
          removed++;
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }
      cont = page.continue;
    } while (cont);
    return removed;
  }
}
