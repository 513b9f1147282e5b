import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import type { AppStatus } from './app-status.ts';

export type EventType = 'Normal' | 'Warning';

/**
 * What one reconcile did, gathered so that it becomes one Event per reason (the clusters named in its message)
 * rather than one per cluster: fewer writes, and one line to read. Each note is a coded message.
 */
export class EventNotes {
  private readonly notes: { type: EventType; reason: string; cluster?: string; detail: Message }[] = [];

  add(type: EventType, reason: string, cluster: string | undefined, detail: Message): void {
    this.notes.push({ type, reason, cluster, detail });
  }

  /** One coded message per (type, reason): the note itself, or `MessageList` of the notes, each on its cluster. */
  grouped(): { type: EventType; reason: string; detail: Message; cluster?: string }[] {
    const by = new Map<string, typeof this.notes>();
    for (const n of this.notes) by.set(`${n.type}/${n.reason}`, [...(by.get(`${n.type}/${n.reason}`) ?? []), n]);
    return [...by.values()].map((ns) => {
      const sorted = [...ns].sort((a, b) => ((a.cluster ?? '') < (b.cluster ?? '') ? -1 : 1));
      const clusters = new Set(sorted.map((n) => n.cluster));
      const parts = sorted.map((n) =>
        n.cluster ? msg('OnCluster', { cluster: n.cluster, detail: n.detail }) : n.detail,
      );
      const detail = parts.length === 1 ? parts[0]! : msg('MessageList', { items: parts });
      return {
        type: sorted[0]!.type,
        reason: sorted[0]!.reason,
        detail,
        ...(clusters.size === 1 && sorted[0]!.cluster ? { cluster: sorted[0]!.cluster } : {}),
      };
    });
  }
}

/** A Placed event when the replicas per cluster changed, with where each component now runs. */
export function placementNote(notes: EventNotes, previous: AppStatus | undefined, status: AppStatus): void {
  if (JSON.stringify(previous?.placement ?? {}) === JSON.stringify(status.placement)) return;
  const parts = Object.entries(status.placement).map(([component, m]) => {
    const clusters = Object.entries(m)
      .map(([cl, n]) => `${cl} ${n}`)
      .join(', ');
    return clusters ? msg('PlacedOn', { component, clusters }) : msg('PlacedNowhere', { component });
  });
  notes.add('Normal', 'Placed', undefined, msg('Placed', { components: parts }));
}
