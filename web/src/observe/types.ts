import type { Params } from '../../../src/kernel/messages/index.ts';
import type { KubeObject } from '../api/watch-reducer.ts';

/**
 * What the observe routes answer (docs/observe.md), narrowed to what the console reads. The server's own types
 * (src/observe/…) are the reference; they are not imported so the console's program stays free of server code.
 */

export interface Coded {
  readonly code: string;
  readonly params?: Params;
  readonly message: string;
}

/** `GET /api/v1/tenants/{t}/history`, `GET /api/v1/history`. Points are `[epoch seconds, value | null]`. */
export interface HistoryView {
  readonly kind: 'MetricHistory';
  readonly signal: string;
  readonly unit: string;
  readonly from: string;
  readonly to: string;
  readonly stepSeconds: number;
  readonly resolutionSeconds: number;
  readonly series: readonly { readonly labels: Readonly<Record<string, string>>; readonly values: readonly Point[] }[];
  readonly total: readonly Point[];
}
export type Point = readonly [number, number | null];

export type VerdictKind = 'infrastructure' | 'application' | 'shared-dependency' | 'undetermined';

export type Owner =
  | { readonly team: 'platform' }
  | { readonly team: 'department'; readonly department: string; readonly vendor?: string }
  | { readonly team: 'publisher'; readonly publisher: string };

export interface Verdict {
  readonly kind: VerdictKind;
  readonly owner: Owner;
  readonly subject?: {
    readonly kind: 'component' | 'node' | 'cluster' | 'network';
    readonly name: string;
    readonly caller?: string;
    readonly cluster?: string;
    readonly vendor?: string;
    readonly region?: string;
    readonly application?: string;
    readonly department?: string;
    readonly revision?: string;
  };
  readonly reason: Coded;
  readonly ownerText: Coded;
}

export interface SeriesEvidence {
  readonly on: 'component' | 'pod' | 'node' | 'cluster' | string;
  readonly name: string;
  readonly signal: string;
  readonly quantile?: number;
  readonly peer?: string;
  readonly before: number | null;
  /** NaN on the server (silent), which JSON carries as null. */
  readonly after: number | null;
  readonly z: number | null;
  readonly explained?: { readonly by: string; readonly amount: number };
  readonly silent: boolean;
  readonly contribution: number;
}

export interface Candidate {
  readonly rank: number;
  readonly subject: { readonly kind: 'component' | 'node' | 'cluster'; readonly name: string };
  readonly score: number;
  readonly reasons?: readonly Coded[];
  readonly evidence: {
    readonly series: readonly SeriesEvidence[];
    readonly events: readonly {
      readonly at: number;
      readonly on: string;
      readonly name: string;
      readonly reason: string;
    }[];
    readonly changes: readonly {
      readonly at: number;
      readonly component: string;
      readonly revision?: string;
      readonly kind: 'rollout' | 'config' | 'scale';
    }[];
    readonly path: readonly string[];
    readonly spread?: { readonly components: readonly string[]; readonly pods: number; readonly anomalousPods: number };
  };
}

export interface TimelineEntry {
  /** Epoch seconds. */
  readonly at: number;
  readonly actor: string;
  readonly action: 'opened' | 'symptom' | 'verdict' | 'merged' | 'acknowledged' | 'resolved' | string;
  readonly message: Coded;
}

export interface Symptom {
  readonly id: string;
  readonly on: 'component' | 'node' | 'cluster';
  readonly name: string;
  readonly signal: string;
  readonly detail?: string;
  readonly since: number;
  readonly value: number;
  readonly baseline: number;
  readonly threshold: number;
}

export type IncidentState = 'open' | 'acknowledged' | 'resolved';

export interface Incident extends KubeObject {
  readonly spec: {
    readonly cause: string;
    readonly state: IncidentState;
    readonly at: string;
    readonly openedAt: string;
    readonly verdictAt: string;
    readonly final: boolean;
    readonly verdictKind: VerdictKind | string;
    readonly culprit?: string;
    readonly symptoms: readonly Symptom[];
    readonly verdict: Verdict;
    readonly candidates: readonly Candidate[];
    readonly timeline: readonly TimelineEntry[];
  };
}

/** `GET …/alerts`: an alert as evaluated (pending, firing, recently resolved). Times are epoch ms. */
export interface AlertItem {
  readonly key: string;
  readonly rule: string;
  readonly tenant?: string;
  readonly severity: 'page' | 'ticket' | 'info' | string;
  readonly labels: Readonly<Record<string, string | undefined>>;
  readonly state: 'pending' | 'firing' | 'resolved' | string;
  readonly activeAt: number;
  readonly firedAt?: number;
  readonly resolvedAt?: number;
  readonly value?: number;
  readonly message: Coded;
  readonly description?: { readonly zh: string; readonly en: string };
  readonly inhibitedBy?: { readonly key: string; readonly rule: string; readonly cluster: string };
  /** The silence in force that holds its notices back (`department/name`). */
  readonly silencedBy?: string;
}

/** `GET …/applications/{app}/pods`. */
export interface PodItem {
  readonly namespace: string;
  readonly name: string;
  readonly component?: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly restarts: number;
  readonly node?: string;
  readonly createdAt: string;
  readonly ageSeconds: number;
  readonly reason?: string;
  readonly lastTermination?: string;
  readonly containers: readonly string[];
}
export interface ClusterPods {
  readonly cluster: string;
  readonly reachable: boolean;
  readonly detail?: Coded;
  readonly pods: readonly PodItem[];
}

/** `GET …/applications/{app}/topology`: components (`namespace/component`) and opaque services they call. */
export interface TopologyNode {
  readonly id: string;
  readonly department?: string;
  readonly application: string;
  readonly component?: string;
  readonly publisher?: string;
  /** An opaque node: a shared instance or another department's service, `owner` answers for it. */
  readonly opaque?: true;
  readonly kind?: 'shared-instance' | 'department-service';
  readonly owner?: string;
}
export interface TopologyEdge {
  readonly from: string;
  readonly to: string;
  readonly sources: readonly string[];
  readonly rps?: number;
  readonly errorRate?: number;
  readonly p50Ms?: number;
}
export interface TopologyView {
  readonly nodes: readonly TopologyNode[];
  readonly edges: readonly TopologyEdge[];
}
