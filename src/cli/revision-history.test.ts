import { describe, expect, it } from 'vitest';
import type { RevisionHistory } from './revision-history.ts';
import { colourDiff, historyTable, parseRevision, previousRevision } from './revision-history.ts';

const now = new Date('2026-11-24T12:00:00Z');

const history: RevisionHistory = {
  kind: 'RevisionHistory',
  application: 'web',
  current: 3,
  items: [
    { revision: 1, name: 'web-v1', created: '2026-11-20T12:00:00Z', current: false },
    { revision: 2, name: 'web-v2', created: '2026-11-24T10:00:00Z', current: false, changeCause: 'image 2.0' },
    { revision: 3, name: 'web-v3', created: '2026-11-24T11:59:30Z', current: true, rollbackOf: 1 },
  ],
};

describe('historyTable', () => {
  it('lists revisions oldest first with their age, a star on the current one, and <none> for what is unset', () => {
    expect(historyTable(history, now)).toBe(
      [
        'REVISION   CREATED   CURRENT   ROLLBACK-OF   CHANGE-CAUSE',
        '1          4d                  <none>        <none>',
        '2          2h                  <none>        image 2.0',
        '3          30s       *         1             <none>',
        '',
      ].join('\n'),
    );
  });

  it('keeps the newest revisions when asked for the last few', () => {
    const lines = historyTable(history, now, 2).trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['REVISION', '2', '3']);
  });
});

describe('previousRevision', () => {
  it('picks the newest kept revision before the current one', () => {
    expect(previousRevision(history)).toBe(2);
  });

  it('skips revisions that were not kept', () => {
    expect(
      previousRevision({ ...history, current: 7, items: [history.items[0]!, { ...history.items[2]!, revision: 7 }] }),
    ).toBe(1);
  });

  it('is a usage error naming the kept revisions when nothing came before', () => {
    const only = { ...history, current: 1, items: [{ ...history.items[0]!, current: true }] };
    expect(() => previousRevision(only)).toThrow(/no kept revision before its current one \(1\)/);
    try {
      previousRevision(only);
    } catch (e) {
      expect(e).toMatchObject({ exitCode: 2, hint: 'kept revisions: 1; give one with --to-revision N' });
    }
  });
});

describe('parseRevision', () => {
  it('takes whole numbers from 1 and names the flag when refusing anything else', () => {
    expect(parseRevision('3', '--to-revision')).toBe(3);
    for (const bad of ['0', '-1', 'v2', '1.5', ''])
      expect(() => parseRevision(bad, '--from')).toThrow(`--from "${bad}" is not a revision number`);
  });
});

describe('colourDiff', () => {
  it('paints headers bold, hunks cyan, removals red and additions green, and leaves context alone', () => {
    const diff = '--- web-v1\n+++ web-v2\n@@ -1,2 +1,2 @@\n spec:\n-  image: a\n+  image: b\n';
    const out = colourDiff(diff);
    expect(out).toBe(
      '\u001b[1m--- web-v1\u001b[0m\n\u001b[1m+++ web-v2\u001b[0m\n\u001b[36m@@ -1,2 +1,2 @@\u001b[0m\n spec:\n' +
        '\u001b[31m-  image: a\u001b[0m\n\u001b[32m+  image: b\u001b[0m\n',
    );
  });
});
