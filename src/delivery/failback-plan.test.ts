import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ApplicationSpec } from '../apps/application-kind.ts';
import type { AppStatus } from './app-status.ts';
import type { DeliveryPlan } from './desired-state.ts';
import { planDelivery } from './desired-state.ts';
import { TWO_REGIONS } from './delivery-fixtures.ts';
import { EventNotes } from './event-notes.ts';
import { planFailback, replicasOf, SURGE_RECHECK_MS } from './failback-plan.ts';
import { ownerOf } from './namespace.ts';
import { deploySteps } from './workflow.ts';

/**
 * examples/apps/40-hrss-social-security.yaml: deploy-east (500m) and deploy-west (override west-small, 250m), each
 * with a topology of one cluster. gov-west is partitioned, heals, and the application fails back, in virtual time.
 */
const spec = (parse(readFileSync('examples/apps/40-hrss-social-security.yaml', 'utf8')) as { spec: ApplicationSpec })
  .spec;
const owner = ownerOf('hrss', 'social-security-query', undefined);
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** Each cluster's query Deployment: "replicas x cpu request". */
function deployments(plan: DeliveryPlan): Record<string, string[]> {
  return Object.fromEntries(
    plan.clusters.map((c) => [
      c.cluster,
      c.manifests
        .filter((m) => m.kind === 'Deployment')
        .map((m) => {
          const s = m.spec as {
            replicas: number;
            template: { spec: { containers: { resources?: { requests?: { cpu?: string } } }[] } };
          };
          return `${s.replicas}x${s.template.spec.containers[0]!.resources?.requests?.cpu}`;
        }),
    ]),
  );
}

/** A status as delivery writes it after applying `plan`, with every replica it places ready. */
function statusAfter(plan: DeliveryPlan, failover: AppStatus['failover'], ready = (_c: string) => true): AppStatus {
  const placement = replicasOf(plan.placement);
  return {
    observedGeneration: 1,
    revision: 'social-security-query-v1',
    phase: 'Running',
    healthy: true,
    conditions: [],
    placement,
    clusters: plan.clusters.map((c) => c.cluster),
    components: Object.entries(placement).map(([name, byCluster]) => ({
      name,
      clusters: Object.entries(byCluster).map(([cluster, n]) => ({
        cluster,
        readyReplicas: ready(cluster) ? n : 0,
        phase: 'Running',
      })),
    })),
    ...(failover ? { failover } : {}),
  } as unknown as AppStatus;
}

describe('failback of an application with one deploy step per cluster', () => {
  const base = { owner, spec, revision: 'social-security-query-v1', steps: deploySteps(spec), generation: 1 };
  const candidates = (westHealthy: boolean) =>
    TWO_REGIONS.map((c) => (c.name === 'gov-west' && !westHealthy ? { ...c, healthy: false } : c));
  const sticky = (status: AppStatus | undefined, westHealthy: boolean) => {
    const r = planDelivery({ ...base, candidates: candidates(westHealthy), current: status?.placement ?? {} });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r;
  };
  /** One reconcile at `now` (seconds): gov-west's health state and since when. */
  const reconcile = (status: AppStatus | undefined, s: number, west: { state: string; since: number }) => {
    const healthy = west.state === 'Ready';
    const notes = new EventNotes();
    const out = planFailback(
      { ...base, candidates: candidates(healthy), current: {} } as never,
      sticky(status, healthy),
      status,
      new Set(healthy ? ['gov-east', 'gov-west'] : ['gov-east']),
      (c) => (c === 'gov-west' ? { state: west.state, since: at(west.since) } : { state: 'Ready', since: at(-3600) }),
      at(s),
      notes,
    );
    return { ...out, reasons: notes.grouped().map((n) => n.reason) };
  };

  it('renders each cluster with its own step’s spec through failover and failback, and fails back after the stabilization period', () => {
    let status = statusAfter(sticky(undefined, true), undefined);
    expect(deployments(sticky(undefined, true))).toEqual({ 'gov-east': ['2x500m'], 'gov-west': ['2x250m'] });

    // Partition at 0 s: gov-west Unreachable at 6 s. deploy-west's topology has no other cluster: its replicas are
    // not moved (KubeVela's topology binds them to gov-west), gov-east keeps its own 2 at 500m.
    let r = reconcile(status, 6, { state: 'Unreachable', since: 6 });
    expect(r.reasons).toContain('FailedOver');
    expect(r.failover).toMatchObject({ origins: ['gov-west'], phase: 'failed-over' });
    expect(deployments(r.plan)).toEqual({ 'gov-east': ['2x500m'] });
    status = statusAfter(r.plan, r.failover);

    // Healed at 900 s (Ready again): held off gov-west for the 60 s stabilization period, gov-east unchanged.
    r = reconcile(status, 904, { state: 'Ready', since: 904 });
    expect(r.failover?.phase).toBe('failed-over');
    expect(r.recheckInMs).toBe(60_100);
    expect(deployments(r.plan)).toEqual({ 'gov-east': ['2x500m'] });
    status = statusAfter(r.plan, r.failover);

    // 60 s later: the surge. gov-west gets its replicas back at its own 250m; gov-east keeps 500m (it took
    // deploy-west's 250m override here before: every step's overrides were applied to every cluster of a surge).
    r = reconcile(status, 964.1, { state: 'Ready', since: 904 });
    expect(r.reasons).toContain('FailingBack');
    expect(r.failover?.phase).toBe('failing-back');
    expect(deployments(r.plan)).toEqual({ 'gov-east': ['2x500m'], 'gov-west': ['2x250m'] });
    // It looks again soon for the origins' replicas being ready: nothing else may queue it (the resync is minutes away).
    expect(r.recheckInMs).toBe(SURGE_RECHECK_MS);
    // Room is reserved at the surge's demand, as at the target's: deploy-east's 500m (the larger; never the 250m).
    expect(r.plan.demands.find((d) => d.name === 'query')?.perReplica.cpuMilli).toBe(500);

    // Not ready on gov-west yet: the surge stays, and still renders each cluster as its own.
    status = statusAfter(r.plan, r.failover, (c) => c !== 'gov-west');
    r = reconcile(status, 970, { state: 'Ready', since: 904 });
    expect(r.failover?.phase).toBe('failing-back');
    expect(deployments(r.plan)).toEqual({ 'gov-east': ['2x500m'], 'gov-west': ['2x250m'] });

    // Ready there: failed back, the failover is over.
    status = statusAfter(r.plan, r.failover);
    r = reconcile(status, 975, { state: 'Ready', since: 904 });
    expect(r.reasons).toContain('FailedBack');
    expect(r.failover).toBeUndefined();
    expect(deployments(r.plan)).toEqual({ 'gov-east': ['2x500m'], 'gov-west': ['2x250m'] });
  });
});
