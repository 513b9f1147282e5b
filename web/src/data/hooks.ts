import { useEffect, useMemo, useRef, useState } from 'react';
import type { ApiError } from '../api/api-error.ts';
import { toApiError } from '../api/api-error.ts';
import { api } from '../api/client.ts';
import { paths } from '../api/paths.ts';
import type { Application, ApplicationSummary, Cluster, DepartmentUsage, PlatformWarning, PolisEvent } from '../api/types.ts';
import { useCollection } from '../api/use-collection.ts';
import type { AppRow } from './app-rows.ts';
import { appRow, sortRows } from './app-rows.ts';

/** Every cluster, live (readable by every signed-in user). */
export function useClusters() {
  const snap = useCollection<Cluster>('clusters', () => ({ path: paths.clusters }));
  const items = useMemo(
    () => [...snap.state.items.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)),
    [snap.state.items],
  );
  return { ...snap, items };
}

/**
 * Every application the user may see, as rows, live; paged in 500 at a time so big estates show at once. The
 * server sends each application as a row reads it (`view=rows`): a page opens the whole object when it needs it.
 */
export function useApplicationRows(enabled = true) {
  const snap = useCollection<Application, AppRow>(enabled ? 'application-rows' : undefined, () => ({
    path: paths.applicationRows,
    project: appRow,
    pageSize: 500,
  }));
  const rows = useMemo(() => sortRows(snap.state.items.values()), [snap.state.items]);
  return { ...snap, rows };
}

/**
 * The newest revision at which any application the user may see changed, live, without listing them: for figures
 * computed on the server (usage) that should follow the applications. Nothing is kept of the objects.
 */
export function useApplicationsRevision(enabled = true): string {
  return useApplicationChanges(enabled).state.resourceVersion;
}

function useApplicationChanges(enabled: boolean) {
  return useCollection<Application, never>(enabled ? 'application-changes' : undefined, () => ({
    path: paths.applicationRows,
    project: () => undefined,
    recent: 1,
  }));
}

/**
 * Applications by health, per cluster and per department, summed on the server over what the user may see, and
 * read again as they change (at most every 2 s): the overview, the clusters page and the big screen show these
 * instead of listing 10,000 applications. `revision` moves with every application change.
 */
export function useApplicationSummary(enabled = true) {
  const changes = useApplicationChanges(enabled);
  const revision = changes.state.resourceVersion;
  const r = useFetch<ApplicationSummary>(enabled ? paths.applicationSummary : undefined, [revision], 2000);
  return { ...r, summary: r.data, revision, live: changes.live };
}

/** Events of the last few thousand store changes across the departments the user may see, newest first. */
export function useRecentEvents(limit = 50, enabled = true) {
  const snap = useCollection<PolisEvent>(enabled ? 'recent-events' : undefined, () => ({
    path: paths.allEvents,
    recent: 5000,
  }));
  const items = useMemo(() => newestEvents(snap.state.items.values(), limit), [snap.state.items, limit]);
  return { ...snap, items };
}

/** A department's events, live. */
export function useDepartmentEvents(tenant: string | undefined) {
  return useCollection<PolisEvent>(tenant ? `events/${tenant}` : undefined, () => ({ path: paths.events(tenant!) }));
}

export function eventTime(e: PolisEvent): string {
  return e.spec.lastTimestamp ?? e.spec.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
}

export function newestEvents(events: Iterable<PolisEvent>, limit: number): PolisEvent[] {
  return [...events].sort((a, b) => (eventTime(a) < eventTime(b) ? 1 : eventTime(a) > eventTime(b) ? -1 : 0)).slice(0, limit);
}

/**
 * A one-off read that reloads when `deps` change, at most every `minIntervalMs` (usage follows the applications
 * and clusters it is computed from, without asking on every event). One read at a time: a change while a read is in
 * flight asks for one more read after it, and the answer in flight is still shown (a slow answer is never thrown
 * away because the deps moved on, so a page over a busy estate shows its data instead of waiting for calm).
 */
export function useFetch<T>(path: string | undefined, deps: readonly unknown[] = [], minIntervalMs = 2000) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inFlight = useRef(false);
  const again = useRef(false);
  const ctrl = useRef<AbortController | undefined>(undefined);
  useEffect(() => {
    const own = new AbortController();
    ctrl.current = own;
    inFlight.current = false;
    again.current = false;
    return () => {
      own.abort();
      if (timer.current) clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [path]);
  useEffect(() => {
    if (!path) return;
    const signal = ctrl.current?.signal;
    const schedule = () => {
      if (timer.current) return;
      if (inFlight.current) {
        again.current = true;
        return;
      }
      const wait = Math.max(0, last.current + minIntervalMs - Date.now());
      timer.current = setTimeout(() => {
        timer.current = undefined;
        last.current = Date.now();
        inFlight.current = true;
        again.current = false;
        api<T>(path, { signal })
          .then((d) => {
            if (signal?.aborted) return;
            setData(d);
            setError(undefined);
          })
          .catch((e: unknown) => {
            if ((e as Error).name !== 'AbortError' && !signal?.aborted) setError(toApiError(e));
          })
          .finally(() => {
            if (signal?.aborted) return;
            inFlight.current = false;
            setLoading(false);
            if (again.current) schedule();
          });
      }, wait);
    };
    schedule();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, nonce, ...deps]);
  return { data, error, loading, reload: () => setNonce((n) => n + 1) };
}

/** Usage per department the user may see (quota, requested, placed, cost per hour, share), and platform warnings. */
export function useUsage(trigger: unknown, enabled = true) {
  const r = useFetch<{ items: DepartmentUsage[]; warnings?: PlatformWarning[] }>(
    enabled ? paths.usage : undefined,
    [trigger],
    3000,
  );
  return { ...r, items: r.data?.items ?? [], warnings: r.data?.warnings ?? [] };
}

/** Re-renders every `ms` (relative times, heartbeats). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
