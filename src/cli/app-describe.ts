import type { AppStatusView } from './app-status-view.ts';
import { conditionsTable, excludedTable, exclusionsOf, placementTable, workflowTable } from './app-status-view.ts';
import type { ObjectLike } from './object-table.ts';
import { age, cell, formatTable, indent } from './printers.ts';
import type { RevisionHistory } from './revision-history.ts';
import { historyTable } from './revision-history.ts';
import { say } from './cli-lang.ts';
import type { Params } from '../kernel/messages/index.ts';
import { statusMessage } from './status-messages.ts';

/** An Event as `GET /apis/polis.io/v1/tenants/{t}/events` lists it. */
export interface EventView extends ObjectLike {
  readonly spec?: {
    readonly involvedObject?: { readonly kind?: string; readonly name?: string };
    readonly type?: string;
    readonly reason?: string;
    readonly message?: string;
    readonly code?: string;
    readonly params?: Params;
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
  if (s.message) field('Message', cell(say(s)));
  return lines;
}

/** Placement: per component and cluster, then the clusters placement left out and why. */
export function placementSection(s: AppStatusView): string {
  const components = s.components ?? [];
  if (components.length === 0) return section('Placement', '');
  const excluded = excludedTable(components.map((c) => ({ component: c.name, excluded: exclusionsOf(c) })));
  return section('Placement', placementTable(components)) + (excluded ? section('Excluded', excluded) : '');
}

/**
 * Clusters placement left whose objects are still there (`status.pendingRemoval`), each with why: the cluster is
 * not healthy (nothing is deleted on it), or the application is not yet healthy where it moved to. Empty text when
 * there are none.
 */
export function pendingRemovalSection(s: AppStatusView): string {
  const pending = s.pendingRemoval ?? [];
  if (pending.length === 0) return '';
  const unhealthy = new Set(
    (s.components ?? []).flatMap((c) =>
      (c.excluded ?? [])
        .filter((e) =>
          e.code
            ? e.code === 'Unhealthy' || e.code === 'UnhealthyBecause'
            : e.reason === 'unhealthy' || e.reason.startsWith('unhealthy: '),
        )
        .map((e) => e.cluster),
    ),
  );
  const rows = pending.map((cluster) => [
    cluster,
    statusMessage(unhealthy.has(cluster) ? 'ClusterUnhealthy' : 'AwaitingReplacements'),
  ]);
  return section('Pending Removal', formatTable(['CLUSTER', 'REASON'], rows));
}

/**
 * Replicas on public-cloud burst clusters, their cost per hour, the replicas the burst limits held back and the
 * limits in force (`status.burst`). Empty text when nothing bursts.
 */
export function burstSection(s: AppStatusView): string {
  const b = s.burst;
  if (!b) return '';
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`${(label ? `${label}:` : '').padEnd(12)}${value}`);
  const clusters = Object.entries(b.clusters ?? {})
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  if (b.replicas > 0)
    field(
      'Replicas',
      statusMessage('Bursting', { replicas: b.replicas, clusters, cost: Number(b.costPerHour ?? 0).toFixed(2) }),
    );
  else field('Replicas', '0');
  if (b.heldBack) field('Held back', statusMessage('BurstLimited', { heldBack: b.heldBack }));
  if (b.closed) field('Closed', statusMessage('BurstClosed', { why: b.closedMessage ?? b.closed }));
  const limits = b.limitMessages?.map(say) ?? b.limits ?? [];
  limits.forEach((limit, i) => field(i === 0 ? 'Limits' : '', limit));
  return section('Burst', lines.join('\n'));
}

/**
 * The autoscaler's count per component and why (`status.scaling`), the reason in the command line's language.
 * Empty text when no autoscaling policy has decided yet.
 */
export function scalingSection(s: AppStatusView): string {
  const components = Object.entries(s.scaling?.components ?? {}).sort(([x], [y]) => (x < y ? -1 : 1));
  if (components.length === 0) return '';
  const rows = components.map(([name, c]) => [
    name,
    cell(c.desired),
    cell(say({ code: c.code, params: c.params, message: c.reason }) || undefined),
  ]);
  const title = s.scaling?.preview ? 'Autoscaler (preview)' : 'Autoscaler';
  return section(title, formatTable(['COMPONENT', 'DESIRED', 'REASON'], rows));
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
    cell(say(e.spec) || undefined),
  ]);
  return section(
    `Events (last ${events.length})`,
    formatTable(['LAST', 'TYPE', 'REASON', 'CLUSTER', 'COUNT', 'MESSAGE'], rows),
  );
}
