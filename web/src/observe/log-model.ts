/** Pure helpers of the log viewer: lines split from a stream's chunks, their level, a bounded buffer. */

export interface LogLine {
  readonly n: number;
  readonly text: string;
  readonly level?: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';
}

const LEVEL = /\b(ERROR|WARN|WARNING|INFO|DEBUG|FATAL)\b/;

export function levelOf(text: string): LogLine['level'] {
  const m = LEVEL.exec(text.slice(0, 80));
  if (!m) return undefined;
  const l = m[1]!;
  return l === 'FATAL' ? 'ERROR' : l === 'WARNING' ? 'WARN' : (l as LogLine['level']);
}

/** The most lines the viewer keeps: the oldest go first. */
export const MAX_VIEW_LINES = 5000;

/**
 * Lines a follow stream's chunk completes: `pending` is what the previous chunk left after its last newline. Returns
 * the complete lines and what remains pending (a chunk may end mid-line, or mid-character: the decoder keeps that).
 */
export function splitChunk(pending: string, chunk: string): { lines: string[]; pending: string } {
  const all = (pending + chunk).split('\n');
  const rest = all.pop() ?? '';
  return { lines: all.map((l) => l.replace(/\r$/, '')), pending: rest };
}

/** The buffer with `texts` appended, numbered on, cut to the last `max` lines. */
export function appendLines(buffer: readonly LogLine[], texts: readonly string[], max = MAX_VIEW_LINES): LogLine[] {
  let n = buffer.length ? buffer[buffer.length - 1]!.n : 0;
  const added = texts.map((text) => {
    n += 1;
    const level = levelOf(text);
    return level ? { n, text, level } : { n, text };
  });
  const out = [...buffer, ...added];
  return out.length > max ? out.slice(out.length - max) : out;
}

/** The query of a log read: tail, since, container; `follow` for the stream. */
export function logQuery(o: {
  readonly tail: number;
  readonly since?: string;
  readonly container?: string;
  readonly follow?: boolean;
}): Record<string, string | undefined> {
  return {
    tail: String(o.tail),
    since: o.since || undefined,
    container: o.container || undefined,
    follow: o.follow ? 'true' : undefined,
  };
}
