import type { Message } from '../../kernel/messages/index.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { Alert } from '../alerts/evaluate.ts';
import type { Verdict } from '../demarcation/verdict.ts';
import type { Severity } from '../alerts/rules.ts';
import type { Owner } from './notify-kinds.ts';

/**
 * What is notified: an alert that fired or resolved, or an incident (issue 15 point 5 groups alerts into
 * incidents and calls `notify` with one). Everything a person reads in it is coded.
 */
export interface Notice {
  readonly kind: 'alert' | 'incident';
  /** The alert's key or the incident's name: with `status`, what makes a notice unique. */
  readonly id: string;
  readonly status: 'firing' | 'resolved' | 'open' | 'acknowledged';
  /** The department it is about; absent for the platform's own (a cluster's). */
  readonly tenant?: string;
  readonly severity: Severity;
  /** Who should act (an incident's verdict owner; for an alert, the platform team for a cluster's, else the department). */
  readonly owner: Owner;
  readonly rule?: string;
  readonly title: Message;
  readonly message: Message;
  readonly labels: Readonly<Record<string, string>>;
  /** Set when a dead cluster's alert holds it back (shown in the record, not sent). */
  readonly inhibitedBy?: { readonly rule: string; readonly cluster: string };
  /** Epoch ms of the change. */
  readonly at: number;
}

/** The notice of an alert's transition. */
export function alertNotice(alert: Alert, type: 'fired' | 'resolved', at: number): Notice {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(alert.labels)) if (typeof v === 'string') labels[k] = v;
  return {
    kind: 'alert',
    id: alert.key,
    status: type === 'fired' ? 'firing' : 'resolved',
    ...(alert.tenant !== undefined ? { tenant: alert.tenant } : {}),
    severity: alert.severity,
    owner: alert.tenant === undefined ? 'platform' : 'department',
    rule: alert.rule,
    title: msg(type === 'fired' ? 'NotifyTitleFiring' : 'NotifyTitleResolved', {
      severity: alert.severity,
      rule: alert.rule,
    }),
    message: alert.message,
    labels,
    ...(alert.inhibitedBy ? { inhibitedBy: { rule: alert.inhibitedBy.rule, cluster: alert.inhibitedBy.cluster } } : {}),
    at,
  };
}

/** The notice of an incident opened for a department: paged, to the owner its verdict names, with its reason. */
export function incidentNotice(incident: StoredObject, at: number): Notice {
  const spec = incident.spec as { state: string; verdictKind: string; culprit?: string; verdict: Verdict };
  const team = spec.verdict.owner.team;
  return {
    kind: 'incident',
    id: incident.metadata.name,
    status: spec.state === 'acknowledged' ? 'acknowledged' : 'open',
    tenant: incident.metadata.tenant,
    severity: 'page',
    owner: team === 'department' && spec.verdict.owner.vendor ? 'vendor' : team,
    title: msg('NotifyTitleIncident', { severity: 'page', incident: incident.metadata.name, state: spec.state }),
    message: spec.verdict.reason,
    labels: {
      verdict: spec.verdictKind,
      ...(spec.culprit ? { culprit: spec.culprit } : {}),
      ...(incident.metadata.tenant ? { tenant: incident.metadata.tenant } : {}),
    },
    at,
  };
}
