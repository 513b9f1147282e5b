import { usageError } from './cli-errors.ts';
import { age, cell, formatTable } from './printers.ts';

/** One kept revision, as `GET …/applications/{app}/revisions` lists it (oldest first). */
export interface RevisionItem {
  readonly revision: number;
  readonly name: string;
  readonly created?: string;
  readonly current: boolean;
  readonly rollbackOf?: number;
  readonly changeCause?: string;
}

export interface RevisionHistory {
  readonly kind: 'RevisionHistory';
  readonly application: string;
  /** The application's generation: the revision it runs. */
  readonly current: number;
  readonly items: readonly RevisionItem[];
}

export const HISTORY_HEADER = ['REVISION', 'CREATED', 'CURRENT', 'ROLLBACK-OF', 'CHANGE-CAUSE'] as const;

/** The history as a table, oldest first; `last` keeps the newest that many. */
export function historyTable(history: RevisionHistory, now: Date, last?: number): string {
  const items = sortedItems(history);
  const shown = last === undefined ? items : items.slice(-last);
  return formatTable(
    HISTORY_HEADER,
    shown.map((i) => [
      String(i.revision),
      age(i.created, now),
      isCurrent(history, i) ? '*' : '',
      i.rollbackOf === undefined ? '<none>' : String(i.rollbackOf),
      cell(i.changeCause),
    ]),
  );
}

/**
 * The revision `rollout undo` goes back to without --to-revision: the newest kept revision before the current one.
 * None kept is a usage error that says what is kept.
 */
export function previousRevision(history: RevisionHistory): number {
  const items = sortedItems(history);
  const current = items.find((i) => isCurrent(history, i))?.revision ?? history.current;
  const earlier = items.filter((i) => i.revision < current);
  const target = earlier[earlier.length - 1];
  if (target === undefined)
    throw usageError(
      `application ${history.application} has no kept revision before its current one (${current})`,
      items.length > 0
        ? `kept revisions: ${items.map((i) => i.revision).join(', ')}; give one with --to-revision N`
        : 'nothing to roll back to',
    );
  return target.revision;
}

/** A revision number given with --to-revision, --from or --to: a whole number from 1. */
export function parseRevision(text: string, flag: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(n >= 1 && Number.isSafeInteger(n)))
    throw usageError(
      `${flag} "${text}" is not a revision number`,
      'give a whole number from 1, as polis rollout history APP lists them in the REVISION column',
    );
  return n;
}

function sortedItems(history: RevisionHistory): RevisionItem[] {
  return [...history.items].sort((a, b) => a.revision - b.revision);
}

function isCurrent(history: RevisionHistory, i: RevisionItem): boolean {
  return i.current || i.revision === history.current;
}

const SGR = { reset: '\u001b[0m', bold: '\u001b[1m', red: '\u001b[31m', green: '\u001b[32m', cyan: '\u001b[36m' };

/** A unified diff with `diff --color` colours: headers bold, hunks cyan, removals red, additions green. */
export function colourDiff(diff: string): string {
  return diff
    .split('\n')
    .map((line) => {
      const paint = (colour: string) => `${colour}${line}${SGR.reset}`;
      if (line.startsWith('--- ') || line.startsWith('+++ ')) return paint(SGR.bold);
      if (line.startsWith('@@')) return paint(SGR.cyan);
      if (line.startsWith('-')) return paint(SGR.red);
      if (line.startsWith('+')) return paint(SGR.green);
      return line;
    })
    .join('\n');
}
