import { createHash } from 'node:crypto';
import type { Clock } from '../kernel/clock.ts';
import { stableName } from '../kernel/names.ts';
import { NotFoundError } from '../kernel/errors.ts';
import type { Message } from '../kernel/messages/index.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { EventSpec } from './event-kind.ts';

export interface EventInput {
  readonly tenant: string;
  readonly involved: { readonly kind: string; readonly name: string; readonly apiVersion?: string };
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  /** What happened, coded: the Event gets its code, params and English message. */
  readonly detail: Message;
  readonly cluster?: string;
}

/** Event names are stable per (object, reason, message, cluster), so a repeat raises the count of one Event. */
export function eventName(e: EventInput): string {
  const hash = createHash('sha256')
    .update([e.involved.kind, e.involved.name, e.reason, e.detail.message, e.cluster ?? ''].join('\u0000'))
    .digest('hex')
    .slice(0, 10);
  return stableName([e.involved.name, hash]);
}

interface Pending {
  readonly input: EventInput;
  times: number;
  first: string;
  last: string;
  readonly waiters: (() => void)[];
}

/**
 * Writes Events for one controller. Events recorded close together are written in one transaction (one durable
 * commit for many reconciles, like Kubernetes' event broadcaster batching), and repeats of one event add to its
 * count. Failures to record are logged, never a reconcile's failure.
 */
export class EventRecorder {
  private readonly resources: ResourceService;
  private readonly clock: Clock;
  private readonly component: string;
  private readonly log?: (msg: string, err?: unknown) => void;
  private pending = new Map<string, Pending>();
  private flushing?: Promise<void>;

  constructor(deps: {
    resources: ResourceService;
    clock: Clock;
    component: string;
    log?: (msg: string, err?: unknown) => void;
  }) {
    this.resources = deps.resources;
    this.clock = deps.clock;
    this.component = deps.component;
    this.log = deps.log;
  }

  /** Queues an event; resolves once it is written (callers need not wait). */
  record(e: EventInput): Promise<void> {
    const key = `${e.tenant}/${eventName(e)}`;
    const now = this.clock.now().toISOString();
    const p = this.pending.get(key);
    const done = new Promise<void>((resolve) => {
      if (p) {
        p.times++;
        p.last = now;
        p.waiters.push(resolve);
      } else this.pending.set(key, { input: e, times: 1, first: now, last: now, waiters: [resolve] });
    });
    this.schedule();
    return done;
  }

  /** Resolves when every event recorded so far is written. */
  async idle(): Promise<void> {
    while (this.flushing || this.pending.size > 0) {
      this.schedule();
      await this.flushing;
    }
  }

  private schedule(): void {
    if (this.flushing || this.pending.size === 0) return;
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flush())
      .finally(() => {
        this.flushing = undefined;
        if (this.pending.size > 0) this.schedule();
      });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const ctx = { actor: `system:${this.component}`, requestId: `events-${this.component}` };
    try {
      const docs = [];
      for (const p of batch.values()) {
        const e = p.input;
        const name = eventName(e);
        let current: StoredObject | undefined;
        try {
          current = await this.resources.get('Event', e.tenant, name);
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
        const before = current?.spec as EventSpec | undefined;
        const spec: EventSpec = {
          involvedObject: { ...e.involved },
          type: e.type,
          reason: e.reason,
          message: e.detail.message.slice(0, 2000),
          code: e.detail.code,
          ...(e.detail.params ? { params: e.detail.params } : {}),
          source: { component: this.component, ...(e.cluster ? { cluster: e.cluster } : {}) },
          count: (before?.count ?? 0) + p.times,
          firstTimestamp: before?.firstTimestamp ?? p.first,
          lastTimestamp: p.last,
        };
        docs.push({
          apiVersion: 'polis.io/v1',
          kind: 'Event',
          metadata: { name, tenant: e.tenant, labels: { 'polis.io/involved-kind': e.involved.kind } },
          spec,
        });
      }
      await this.resources.apply(ctx, docs);
    } catch (err) {
      this.log?.(`${this.component}: ${batch.size} event(s) not recorded`, err);
    } finally {
      for (const p of batch.values()) for (const w of p.waiters) w();
    }
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
