import { describe, expect, it } from 'vitest';
import {
  alertRows,
  attentionIncidents,
  evidenceRows,
  evidenceSignalKey,
  incidentActions,
  incidentRow,
  pathOf,
  sortIncidents,
  subjectKindKey,
  timelineOf,
  verdictKey,
} from './incident-model.ts';
import type { AlertItem, Candidate, Incident } from './types.ts';

const coded = (code: string, params = {}) => ({ code, params, message: code });

function incident(name: string, state: Incident['spec']['state'], at: string, tenant = 'tax'): Incident {
  return {
    apiVersion: 'polis.io/v1',
    kind: 'Incident',
    metadata: { name, tenant, resourceVersion: '1' },
    spec: {
      cause: name,
      state,
      at,
      openedAt: at,
      verdictAt: at,
      final: true,
      verdictKind: 'application',
      culprit: 'tax--e-invoice/signer',
      symptoms: [],
      verdict: {
        kind: 'application',
        owner: { team: 'department', department: tenant, vendor: 'acme' },
        subject: { kind: 'component', name: 'tax--e-invoice/signer' },
        reason: coded('VerdictComponent', { component: 'signer' }),
        ownerText: coded('OwnerDepartment', { department: tenant }),
      },
      candidates: [],
      timeline: [],
    },
  } as unknown as Incident;
}

describe('the incident view model', () => {
  it('makes a row with the verdict, its coded reason and who should act', () => {
    const r = incidentRow(incident('inc-1', 'open', '2026-07-01T01:40:00Z'));
    expect(r).toMatchObject({
      key: 'tax/inc-1',
      state: 'open',
      verdictKind: 'application',
      team: 'department',
      reason: { code: 'VerdictComponent' },
      owner: { code: 'OwnerDepartment' },
    });
    expect(r.at).toBe(Date.parse('2026-07-01T01:40:00Z'));
    expect(verdictKey('shared-dependency')).toBe('observe.verdict.sharedDependency');
    expect(verdictKey('something-new')).toBe('observe.verdict.undetermined');
  });

  it('lists open before acknowledged before resolved, newest first; attention leaves the resolved out', () => {
    const rows = [
      incident('old-open', 'open', '2026-07-01T01:00:00Z'),
      incident('resolved', 'resolved', '2026-07-01T03:00:00Z'),
      incident('acked', 'acknowledged', '2026-07-01T02:30:00Z'),
      incident('new-open', 'open', '2026-07-01T02:00:00Z'),
    ].map(incidentRow);
    expect(sortIncidents(rows).map((r) => r.name)).toEqual(['new-open', 'old-open', 'acked', 'resolved']);
    expect(attentionIncidents(rows, 2).map((r) => r.name)).toEqual(['new-open', 'old-open']);
    expect(attentionIncidents(rows, 9).some((r) => r.state === 'resolved')).toBe(false);
  });

  it('offers acknowledge on an open incident and resolve until resolved, only to who may write', () => {
    expect(incidentActions('open', true)).toEqual({ acknowledge: true, resolve: true });
    expect(incidentActions('acknowledged', true)).toEqual({ acknowledge: false, resolve: true });
    expect(incidentActions('resolved', true)).toEqual({ acknowledge: false, resolve: false });
    expect(incidentActions('open', false)).toEqual({ acknowledge: false, resolve: false });
  });

  it('shows a candidate’s evidence strongest first, before → after in the signal’s unit, silence as such', () => {
    const c: Candidate = {
      rank: 1,
      subject: { kind: 'component', name: 'tax--e-invoice/signer' },
      score: 3.2,
      evidence: {
        series: [
          {
            on: 'component',
            name: 'tax--e-invoice/signer',
            signal: 'latency',
            quantile: 0.99,
            before: 0.04,
            after: 0.45,
            z: 12.34,
            silent: false,
            contribution: 1.5,
          },
          {
            on: 'component',
            name: 'tax--e-invoice/signer',
            signal: 'errors',
            before: 0.001,
            after: 0.3,
            z: 40,
            silent: false,
            contribution: 2.5,
          },
          {
            on: 'pod',
            name: 'signer-abc',
            signal: 'cpu',
            before: 0.2,
            after: null,
            z: null,
            silent: true,
            contribution: 1,
          },
          {
            on: 'component',
            name: 'tax--e-invoice/gateway',
            signal: 'outboundLatency',
            peer: 'tax--e-invoice/signer',
            before: 0.05,
            after: 0.5,
            z: 9,
            silent: false,
            contribution: 0,
            explained: { by: 'tax--e-invoice/signer', amount: 0.4 },
          },
        ],
        events: [],
        changes: [],
        path: ['tax--e-invoice/gateway', 'tax--e-invoice/signer'],
      },
    };
    const rows = evidenceRows(c, 'en');
    expect(rows.map((r) => r.signal)).toEqual(['errors', 'latency', 'cpu', 'outboundLatency']);
    expect(rows[0]).toMatchObject({ subject: 'signer', before: '0.1%', after: '30%', z: 40 });
    expect(rows[1]).toMatchObject({ before: '40 ms', after: '450 ms', z: 12.3, quantile: 0.99 });
    expect(rows[2]).toMatchObject({ silent: true, after: '—' });
    expect(rows[2]!.z).toBeUndefined();
    expect(rows[3]).toMatchObject({ subject: 'gateway → signer', explainedBy: 'signer' });
    expect(pathOf(c)).toEqual(['gateway', 'signer']);
  });

  it('names evidence signals and candidate kinds from the catalogue, leaving unknown ones raw', () => {
    expect(evidenceSignalKey('outboundErrors')).toBe('observe.evidence.outboundErrors');
    expect(evidenceSignalKey('somethingNew')).toBeUndefined();
    expect(subjectKindKey('node')).toBe('observe.subject.node');
    expect(subjectKindKey('galaxy')).toBeUndefined();
  });

  it('orders the timeline oldest first', () => {
    const e = (at: number, action: string) => ({ at, actor: 'system:incidents', action, message: coded('X') });
    expect(timelineOf([e(30, 'acknowledged'), e(10, 'opened'), e(20, 'verdict')]).map((x) => x.action)).toEqual([
      'opened',
      'verdict',
      'acknowledged',
    ]);
  });
});

describe('the alert rows', () => {
  const alert = (key: string, over: Partial<AlertItem>): AlertItem => ({
    key,
    rule: key,
    severity: 'page',
    labels: { tenant: 'edu', app: 'portal', component: 'web' },
    state: 'firing',
    activeAt: 1000,
    message: coded('AlertThreshold'),
    ...over,
  });

  it('lists firing before pending before resolved, pages first, longest burning first', () => {
    const rows = alertRows([
      alert('resolved', { state: 'resolved' }),
      alert('ticket', { severity: 'ticket', firedAt: 500 }),
      alert('pending', { state: 'pending' }),
      alert('late-page', { firedAt: 3000 }),
      alert('early-page', { firedAt: 2000 }),
    ]);
    expect(rows.map((r) => r.key)).toEqual(['early-page', 'late-page', 'ticket', 'pending', 'resolved']);
    expect(rows[0]!.target).toBe('portal/web');
  });

  it('keeps inhibited and silenced alerts, marked with what holds them back', () => {
    const rows = alertRows([
      alert('held', { inhibitedBy: { key: 'k', rule: 'cluster-unreachable', cluster: 'gov-east' } }),
      alert('quiet', { silencedBy: 'edu/maintenance' }),
    ]);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.key === 'held')!.inhibitedBy).toBe('gov-east');
    expect(rows.find((r) => r.key === 'quiet')!.silencedBy).toBe('edu/maintenance');
  });
});
