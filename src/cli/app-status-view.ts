import type { Params } from '../kernel/messages/index.ts';
import { say } from './cli-lang.ts';
import type { ObjectLike } from './object-table.ts';
import { cell, formatTable } from './printers.ts';

/** `Application.status` as the delivery controller writes it (the fields the CLI shows). */
export interface AppStatusView {
  readonly observedGeneration?: number;
  readonly revision?: string;
  readonly phase?: string;
  readonly healthy?: boolean;
  readonly message?: string;
  readonly code?: string;
  readonly params?: Params;
  readonly conditions?: readonly {
    readonly type: string;
    readonly status: string;
    readonly reason?: string;
    readonly message?: string;
    readonly code?: string;
    readonly params?: Params;
  }[];
  readonly components?: readonly ComponentView[];
  /** Clusters placement left whose objects are not removed yet. */
  readonly pendingRemoval?: readonly string[];
  /** Replicas on burst (public-cloud) clusters, their cost per hour and the limits in force. */
  readonly burst?: {
    readonly replicas: number;
    readonly costPerHour: number;
    readonly clusters: Readonly<Record<string, number>>;
    readonly heldBack?: number;
    readonly limits?: readonly string[];
    readonly limitMessages?: readonly { readonly code: string; readonly params?: Params; readonly message: string }[];
    readonly closed?: string;
    readonly closedMessage?: { readonly code: string; readonly params?: Params; readonly message: string };
  };
  /** The autoscaler's replica counts, each with its reason: English in `reason`, coded in `code` and `params`. */
  readonly scaling?: {
    readonly preview?: boolean;
    readonly components?: Readonly<
      Record<
        string,
        { readonly desired: number; readonly reason?: string; readonly code?: string; readonly params?: Params }
      >
    >;
  };
  readonly workflow?: {
    readonly steps?: readonly {
      readonly name: string;
      readonly type: string;
      readonly phase: string;
      /** The step group holding it (shown indented under the group). */
      readonly group?: string;
      /** Why it failed (Timeout). */
      readonly reason?: string;
      /** What a print-message-in-status step printed. */
      readonly message?: string;
    }[];
    readonly suspended?: boolean;
    readonly suspendedSince?: string;
  };
}

export interface ComponentView {
  readonly name: string;
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  readonly phase: string;
  readonly unplaced?: number;
  /** A task (Job) or cron-task (CronJob): not counted in ready figures; its health is its runs. */
  readonly workload?: string;
  readonly runs?: {
    readonly active?: number;
    readonly lastResult?: string;
    readonly lastScheduleTime?: string;
    readonly nextScheduleTime?: string;
  };
  readonly clusters?: readonly {
    readonly cluster: string;
    readonly desiredReplicas: number;
    readonly readyReplicas: number;
    readonly phase: string;
    readonly reason?: string;
    readonly message?: string;
    readonly detail?: { readonly code: string; readonly params?: Params; readonly message: string };
  }[];
  readonly excluded?: readonly ExclusionView[];
  /** Eligible clusters left unused, grouped by reason (src/delivery/app-status.ts ComponentStatus.unused). */
  readonly unused?: readonly { readonly code: string; readonly reason: string; readonly clusters: readonly string[] }[];
}

/** Why placement left a cluster out: the English `reason`, and its code and params. */
export interface ExclusionView {
  readonly cluster: string;
  readonly reason: string;
  readonly code?: string;
  readonly params?: Params;
}

/** Every cluster a component is not on, with the reason, by cluster name: its `excluded` and its `unused` groups. */
export function exclusionsOf(c: Pick<ComponentView, 'excluded' | 'unused'>): ExclusionView[] {
  const all: ExclusionView[] = [...(c.excluded ?? [])];
  for (const g of c.unused ?? [])
    for (const cluster of g.clusters) all.push({ cluster, reason: g.reason, code: g.code });
  return all.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
}

export function statusOf(app: ObjectLike): AppStatusView {
  const s = app.status;
  return s && typeof s === 'object' ? (s as AppStatusView) : {};
}

export function generationOf(app: ObjectLike): number | undefined {
  const g = app.metadata?.generation;
  return typeof g === 'number' ? g : undefined;
}

/** Where a rollout stands: done (Running and healthy at the current generation), failed, or still going. */
export type RolloutVerdict = 'done' | 'failed' | 'waiting';

/** Only a status that has observed the current generation decides; an older one is still catching up. */
export function rolloutVerdict(app: ObjectLike): RolloutVerdict {
  const s = statusOf(app);
  const generation = generationOf(app);
  if (generation !== undefined && (s.observedGeneration ?? 0) < generation) return 'waiting';
  if (s.phase === 'Failed') return 'failed';
  if (s.phase === 'Running' && s.healthy === true) return 'done';
  return 'waiting';
}

/** A table (COMPONENT, CLUSTER, DESIRED, READY, PHASE, REASON): a row per component per cluster, and unplaced replicas. */
export function placementTable(components: readonly ComponentView[]): string {
  const rows: string[][] = [];
  for (const c of components) {
    const clusters = c.clusters ?? [];
    for (const cl of clusters) {
      rows.push([
        c.name,
        cl.cluster,
        String(cl.desiredReplicas),
        String(cl.readyReplicas),
        cl.phase,
        cell([cl.reason, say(cl.detail ?? { message: cl.message })].filter(Boolean).join(': ')),
      ]);
    }
    if (c.unplaced)
      rows.push([c.name, '<unplaced>', String(c.unplaced), '0', 'Pending', 'no eligible cluster has room']);
    if (clusters.length === 0 && !c.unplaced)
      rows.push([c.name, '<none>', String(c.desiredReplicas), String(c.readyReplicas), c.phase, '<none>']);
  }
  return formatTable(['COMPONENT', 'CLUSTER', 'DESIRED', 'READY', 'PHASE', 'REASON'], rows);
}

/** The clusters placement left out and why, per component (empty text when none was). */
export function excludedTable(
  byComponent: readonly {
    readonly component: string;
    readonly excluded: readonly ExclusionView[];
  }[],
): string {
  const rows = byComponent.flatMap((c) =>
    c.excluded.map((e) => [c.component, e.cluster, say({ code: e.code, params: e.params, message: e.reason })]),
  );
  return rows.length === 0 ? '' : formatTable(['COMPONENT', 'CLUSTER', 'REASON'], rows);
}

/** Conditions (TYPE, STATUS, REASON, MESSAGE); empty text when there are none. */
export function conditionsTable(s: AppStatusView): string {
  const conditions = s.conditions ?? [];
  if (conditions.length === 0) return '';
  return formatTable(
    ['TYPE', 'STATUS', 'REASON', 'MESSAGE'],
    conditions.map((c) => [c.type, c.status, cell(c.reason), cell(say(c) || undefined)]),
  );
}

/** Workflow steps (STEP, TYPE, PHASE); empty text when there are none. */
export function workflowTable(s: AppStatusView): string {
  const steps = s.workflow?.steps ?? [];
  if (steps.length === 0) return '';
  return formatTable(
    ['STEP', 'TYPE', 'PHASE'],
    steps.map((st) => [
      st.group ? `  ${st.name}` : st.name,
      st.type,
      `${st.phase}${st.reason ? ` (${st.reason})` : ''}${st.message ? `: ${st.message}` : ''}`,
    ]),
  );
}

/** Ready/desired per component (COMPONENT, READY, PHASE, CLUSTERS as `cluster=ready/desired`). */
export function componentsTable(components: readonly ComponentView[]): string {
  if (components.length === 0) return '';
  return formatTable(
    ['COMPONENT', 'READY', 'PHASE', 'CLUSTERS'],
    components.map((c) => [
      c.name,
      c.workload ? runSummary(c) : `${c.readyReplicas}/${c.desiredReplicas}`,
      c.phase,
      cell(
        [
          ...(c.clusters ?? []).map((cl) =>
            c.workload ? cl.cluster : `${cl.cluster}=${cl.readyReplicas}/${cl.desiredReplicas}`,
          ),
          ...(c.unplaced ? [`unplaced=${c.unplaced}`] : []),
        ].join(','),
      ),
    ]),
  );
}

/** A task's or cron-task's READY cell: its runs, since it has no long-running replicas to count. */
function runSummary(c: ComponentView): string {
  const r = c.runs;
  const parts = [`last run: ${r?.lastResult ?? 'none yet'}`];
  if (r?.active) parts.push(`${r.active} running`);
  if (r?.nextScheduleTime) parts.push(`next: ${r.nextScheduleTime}`);
  return parts.join(', ');
}

/** The waiting suspend step, if the workflow waits at one. */
export function suspendedStep(s: AppStatusView): string | undefined {
  return s.workflow?.steps?.find((st) => st.phase === 'suspending')?.name;
}
