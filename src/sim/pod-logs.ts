import type { SimPod } from './pod.ts';

/** One line a container wrote, with the (virtual) time it was written, epoch ms. */
export interface LogLine {
  readonly at: number;
  readonly container: string;
  readonly text: string;
}

/** Lines kept per pod: the oldest go first, as a kubelet rotates a container's log file. */
export const POD_LOG_LINES = 500;

/** What to read from a pod's log: one container (default: all), the last `tail` lines, lines at or after `since`. */
export interface LogQuery {
  readonly container?: string;
  readonly tail?: number;
  readonly since?: number;
}

/**
 * A pod's log: a bounded ring of the lines its containers wrote, and the readers following it. Created on the
 * first line, so a pod that never logs costs nothing.
 */
export class PodLog {
  /** Grows to `capacity`, then wraps: `start` is the oldest line. */
  private readonly lines: LogLine[] = [];
  private start = 0;
  private readonly capacity: number;
  private followers: Set<(line: LogLine) => void> | undefined;
  private enders: Set<() => void> | undefined;

  constructor(capacity = POD_LOG_LINES) {
    this.capacity = capacity;
  }

  append(line: LogLine): void {
    if (this.lines.length < this.capacity) this.lines.push(line);
    else {
      this.lines[this.start] = line;
      this.start = (this.start + 1) % this.capacity;
    }
    for (const f of this.followers ?? []) f(line);
  }

  read(q: LogQuery = {}): LogLine[] {
    const n = this.lines.length;
    const out: LogLine[] = [];
    for (let i = 0; i < n; i++) {
      const l = this.lines[(this.start + i) % n]!;
      if (q.container !== undefined && l.container !== q.container) continue;
      if (q.since !== undefined && l.at < q.since) continue;
      out.push(l);
    }
    return q.tail !== undefined ? out.slice(Math.max(0, out.length - q.tail)) : out;
  }

  /**
   * Calls `listener` with every line appended from now on, and `onEnd` when the pod goes away; returns a function
   * that stops.
   */
  follow(listener: (line: LogLine) => void, onEnd?: () => void): () => void {
    const followers = (this.followers ??= new Set());
    followers.add(listener);
    if (onEnd) (this.enders ??= new Set()).add(onEnd);
    return () => {
      followers.delete(listener);
      if (onEnd) this.enders?.delete(onEnd);
    };
  }

  /** The pod is gone: followers are told and dropped. */
  end(): void {
    const enders = [...(this.enders ?? [])];
    this.followers = undefined;
    this.enders = undefined;
    for (const e of enders) e();
  }
}

/**
 * Appends a line to a pod's log (the hook faults and the load model call to write what a component would):
 * `container` defaults to the pod's first container.
 */
export function appendPodLog(pod: SimPod, at: number, text: string, container?: string): void {
  pod.log ??= new PodLog();
  pod.log.append({ at, container: container ?? pod.template.containers[0] ?? 'main', text });
}

/** A line as a container prints it: its time (ISO), then its text. */
export function formatLogLine(l: LogLine): string {
  return `${new Date(l.at).toISOString()} ${l.text}`;
}

/** What a container prints when its pod moves to `phase` (a service's usual start-up, crash and shutdown lines). */
export function lifecycleLines(pod: SimPod, phase: string): { level: string; text: string }[] {
  const component = pod.template.labels['app.oam.dev/component'] ?? pod.owner.name;
  switch (phase) {
    case 'Running':
      return [
        {
          level: 'INFO',
          text: `starting ${component} (revision ${pod.template.hash}, image ${pod.template.images[0] ?? '?'})`,
        },
        { level: 'INFO', text: `${component} listening on :8080` },
      ];
    case 'Ready':
      return [{ level: 'INFO', text: 'readiness probe passed, serving traffic' }];
    case 'CrashLoopBackOff':
      return [
        { level: 'ERROR', text: `${component}: fatal error during start-up: connection refused` },
        { level: 'ERROR', text: `process exited with code 1 (restart ${pod.restarts})` },
      ];
    case 'Succeeded':
      return [{ level: 'INFO', text: `${component} finished` }];
    case 'Failed':
      return [{ level: 'ERROR', text: `${component} failed: process exited with code 1` }];
    case 'Deleted':
      return [{ level: 'INFO', text: 'received SIGTERM, shutting down gracefully' }];
    default:
      return [];
  }
}

/** Writes the lines of a phase change into the pod's log, one per container. */
export function logLifecycle(pod: SimPod, at: number, phase: string): void {
  const lines = lifecycleLines(pod, phase);
  if (lines.length === 0) return;
  const containers = pod.template.containers.length > 0 ? pod.template.containers : ['main'];
  for (const c of containers) for (const l of lines) appendPodLog(pod, at, `${l.level} ${l.text}`, c);
}
