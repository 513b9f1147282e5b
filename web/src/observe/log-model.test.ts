import { describe, expect, it } from 'vitest';
import { appendLines, levelOf, logQuery, splitChunk } from './log-model.ts';

describe('the log viewer’s lines', () => {
  it('splits a stream’s chunks into whole lines, keeping a line cut between chunks', () => {
    const a = splitChunk('', '2026-07-01T01:00:00Z INFO start\n2026-07-01T01:00:01Z ERR');
    expect(a.lines).toEqual(['2026-07-01T01:00:00Z INFO start']);
    const b = splitChunk(a.pending, 'OR boom\r\n');
    expect(b).toEqual({ lines: ['2026-07-01T01:00:01Z ERROR boom'], pending: '' });
  });

  it('reads a line’s level', () => {
    expect(levelOf('2026-07-01T01:00:01Z ERROR process exited')).toBe('ERROR');
    expect(levelOf('2026-07-01T01:00:01Z WARNING slow')).toBe('WARN');
    expect(levelOf('plain text')).toBeUndefined();
  });

  it('numbers lines on and keeps only the newest', () => {
    const b = appendLines(appendLines([], ['a', 'b']), ['c', 'd'], 3);
    expect(b.map((l) => [l.n, l.text])).toEqual([
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);
  });

  it('asks for tail, since, container and follow only when given', () => {
    expect(logQuery({ tail: 200 })).toEqual({ tail: '200', since: undefined, container: undefined, follow: undefined });
    expect(logQuery({ tail: 50, since: '5m', container: 'app', follow: true })).toEqual({
      tail: '50',
      since: '5m',
      container: 'app',
      follow: 'true',
    });
  });
});
