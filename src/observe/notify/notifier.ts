import { EventRecorder } from '../../events/event-recorder.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Message } from '../../kernel/messages/index.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { ResourceService } from '../../resources/service.ts';
import type { Store } from '../../resources/store.ts';
import type { AlertStateStore } from '../../resources/alert-state.ts';
import { OBSERVE_API_VERSION, PLATFORM_SPACE } from '../alerts/alert-kinds.ts';
import { parseDuration } from '../alerts/duration.ts';
import type { SendResult, Sender } from './channels/channel.ts';
import { dingtalkSender } from './channels/dingtalk.ts';
import { smsSender } from './channels/sms.ts';
import { emailSender } from './channels/smtp.ts';
import { webhookSender } from './channels/webhook.ts';
import { wecomSender } from './channels/wecom.ts';
import type { Notice } from './notice.ts';
import type { ChannelSpec, ChannelType } from './notify-kinds.ts';
import { renderNotice } from './render.ts';
import { channelTakes, silencedBy } from './routing.ts';

export const SENDERS: Readonly<Record<ChannelType, Sender>> = {
  dingtalk: dingtalkSender,
  wecom: wecomSender,
  email: emailSender,
  sms: smsSender,
  webhook: webhookSender,
};

export type NotificationOutcome = 'sent' | 'failed' | 'silenced' | 'inhibited' | 'unrouted' | 'retrying';

/** One notice's fate on one channel (or before any): what `GET …/notifications` lists. */
export interface NotificationRecord {
  readonly id: number;
  /** ISO time it was settled. */
  readonly at: string;
  /** Whose record it is: the channel's department (or space), else the notice's department. */
  readonly tenant: string;
  readonly notice: {
    readonly kind: Notice['kind'];
    readonly id: string;
    readonly status: Notice['status'];
    readonly severity: Notice['severity'];
    readonly department?: string;
    readonly rule?: string;
    readonly title: Message;
    readonly message: Message;
  };
  readonly outcome: NotificationOutcome;
  /** The reason code (reasons.ts): NotificationSent, NotificationGaveUp, NotificationSilenced … */
  readonly reason: string;
  readonly channel?: string;
  readonly type?: ChannelType;
  readonly attempts: number;
  readonly detail?: Message;
  /** ISO time of the next attempt, while `retrying`. */
  readonly nextRetry?: string;
}

/** What a record still being retried keeps, so that a restarted (or new) leader resumes it. */
interface Resume {
  readonly notice: Notice;
  readonly channel: { readonly tenant: string; readonly name: string };
  /** The back-off before the attempt after the next. */
  readonly delayMs: number;
}

export interface NotifierDeps {
  readonly store: Pick<Store, 'list'>;
  readonly resources: ResourceService;
  readonly clock: Clock;
  /** Loopback and private addresses may be sent to (default false). */
  readonly allowPrivate?: boolean;
  /** Per attempt (default 10 s). */
  readonly timeoutMs?: number;
  /** Records kept (default 10,000; the oldest go first). */
  readonly maxRecords?: number;
  /** How long settled records are kept in the store (default 30 days). */
  readonly retentionMs?: number;
  /** Where records (and retries still owed) are kept across restarts; absent: in memory only. */
  readonly state?: AlertStateStore;
  readonly senders?: Partial<Record<ChannelType, Sender>>;
  readonly log?: (msg: string, err?: unknown) => void;
}

async function listAll(store: Pick<Store, 'list'>, kind: string): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  let cont: string | undefined;
  do {
    const page = await store.list({ kind, limit: 1000, continue: cont });
    out.push(...page.items);
    cont = page.continue;
  } while (cont);
  return out;
}

/**
 * Sends notices (alerts now, incidents later) to the channels that take them: held back and recorded when a dead
 * cluster inhibits the alert or a silence matches it; else rendered in the channel's language and sent, retried
 * with exponential back-off (`spec.retry`: 5 attempts from 2 s by default) on a transient failure. Every outcome is
 * recorded (readable per department) and written as an Event of the channel.
 */
export class Notifier {
  private readonly deps: NotifierDeps;
  private readonly events: EventRecorder;
  private readonly kept: NotificationRecord[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private nextId: Promise<number> | undefined;
  private written = 0;
  private stopped = false;

  constructor(deps: NotifierDeps) {
    this.deps = deps;
    this.events = new EventRecorder({
      resources: deps.resources,
      clock: deps.clock,
      component: 'notifier',
      log: deps.log,
    });
  }

  /** Notifies one notice; resolves with its records once every channel has succeeded or given up. */
  notify(n: Notice): Promise<NotificationRecord[]> {
    const p = this.run(n);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    return p;
  }

  /** Resolves when every notice begun so far is settled and its events written. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.events.idle();
  }

  /** The records of these departments (or all), newest last: from the store when there is one. */
  async records(tenants: 'all' | readonly string[]): Promise<NotificationRecord[]> {
    const state = this.deps.state;
    if (!state) return this.kept.filter((r) => tenants === 'all' || tenants.includes(r.tenant));
    const rows = await state.listNotifications(tenants === 'all' ? {} : { tenants });
    return rows.map((r) => (JSON.parse(r.data) as { record: NotificationRecord }).record);
  }

  /**
   * Resumes the retries a previous leader (or this process before a restart) still owed: each is tried again when
   * its next retry is due, from the attempt it had reached. Called when this replica starts its controllers.
   */
  async start(): Promise<void> {
    this.stopped = false;
    const state = this.deps.state;
    if (!state) return;
    const pending = await state.listNotifications({ pending: true });
    for (const row of pending) {
      const { record, resume } = JSON.parse(row.data) as { record: NotificationRecord; resume?: Resume };
      if (!resume) continue;
      const p = this.resume(record, resume, row.nextRetryAt ?? 0);
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    }
  }

  /** Stops retrying (a replica that lost its term): what is still owed stays recorded for the next leader. */
  stop(): void {
    this.stopped = true;
  }

  private async resume(record: NotificationRecord, resume: Resume, dueAt: number): Promise<void> {
    const wait = Math.max(0, dueAt - this.deps.clock.now().getTime());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait).unref());
    if (this.stopped) return;
    const { tenant, name } = resume.channel;
    const channels = await listAll(this.deps.store, 'NotificationChannel');
    const listed = channels.find((c) => (c.metadata.tenant ?? '') === tenant && c.metadata.name === name);
    if (!listed) {
      const detail = msg('NotifyChannelGone', { channel: `${tenant}/${name}` });
      await this.keep(
        resume.notice,
        tenant,
        'failed',
        'NotificationGaveUp',
        record.attempts,
        detail,
        record.channel,
        record.type,
        {
          id: record.id,
        },
      );
      return;
    }
    await this.deliver(resume.notice, listed, { id: record.id, attempt: record.attempts, delayMs: resume.delayMs });
  }

  private async run(n: Notice): Promise<NotificationRecord[]> {
    const own = n.tenant ?? PLATFORM_SPACE;
    if (n.inhibitedBy)
      return [
        await this.keep(n, own, 'inhibited', 'NotificationInhibited', 0, msg('NotifyInhibited', { ...n.inhibitedBy })),
      ];
    const now = this.deps.clock.now().getTime();
    const [silences, channels] = await Promise.all([
      listAll(this.deps.store, 'Silence'),
      listAll(this.deps.store, 'NotificationChannel'),
    ]);
    const silence = silencedBy(silences, n, now);
    if (silence)
      return [await this.keep(n, own, 'silenced', 'NotificationSilenced', 0, msg('NotifySilenced', { silence }))];
    const taking = channels.filter((c) => channelTakes(c.metadata.tenant ?? '', c.spec as ChannelSpec, n));
    if (taking.length === 0)
      return [await this.keep(n, own, 'unrouted', 'NotificationRecorded', 0, msg('NotifyNoChannels'))];
    return Promise.all(taking.map((c) => this.deliver(n, c)));
  }

  private async deliver(
    n: Notice,
    listed: StoredObject,
    from?: { readonly id: number; readonly attempt: number; readonly delayMs: number },
  ): Promise<NotificationRecord> {
    const tenant = listed.metadata.tenant ?? '';
    const name = `${tenant}/${listed.metadata.name}`;
    const spec = listed.spec as ChannelSpec;
    let secrets: Record<string, string> = {};
    try {
      const full = await this.deps.resources.get('NotificationChannel', tenant, listed.metadata.name);
      secrets = (full as { secrets?: Record<string, string> }).secrets ?? {};
    } catch (e) {
      this.deps.log?.(`channel ${name}: its secrets could not be read`, e);
    }
    const sender = this.deps.senders?.[spec.type] ?? SENDERS[spec.type];
    const rendered = renderNotice(n, spec.language ?? 'zh-en');
    const attempts = spec.retry?.attempts ?? 5;
    let delay = from?.delayMs ?? parseDuration(spec.retry?.backoff ?? '2s') ?? 2000;
    let result: SendResult = { ok: true };
    let attempt = from?.attempt ?? 0;
    let id = from?.id;
    while (attempt < attempts) {
      attempt++;
      result = await sender({
        channel: name,
        spec,
        secrets,
        rendered,
        notice: n,
        now: this.deps.clock.now().getTime(),
        allowPrivate: this.deps.allowPrivate ?? false,
        timeoutMs: this.deps.timeoutMs ?? 10_000,
      });
      if (result.ok || !result.retry || attempt >= attempts) break;
      // Owed from now on: recorded with its next retry, so a restart (or a new leader) resumes it.
      const due = this.deps.clock.now().getTime() + delay;
      const next = Math.min(delay * 2, 300_000);
      const retrying = await this.keep(
        n,
        tenant,
        'retrying',
        'NotificationRetrying',
        attempt,
        msg('NotifyRetrying', {
          channel: name,
          type: spec.type,
          attempts: attempt,
          detail: result.detail,
          at: new Date(due).toISOString(),
        }),
        name,
        spec.type,
        {
          ...(id !== undefined ? { id } : {}),
          nextRetryAt: due,
          resume: { notice: n, channel: { tenant, name: listed.metadata.name }, delayMs: next },
        },
      );
      id = retrying.id;
      await new Promise((r) => setTimeout(r, delay).unref());
      if (this.stopped) return retrying;
      delay = next;
    }
    const involved = { kind: 'NotificationChannel', name: listed.metadata.name, apiVersion: OBSERVE_API_VERSION };
    if (result.ok) {
      const detail = msg('NotifyDelivered', { channel: name, type: spec.type, attempts: attempt });
      void this.events.record({ tenant, involved, type: 'Normal', reason: 'NotificationSent', detail });
      return this.keep(
        n,
        tenant,
        'sent',
        'NotificationSent',
        attempt,
        detail,
        name,
        spec.type,
        id === undefined ? {} : { id },
      );
    }
    const detail = msg('NotifyGaveUp', { channel: name, type: spec.type, attempts: attempt, detail: result.detail });
    void this.events.record({ tenant, involved, type: 'Warning', reason: 'NotificationGaveUp', detail });
    return this.keep(
      n,
      tenant,
      'failed',
      'NotificationGaveUp',
      attempt,
      detail,
      name,
      spec.type,
      id === undefined ? {} : { id },
    );
  }

  /**
   * Records an outcome (a new record, or `opts.id`'s replaced): in the store when there is one (with what a retry
   * still owed needs), else in memory; the oldest and expired settled records are pruned now and then.
   */
  private async keep(
    n: Notice,
    tenant: string,
    outcome: NotificationOutcome,
    reason: string,
    attempts: number,
    detail?: Message,
    channel?: string,
    type?: ChannelType,
    opts: { readonly id?: number; readonly nextRetryAt?: number; readonly resume?: Resume } = {},
  ): Promise<NotificationRecord> {
    const state = this.deps.state;
    this.nextId ??= state ? state.lastNotificationId().then((n) => n + 1) : Promise.resolve(1);
    let id = opts.id;
    if (id === undefined) {
      const next = await this.nextId;
      this.nextId = Promise.resolve(next + 1);
      id = next;
    }
    const now = this.deps.clock.now();
    const r: NotificationRecord = {
      id,
      at: now.toISOString(),
      tenant,
      notice: {
        kind: n.kind,
        id: n.id,
        status: n.status,
        severity: n.severity,
        ...(n.tenant !== undefined ? { department: n.tenant } : {}),
        ...(n.rule !== undefined ? { rule: n.rule } : {}),
        title: n.title,
        message: n.message,
      },
      outcome,
      reason,
      ...(channel ? { channel, type } : {}),
      attempts,
      ...(detail ? { detail } : {}),
      ...(opts.nextRetryAt !== undefined ? { nextRetry: new Date(opts.nextRetryAt).toISOString() } : {}),
    };
    const max = this.deps.maxRecords ?? 10_000;
    if (state) {
      await state.putNotification({
        id,
        tenant,
        at: now.getTime(),
        nextRetryAt: opts.nextRetryAt ?? null,
        data: JSON.stringify(opts.resume ? { record: r, resume: opts.resume } : { record: r }),
      });
      if (++this.written % 100 === 1) {
        const retention = this.deps.retentionMs ?? 30 * 24 * 3600_000;
        await state.pruneNotifications(now.getTime() - retention, max).catch((e: unknown) => {
          this.deps.log?.('notification records could not be pruned', e);
        });
      }
      return r;
    }
    const at = this.kept.findIndex((k) => k.id === id);
    if (at >= 0) this.kept.splice(at, 1);
    this.kept.push(r);
    if (this.kept.length > max) this.kept.splice(0, this.kept.length - max);
    return r;
  }
}
