/** One scheduled piece of work. Events at the same time run in the order they were scheduled. */
interface QueuedEvent {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/**
 * A min-heap of timed events ordered by (time, sequence number). The sequence number makes the order total, so
 * two runs that schedule the same events process them identically.
 */
export class EventQueue {
  private readonly heap: QueuedEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `run` at `at` (epoch ms). */
  push(at: number, run: () => void): void {
    const event: QueuedEvent = { at, seq: this.seq++, run };
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = event;
  }

  /** Time of the earliest event, or undefined when none is queued. */
  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Removes and returns the earliest event's work when it is due at `now`. */
  popDue(now: number): { at: number; run: () => void } | undefined {
    const top = this.heap[0];
    if (top === undefined || top.at > now) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) this.siftDown(last);
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }

  private siftDown(event: QueuedEvent): void {
    const heap = this.heap;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, event)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = event;
  }
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
