import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../kernel/messages/index.ts';
import { DemarcationInputSchema } from './input.ts';
import { AT, badRollout, nodeDown, series, slowSharedDb } from '../../../test/fixtures/demarcation-scenarios.ts';
import { demarcate } from './verdict.ts';

describe('the demarcation verdict', () => {
  it('blames the node, for the platform team, when pods of several components on it fail together', () => {
    const r = demarcate(nodeDown());
    expect(r.verdict.kind).toBe('infrastructure');
    expect(r.verdict.owner).toEqual({ team: 'platform' });
    expect(r.verdict.subject).toMatchObject({
      kind: 'node',
      name: 'n1',
      cluster: 'gov-east',
      vendor: 'huawei-cloud',
      region: 'east',
    });
    expect(r.verdict.reason.code).toBe('VerdictNode');
    const top = r.candidates[0]!;
    expect(top.evidence.spread).toEqual({ components: ['api', 'worker'], pods: 2, anomalousPods: 2 });
    expect(top.evidence.events.map((e) => e.reason)).toEqual(['NodeNotReady']);
    expect(top.reasons.map((m) => m.code)).toContain('EvidenceSpread');
  });

  it('blames the component and its new revision, for its department and vendor, after a bad rollout', () => {
    const r = demarcate(badRollout());
    expect(r.verdict.kind).toBe('application');
    expect(r.verdict.owner).toEqual({ team: 'department', department: 'tax', vendor: 'acme-soft' });
    expect(r.verdict.subject).toMatchObject({ kind: 'component', name: 'orders', revision: 'orders-v7' });
    expect(r.verdict.reason).toMatchObject({
      code: 'VerdictApplicationRevision',
      params: { component: 'orders', application: 'tax-portal', revision: 'orders-v7', minutes: 3 },
    });
    const [first, second] = r.candidates;
    expect(first!.subject.name).toBe('orders');
    expect(first!.evidence.changes).toEqual([
      { at: AT - 180, component: 'orders', revision: 'orders-v7', kind: 'rollout' },
    ]);
    // The caller's errors and latency are explained by its callee's, so it ranks below (or not at all).
    if (second) expect(second.score).toBeLessThan(first!.score / 2);
    const errors = first!.evidence.series.find((e) => e.signal === 'errors')!;
    expect(errors.before).toBeLessThan(0.01);
    expect(errors.after).toBeGreaterThan(0.15);
    expect(first!.evidence.path).toEqual(['frontend', 'orders']);
    expect(renderMessage(r.verdict.reason, 'zh')).toContain('orders-v7');
  });

  it("blames a shared instance's publisher when it is slow and its callers only wait on it", () => {
    const r = demarcate(slowSharedDb());
    expect(r.verdict.kind).toBe('shared-dependency');
    expect(r.verdict.owner).toEqual({ team: 'publisher', publisher: 'db-vendor' });
    expect(r.verdict.subject).toMatchObject({ kind: 'component', name: 'pg-shared' });
    expect(r.verdict.reason.code).toBe('VerdictSharedInstance');
    const top = r.candidates[0]!;
    expect(top.subject.name).toBe('pg-shared');
    expect(['records', 'tax-api']).toContain(top.evidence.path[0]);
    expect(top.evidence.path.at(-1)).toBe('pg-shared');
    // The callers' latency rose, but by what they waited on the database: explained, not their own.
    for (const caller of r.candidates.filter((c) => c.subject.name !== 'pg-shared'))
      expect(caller.score).toBeLessThan(top.score / 2);
  });

  it("calls another department's service a shared dependency and names that department", () => {
    const input = slowSharedDb();
    const r = demarcate({ ...input, components: input.components.map(({ publisher: _, ...c }) => c) });
    expect(r.verdict.kind).toBe('shared-dependency');
    expect(r.verdict.owner).toEqual({ team: 'department', department: 'data-bureau' });
    expect(r.verdict.reason.code).toBe('VerdictSharedService');
  });

  it('is undetermined when nothing moved beyond its usual variation', () => {
    const input = badRollout();
    const quiet = {
      ...input,
      changes: [],
      series: input.series.map((s) => series({ ...s, points: undefined } as never, 0.1, 0.01, undefined, 3)),
    };
    const r = demarcate(quiet);
    expect(r.verdict.kind).toBe('undetermined');
    expect(r.candidates).toEqual([]);
  });

  it('treats implausible values as missing (a latency of 1e15 s is not a fault)', () => {
    const input = badRollout();
    const poisoned = {
      ...input,
      series: [
        ...input.series,
        {
          on: 'pod' as const,
          name: 'invoices-1',
          signal: 'latency' as const,
          quantile: 0.5,
          points: [
            [AT - 120, 0.01],
            [AT - 60, 0.01],
            [AT + 60, 1e15],
          ] as [number, number][],
        },
      ],
    };
    const r = demarcate(poisoned);
    const invoices = r.candidates.find((c) => c.subject.name === 'invoices');
    expect(invoices?.evidence.series.find((e) => e.quantile === 0.5)).toBeUndefined();
    expect(r.verdict.subject?.name).toBe('orders');
  });

  it('takes input that is plain JSON, and replays it to the same verdict', () => {
    const input = DemarcationInputSchema.parse(JSON.parse(JSON.stringify(slowSharedDb())));
    expect(JSON.stringify(demarcate(input))).toBe(JSON.stringify(demarcate(slowSharedDb())));
  });
});
