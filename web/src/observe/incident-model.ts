import { numberFormat } from '../format/format.ts';
import type { MessageKey } from '../i18n/i18n.tsx';
import type { AlertItem, Candidate, Coded, Incident, IncidentState, SeriesEvidence, TimelineEntry } from './types.ts';

/**
 * Pure view models of incidents and alerts (tested apart from the pages): rows for the lists, the verdict with who
 * should act, candidates with their evidence, the timeline, the overview's attention items.
 */

export const VERDICT_KEY: Readonly<Record<string, MessageKey>> = {
  infrastructure: 'observe.verdict.infrastructure',
  application: 'observe.verdict.application',
  'shared-dependency': 'observe.verdict.sharedDependency',
  undetermined: 'observe.verdict.undetermined',
};
export const VERDICT_COLOR: Readonly<Record<string, string>> = {
  infrastructure: 'purple',
  application: 'blue',
  'shared-dependency': 'orange',
  undetermined: 'default',
};
export const STATE_KEY: Readonly<Record<IncidentState, MessageKey>> = {
  open: 'observe.state.open',
  acknowledged: 'observe.state.acknowledged',
  resolved: 'observe.state.resolved',
};
export const STATE_COLOR: Readonly<Record<IncidentState, string>> = {
  open: 'red',
  acknowledged: 'gold',
  resolved: 'green',
};
export const OWNER_KEY: Readonly<Record<string, MessageKey>> = {
  platform: 'observe.owner.platform',
  department: 'observe.owner.department',
  publisher: 'observe.owner.publisher',
};

export const verdictKey = (kind: string | undefined): MessageKey =>
  VERDICT_KEY[kind ?? 'undetermined'] ?? 'observe.verdict.undetermined';

export interface IncidentRow {
  /** `tenant/name`. */
  readonly key: string;
  readonly tenant: string;
  readonly name: string;
  readonly state: IncidentState;
  readonly verdictKind: string;
  readonly culprit?: string;
  readonly final: boolean;
  /** Epoch ms of the onset. */
  readonly at: number;
  readonly symptoms: number;
  /** The verdict's reason (coded), and who should act (coded). */
  readonly reason?: Coded;
  readonly owner?: Coded;
  readonly team?: string;
}

const STATE_ORDER: Readonly<Record<string, number>> = { open: 0, acknowledged: 1, resolved: 2 };

export function incidentRow(i: Incident): IncidentRow {
  const s = i.spec;
  return {
    key: `${i.metadata.tenant ?? ''}/${i.metadata.name}`,
    tenant: i.metadata.tenant ?? '',
    name: i.metadata.name,
    state: s.state,
    verdictKind: s.verdictKind,
    ...(s.culprit !== undefined ? { culprit: s.culprit } : {}),
    final: s.final,
    at: Date.parse(s.at),
    symptoms: s.symptoms.length,
    ...(s.verdict?.reason ? { reason: s.verdict.reason } : {}),
    ...(s.verdict?.ownerText ? { owner: s.verdict.ownerText } : {}),
    ...(s.verdict?.owner ? { team: s.verdict.owner.team } : {}),
  };
}

/** Open first, then acknowledged, then resolved; newest onset first within each; then by key (stable). */
export function sortIncidents(rows: Iterable<IncidentRow>): IncidentRow[] {
  return [...rows].sort(
    (a, b) => (STATE_ORDER[a.state] ?? 3) - (STATE_ORDER[b.state] ?? 3) || b.at - a.at || (a.key < b.key ? -1 : 1),
  );
}

/** The overview's 需要关注: incidents still open or acknowledged, newest first, at most `limit`. */
export function attentionIncidents(rows: Iterable<IncidentRow>, limit: number): IncidentRow[] {
  return sortIncidents([...rows].filter((r) => r.state !== 'resolved')).slice(0, limit);
}

/** Which of acknowledge and resolve a person may press now (the server refuses the rest). */
export function incidentActions(state: IncidentState, writable: boolean): { acknowledge: boolean; resolve: boolean } {
  return { acknowledge: writable && state === 'open', resolve: writable && state !== 'resolved' };
}

/** How a demarcation signal's values read: latency in seconds (shown in ms), shares, cores, bytes, rates. */
const EVIDENCE_UNIT: Readonly<Record<string, 's' | 'ratio' | 'cores' | 'bytes' | 'req/s' | 'count' | '/s'>> = {
  latency: 's',
  outboundLatency: 's',
  errors: 'ratio',
  outboundErrors: 'ratio',
  nodeCpu: 'ratio',
  nodeMemory: 'ratio',
  cpu: 'cores',
  memory: 'bytes',
  requests: 'req/s',
  network: '/s',
  io: '/s',
  restarts: 'count',
  nodeReady: 'count',
  reachable: 'count',
};

export function formatEvidenceValue(v: number | null | undefined, signal: string, locale: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const n = (x: number, d = 2) => numberFormat(locale, { maximumFractionDigits: d }).format(x);
  switch (EVIDENCE_UNIT[signal]) {
    case 's':
      return `${n(v * 1000, 0)} ms`;
    case 'ratio':
      return `${n(v * 100, 1)}%`;
    case 'bytes':
      return `${n(v / 1024 / 1024, 1)} MiB`;
    case 'req/s':
      return `${n(v, 1)} req/s`;
    case '/s':
      return `${n(v, 1)}/s`;
    default:
      return n(v, 2);
  }
}

export interface EvidenceRow {
  readonly key: string;
  /** Where it was measured and, for a call, to whom: `web → signer`. */
  readonly subject: string;
  readonly signal: string;
  readonly quantile?: number;
  readonly before: string;
  readonly after: string;
  /** Robust standard deviations in the bad direction (rounded), or undefined when silent. */
  readonly z?: number;
  readonly silent: boolean;
  readonly explainedBy?: string;
}

/** The series of a candidate's evidence, the largest contribution first (ties: by subject and signal). */
export function evidenceRows(c: Candidate, locale: string): EvidenceRow[] {
  return [...c.evidence.series]
    .sort(
      (a, b) =>
        b.contribution - a.contribution ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
        (a.signal < b.signal ? -1 : a.signal > b.signal ? 1 : 0),
    )
    .map((s: SeriesEvidence, i) => ({
      key: `${i}:${s.on}:${s.name}:${s.signal}:${s.peer ?? ''}:${s.quantile ?? ''}`,
      subject: s.peer ? `${shortName(s.name)} → ${shortName(s.peer)}` : shortName(s.name),
      signal: s.signal,
      ...(s.quantile !== undefined ? { quantile: s.quantile } : {}),
      before: formatEvidenceValue(s.before, s.signal, locale),
      after: s.silent ? '—' : formatEvidenceValue(s.after, s.signal, locale),
      ...(s.silent || s.z === null || !Number.isFinite(s.z) ? {} : { z: Math.round(s.z * 10) / 10 }),
      silent: s.silent,
      ...(s.explained ? { explainedBy: shortName(s.explained.by) } : {}),
    }));
}

/** `edu--enrolment-portal/web` → `web` (the namespace is the application's, shown elsewhere). */
export function shortName(id: string): string {
  const slash = id.lastIndexOf('/');
  return slash >= 0 ? id.slice(slash + 1) : id;
}

/** The path the fault travelled, caller first, ending at the candidate, in short names. */
export function pathOf(c: Candidate): string[] {
  return c.evidence.path.map(shortName);
}

/** The timeline oldest first (the server's order is by time already; people's entries are merged in). */
export function timelineOf(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return [...entries].sort((a, b) => a.at - b.at);
}

/** Whether a timeline entry is a person's (not the engine's). */
export const byPerson = (e: TimelineEntry): boolean => !e.actor.startsWith('system:');

export interface AlertRow {
  readonly key: string;
  readonly rule: string;
  readonly tenant?: string;
  readonly severity: string;
  readonly state: string;
  /** Epoch ms since it fires (or is pending). */
  readonly since: number;
  readonly target: string;
  readonly message: Coded;
  readonly description?: { readonly zh: string; readonly en: string };
  /** Held back: by a dead cluster's alert, or a silence. Shown, never hidden. */
  readonly inhibitedBy?: string;
  readonly silencedBy?: string;
}

const ALERT_ORDER: Readonly<Record<string, number>> = { firing: 0, pending: 1, resolved: 2 };
const SEVERITY_ORDER: Readonly<Record<string, number>> = { page: 0, ticket: 1, info: 2 };

/**
 * The alerts as rows: firing first, then pending, then recently resolved; pages before tickets; the oldest first
 * within them (what has burned longest). Inhibited and silenced alerts stay in the list, marked.
 */
export function alertRows(items: readonly AlertItem[]): AlertRow[] {
  return items
    .map((a) => {
      const l = a.labels;
      const target = [l.app && l.component ? `${l.app}/${l.component}` : l.app, l.cluster, l.node]
        .filter(Boolean)
        .join(' · ');
      return {
        key: a.key,
        rule: a.rule,
        ...(a.tenant !== undefined ? { tenant: a.tenant } : {}),
        severity: a.severity,
        state: a.state,
        since: a.firedAt ?? a.activeAt,
        target,
        message: a.message,
        ...(a.description ? { description: a.description } : {}),
        ...(a.inhibitedBy ? { inhibitedBy: a.inhibitedBy.cluster } : {}),
        ...(a.silencedBy ? { silencedBy: a.silencedBy } : {}),
      };
    })
    .sort(
      (a, b) =>
        (ALERT_ORDER[a.state] ?? 3) - (ALERT_ORDER[b.state] ?? 3) ||
        (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3) ||
        a.since - b.since ||
        (a.key < b.key ? -1 : 1),
    );
}

const EVIDENCE_SIGNALS = new Set([
  'latency',
  'errors',
  'cpu',
  'memory',
  'restarts',
  'requests',
  'outboundLatency',
  'outboundErrors',
  'network',
  'io',
  'nodeCpu',
  'nodeMemory',
  'nodeReady',
  'reachable',
  'event',
]);
const SUBJECT_KINDS = new Set(['component', 'pod', 'node', 'cluster', 'network']);

/** The catalogue key of a demarcation signal's name (`errors` → 错误率), or undefined for one this console does not know. */
export function evidenceSignalKey(signal: string): MessageKey | undefined {
  return EVIDENCE_SIGNALS.has(signal) ? (`observe.evidence.${signal}` as MessageKey) : undefined;
}

/** The catalogue key of a candidate's kind (component, node, cluster …), or undefined. */
export function subjectKindKey(kind: string): MessageKey | undefined {
  return SUBJECT_KINDS.has(kind) ? (`observe.subject.${kind}` as MessageKey) : undefined;
}
