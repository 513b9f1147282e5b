import type { AppStatusView } from './app-status-view.ts';
import { conditionsTable, excludedTable, placementTable, workflowTable } from './app-status-view.ts';
import type { ObjectLike } from './object-table.ts';
import { age, cell, formatTable, indent } from './printers.ts';
import type { RevisionHistory } from './revision-history.ts';
import { historyTable } from './revision-history.ts';

/** An Event as `GET /apis/polis.io/v1/tenants/{t}/events` lists it. */
export interface EventView extends ObjectLike {
  readonly spec?: {
    readonly involvedObject?: { readonly kind?: string; readonly name?: string };
    readonly type?: string;
    readonly reason?: string;
    readonly message?: string;
    readonly source?: { readonly component?: string; readonly cluster?: string };
    readonly count?: number;
    readonly firstTimestamp?: string;
    readonly lastTimestamp?: string;
  };
}

export const DESCRIBE_REVISIONS = 5;
export const DESCRIBE_EVENTS = 10;

/** A titled section: `Title:` and its body indented, or `Title: <none>` for an empty body. */
export function section(title: string, body: string): string {
  if (body.trim() === '') return `${`${title}:`.padEnd(18)}<none>\n`;
  return `${title}:\n${indent(body)}\n`;
}

/** Phase, health, revision and generations: the lines under the metadata. */
export function statusSummary(s: AppStatusView, generation: unknown): string[] {
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(18)}${value}`);
  field('Phase', cell(s.phase));
  field('Healthy', s.healthy === undefined ? '<unknown>' : s.healthy ? 'yes' : 'no');
  field('Revision', cell(s.revision));
  field('Observed Gen.', `${cell(s.observedGeneration)} (generation ${cell(generation)})`);
  if (s.message) field('Message', cell(s.message));
  return lines;
}

/** Placement: per component and cluster, then the clusters placement left out and why. */
export function placementSection(s: AppStatusView): string {
  const components = s.components ?? [];
  if (components.length === 0) return section('Placement', '');
  const excluded = excludedTable(components.map((c) => ({ component: c.name, excluded: c.excluded ?? [] })));
  return section('Placement', placementTable(components)) + (excluded ? section('Excluded', excluded) : '');
}

export function conditionsSection(s: AppStatusView): string {
  return section('Conditions', conditionsTable(s));
}

export function workflowSection(s: AppStatusView): string {
  const since =
    s.workflow?.suspended && s.workflow.suspendedSince ? ` (suspended since ${s.workflow.suspendedSince})` : '';
  const table = workflowTable(s);
  return table ? section(`Workflow${since}`, table) : section('Workflow', '');
}

/** The newest DESCRIBE_REVISIONS revisions, oldest first. */
export function revisionsSection(history: RevisionHistory, now: Date): string {
  if (history.items.length === 0) return section('Revisions', '');
  const shown = Math.min(history.items.length, DESCRIBE_REVISIONS);
  return section(
    `Revisions (last ${shown} of ${history.items.length})`,
    historyTable(history, now, DESCRIBE_REVISIONS),
  );
}

/** The application's events, newest first, at most DESCRIBE_EVENTS. */
export function applicationEvents(events: readonly EventView[], name: string): EventView[] {
  return events
    .filter((e) => e.spec?.involvedObject?.kind === 'Application' && e.spec.involvedObject.name === name)
    .sort((a, b) => timeOf(b) - timeOf(a) || String(a.metadata?.name).localeCompare(String(b.metadata?.name)))
    .slice(0, DESCRIBE_EVENTS);
}

function timeOf(e: EventView): number {
  const t = Date.parse(e.spec?.lastTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Events (LAST, TYPE, REASON, CLUSTER, COUNT, MESSAGE), already filtered and ordered by applicationEvents. */
export function eventsSection(events: readonly EventView[], now: Date): string {
  if (events.length === 0) return section('Events', '');
  const rows = events.map((e) => [
    age(e.spec?.lastTimestamp, now),
    cell(e.spec?.type),
    cell(e.spec?.reason),
    cell(e.spec?.source?.cluster),
    cell(e.spec?.count),
    cell(e.spec?.message),
  ]);
  return section(
    `Events (last ${events.length})`,
    formatTable(['LAST', 'TYPE', 'REASON', 'CLUSTER', 'COUNT', 'MESSAGE'], rows),
  );
}
