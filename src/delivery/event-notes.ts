import type { AppStatus } from './app-status.ts';

/**
 * What one reconcile did, gathered so that it becomes one Event per reason (the clusters named in its message)
 * rather than one per cluster: fewer writes, and one line to read.
 */
export class EventNotes {
  private readonly notes: { type: 'Normal' | 'Warning'; reason: string; cluster?: string; text: string }[] = [];

  add(type: 'Normal' | 'Warning', reason: string, cluster: string | undefined, text: string): void {
    this.notes.push({ type, reason, cluster, text });
  }

  grouped(): { type: 'Normal' | 'Warning'; reason: string; message: string; cluster?: string }[] {
    const by = new Map<string, typeof this.notes>();
    for (const n of this.notes) by.set(`${n.type}/${n.reason}`, [...(by.get(`${n.type}/${n.reason}`) ?? []), n]);
    return [...by.values()].map((ns) => {
      const sorted = [...ns].sort((a, b) => ((a.cluster ?? '') < (b.cluster ?? '') ? -1 : 1));
      const clusters = new Set(sorted.map((n) => n.cluster));
      return {
        type: sorted[0]!.type,
        reason: sorted[0]!.reason,
        message: sorted.map((n) => (n.cluster ? `${n.cluster}: ${n.text}` : n.text)).join('; '),
        ...(clusters.size === 1 && sorted[0]!.cluster ? { cluster: sorted[0]!.cluster } : {}),
      };
    });
  }
}

/** A Placed event when the replicas per cluster changed, with where each component now runs. */
export function placementNote(notes: EventNotes, previous: AppStatus | undefined, status: AppStatus): void {
  if (JSON.stringify(previous?.placement ?? {}) === JSON.stringify(status.placement)) return;
  const text = Object.entries(status.placement)
    .map(([c, m]) => {
      const where = Object.entries(m)
        .map(([cl, n]) => `${cl} ${n}`)
        .join(', ');
      return `${c}: ${where || 'nowhere'}`;
    })
    .join('; ');
  notes.add('Normal', 'Placed', undefined, text);
}
