import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './line-diff.ts';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', { from: 'x', to: 'y' })).toBe('');
  });

  it('shows a changed line with its context, like diff -u', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].join('\n');
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h', 'i'].join('\n');
    expect(unifiedDiff(before, after, { from: 'v1', to: 'v2' })).toBe(
      ['--- v1', '+++ v2', '@@ -2,7 +2,7 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h', ''].join('\n'),
    );
  });

  it('keeps far-apart changes in separate hunks and handles additions at the end', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const lines = Array.from({ length: 20 }, (_, i) => `l${i}`);
    lines[1] = 'changed';
    lines.push('added');
    const d = unifiedDiff(before, lines.join('\n'), { from: 'a', to: 'b' });
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(d).toContain('-l1\n+changed');
    expect(d).toContain('+added');
  });
});
