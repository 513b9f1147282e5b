import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { paths } from '../../api/paths.ts';
import { Link } from '../../app/router.tsx';
import { useCan } from '../../auth/session.tsx';
import type { ChartOption } from '../../charts/chart.tsx';
import { Chart } from '../../charts/chart.tsx';
import { PHASE_COLOR, phaseKey } from '../../components/status-tags.tsx';
import { useApplicationSummary, useClusters, useNow, useUsage } from '../../data/hooks.ts';
import { formatBytes, formatCores, formatPercent, formatYuan } from '../../format/format.ts';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { capacityTotals } from '../overview/overview-model.ts';
import { costTotals, healthCounts, summaryTotals, tileScreens } from './bigscreen-model.ts';
import { C, EventList, Kpi, Panel, Tile, zoneKey } from './bigscreen-parts.tsx';
import { EventFeed } from './event-feed.ts';

/** The design size: everything is laid out in these pixels and scaled to the screen (1080p, 4K, anything). */
const W = 1920;
const H = 1080;
const TILES_PER_SCREEN = 18;
const CYCLE_MS = 10_000;
const EVENTS = 12;

let marked = false;

/** Scale of the 1920×1080 design on this window (2 on a 3840×2160 screen), kept current on resize. */
function useScale(): number {
  const [scale, setScale] = useState(() => Math.min(window.innerWidth / W, window.innerHeight / H));
  useEffect(() => {
    const on = () => setScale(Math.min(window.innerWidth / W, window.innerHeight / H));
    window.addEventListener('resize', on);
    return () => window.removeEventListener('resize', on);
  }, []);
  return scale;
}

/** The latest events and Warning events, bounded, for as long as the big screen is open. */
function useEventFeed(enabled: boolean) {
  const [feed] = useState(() => new EventFeed({ path: paths.allEvents, recent: 2000, limit: EVENTS }));
  useEffect(() => {
    if (!enabled) return;
    feed.start();
    return () => feed.stop();
  }, [feed, enabled]);
  return useSyncExternalStore(feed.subscribe, feed.getSnapshot);
}

export function BigScreenPage() {
  const { t, lang, locale } = useI18n();
  const can = useCan();
  const scale = useScale();
  const now = useNow(1000);
  const clusters = useClusters();
  // Sums from the server (issue 13): the big screen keeps no application, however many the city runs.
  const apps = useApplicationSummary(can.canReadApplications);
  const usage = useUsage(apps.revision, can.canReadApplications);
  const events = useEventFeed(can.canReadApplications);
  const [screen, setScreen] = useState(0);

  const totals = useMemo(() => summaryTotals(apps.summary), [apps.summary]);
  const city = can.allDepartments;
  const own = useMemo(
    () => (city ? undefined : new Set(Object.keys(totals.replicas).filter((c) => totals.replicas[c]! > 0))),
    [city, totals.replicas],
  );
  const shownClusters = useMemo(
    () => (own ? clusters.items.filter((c) => own.has(c.metadata.name)) : clusters.items),
    [clusters.items, own],
  );
  const screens = useMemo(() => tileScreens(clusters.items, TILES_PER_SCREEN, own), [clusters.items, own]);
  const counts = useMemo(() => healthCounts(shownClusters), [shownClusters]);
  const capacity = useMemo(() => capacityTotals(shownClusters), [shownClusters]);
  const cost = useMemo(() => costTotals(usage.items, 10), [usage.items]);
  const departmentName = useMemo(() => {
    const names = new Map(usage.items.map((u) => [u.tenant, localName(u.displayName, lang, u.tenant)]));
    return (tenant: string) => names.get(tenant) ?? tenant;
  }, [usage.items, lang]);

  useEffect(() => {
    if (screens.length <= 1) return;
    const id = setInterval(() => setScreen((s) => s + 1), CYCLE_MS);
    return () => clearInterval(id);
  }, [screens.length]);
  const page = screens.length ? screen % screens.length : 0;

  const ready = !clusters.loading && (!can.canReadApplications || (!apps.loading && !usage.loading));
  useEffect(() => {
    // For bench/console: the big screen's first render with data.
    if (ready && !marked) {
      marked = true;
      performance.mark('polis:bigscreen-ready');
    }
  }, [ready]);

  const healthOption = useMemo<ChartOption>(
    () => ({
      backgroundColor: 'transparent',
      tooltip: { trigger: 'item' },
      legend: { bottom: 0, textStyle: { color: C.dim, fontSize: 14 } },
      series: [
        {
          type: 'pie',
          radius: ['48%', '72%'],
          center: ['50%', '44%'],
          label: { color: C.text, fontSize: 15, formatter: '{c}' },
          itemStyle: { borderColor: C.bg, borderWidth: 2 },
          data: Object.entries(totals.byPhase)
            .sort((a, b) => (a[0] < b[0] ? -1 : 1))
            .map(([phase, n]) => ({
              name: t(phaseKey(phase)),
              value: n,
              itemStyle: { color: PHASE_COLOR[phase] ?? PHASE_COLOR.Unknown },
            })),
        },
      ],
    }),
    [totals.byPhase, t],
  );

  const costOption = useMemo<ChartOption>(() => {
    const rows = [...cost.top].reverse();
    return {
      backgroundColor: 'transparent',
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 130, right: 40, top: 8, bottom: 24 },
      xAxis: { type: 'value', axisLabel: { color: C.dim }, splitLine: { lineStyle: { color: '#142a52' } } },
      yAxis: {
        type: 'category',
        data: rows.map((r) => localName(r.displayName, lang, r.tenant)),
        axisLabel: { color: C.text, fontSize: 14 },
      },
      series: [
        {
          type: 'bar',
          data: rows.map((r) => Math.round(r.perHour * 100) / 100),
          itemStyle: { color: C.accent, borderRadius: [0, 3, 3, 0] },
          label: { show: true, position: 'right', color: C.dim, fontSize: 13 },
        },
      ],
    };
  }, [cost.top, lang]);

  const live = clusters.live && (!can.canReadApplications || (apps.live && events.live));
  const names = Object.keys(can.departmentRoles).map(departmentName).join('、');
  const cpuRatio = capacity.allocatableCpu ? capacity.requestedCpu / capacity.allocatableCpu : 0;
  const memRatio = capacity.allocatableMemory ? capacity.requestedMemory / capacity.allocatableMemory : 0;

  return (
    <div
      data-testid="bigscreen"
      data-ready={ready}
      data-revision={apps.summary?.metadata.resourceVersion ?? 0}
      style={{ position: 'fixed', inset: 0, background: C.bg, overflow: 'hidden', color: C.text }}
    >
      <div
        style={{
          width: W,
          height: H,
          transform: `scale(${scale})`,
          transformOrigin: 'top left',
          position: 'absolute',
          left: (window.innerWidth - W * scale) / 2,
          top: (window.innerHeight - H * scale) / 2,
          display: 'flex',
          flexDirection: 'column',
          gap: 14,
          padding: 20,
          boxSizing: 'border-box',
          fontFamily: '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", system-ui, sans-serif',
        }}
      >
        <header style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', height: 56 }}>
          <div style={{ display: 'flex', alignItems: 'baseline', gap: 20 }}>
            <h1 style={{ margin: 0, fontSize: 36, letterSpacing: 4, color: C.text }}>{t('bigscreen.title')}</h1>
            <span style={{ fontSize: 20, color: C.dim }} data-testid="bigscreen-scope">
              {city ? t('bigscreen.scopeCity') : t('bigscreen.scopeDepartment', { names })}
            </span>
          </div>
          <div style={{ display: 'flex', alignItems: 'center', gap: 24, fontSize: 18, color: C.dim }}>
            <span data-testid="bigscreen-live" data-live={live} style={{ color: live ? C.healthy : C.degraded }}>
              ● {live ? t('bigscreen.live') : t('bigscreen.reconnecting')}
            </span>
            <span style={{ fontVariantNumeric: 'tabular-nums', color: C.text, fontSize: 22 }}>
              {new Date(now).toLocaleString(locale, { hour12: false })}
            </span>
            <button
              type="button"
              onClick={() => void document.documentElement.requestFullscreen?.().catch(() => undefined)}
              style={{
                background: 'transparent',
                color: C.accent,
                border: `1px solid ${C.border}`,
                borderRadius: 4,
                padding: '4px 12px',
                fontSize: 16,
                cursor: 'pointer',
              }}
            >
              {t('bigscreen.fullscreen')}
            </button>
            <Link to="/" style={{ color: C.accent }}>
              {t('bigscreen.exit')}
            </Link>
          </div>
        </header>

        <div style={{ display: 'flex', gap: 14, height: 150 }}>
          <Kpi
            testId="bigscreen-kpi-clusters"
            label={t('bigscreen.clusters')}
            value={
              <span>
                <span style={{ color: C.healthy }}>{counts.healthy}</span>
                <span style={{ color: C.dim, fontSize: 28 }}> / </span>
                <span style={{ color: C.degraded }}>{counts.degraded}</span>
                <span style={{ color: C.dim, fontSize: 28 }}> / </span>
                <span style={{ color: C.unreachable }}>{counts.unreachable}</span>
              </span>
            }
            sub={`${t('bigscreen.healthy')} / ${t('bigscreen.degraded')} / ${t('bigscreen.unreachable')}`}
          />
          <Kpi
            testId="bigscreen-kpi-apps"
            label={t('bigscreen.applications')}
            value={totals.healthy.toLocaleString(locale)}
            ratio={totals.total ? totals.healthy / totals.total : 0}
            sub={t('bigscreen.appsHealthy', {
              healthy: totals.healthy.toLocaleString(locale),
              total: totals.total.toLocaleString(locale),
            })}
          />
          {city ? (
            <Kpi
              testId="bigscreen-kpi-cpu"
              label={t('bigscreen.cpu')}
              value={formatPercent(cpuRatio, locale)}
              ratio={cpuRatio}
              sub={
                capacity.unreachable.clusters > 0
                  ? t('bigscreen.unreachableExcluded', {
                      clusters: capacity.unreachable.clusters,
                      cores: formatCores(capacity.unreachable.allocatableCpu, locale),
                    })
                  : `${formatCores(capacity.requestedCpu, locale)} / ${formatCores(capacity.allocatableCpu, locale)} ${t('unit.cores')}`
              }
            />
          ) : (
            <Kpi
              testId="bigscreen-kpi-cpu"
              label={t('bigscreen.quota')}
              value={formatPercent(cost.quotaCpu ? cost.placedCpu / cost.quotaCpu : 0, locale)}
              ratio={cost.quotaCpu ? cost.placedCpu / cost.quotaCpu : 0}
              sub={`${formatCores(cost.placedCpu, locale)} / ${formatCores(cost.quotaCpu, locale)} ${t('unit.cores')}`}
            />
          )}
          {city && (
            <Kpi
              testId="bigscreen-kpi-memory"
              label={t('bigscreen.memory')}
              value={formatPercent(memRatio, locale)}
              ratio={memRatio}
              sub={`${formatBytes(capacity.requestedMemory, locale)} / ${formatBytes(capacity.allocatableMemory, locale)}`}
            />
          )}
          <Kpi
            testId="bigscreen-kpi-cost"
            label={t('bigscreen.cost')}
            value={formatYuan(cost.perHour, locale)}
            sub={`${t('bigscreen.costPerHour')} · ${formatYuan(cost.perHour * 24, locale)} ${t('bigscreen.costPerDay')}`}
          />
        </div>

        <div style={{ display: 'flex', gap: 14, height: 520 }}>
          <Panel
            title={t('bigscreen.clusters')}
            extra={screens.length > 1 ? t('bigscreen.page', { page: page + 1, pages: screens.length }) : undefined}
            style={{ flex: '0 0 1200px', overflow: 'hidden' }}
            testId="bigscreen-clusters"
          >
            <div style={{ display: 'flex', flexWrap: 'wrap', gap: '12px 22px', alignContent: 'flex-start' }}>
              {(screens[page] ?? []).map((g) => {
                const zk = zoneKey(g.networkZone);
                return (
                  <div key={g.key} data-testid={`bigscreen-group-${g.key}`}>
                    <div style={{ color: C.dim, fontSize: 16, marginBottom: 6, whiteSpace: 'nowrap' }}>
                      {zk ? t(zk) : g.networkZone} · {g.region}
                    </div>
                    <div
                      style={{
                        display: 'grid',
                        gridTemplateColumns: `repeat(${Math.min(6, g.clusters.length)}, 170px)`,
                        gap: 10,
                      }}
                    >
                      {g.clusters.map((c) => (
                        <Tile
                          key={c.metadata.name}
                          cluster={c}
                          replicas={totals.replicas[c.metadata.name] ?? 0}
                          now={now}
                        />
                      ))}
                    </div>
                  </div>
                );
              })}
            </div>
          </Panel>
          <div style={{ flex: 1, display: 'flex', flexDirection: 'column', gap: 14, minWidth: 0 }}>
            <Panel title={t('bigscreen.applications')} style={{ flex: 1 }} testId="bigscreen-app-health">
              <Chart option={healthOption} height={200} testId="bigscreen-chart-health" />
            </Panel>
            <Panel title={t('bigscreen.costByDepartment')} style={{ flex: 1 }} testId="bigscreen-cost">
              <Chart option={costOption} height={200} testId="bigscreen-chart-cost" />
            </Panel>
          </div>
        </div>

        <div style={{ display: 'flex', gap: 14, flex: 1, minHeight: 0 }}>
          <Panel title={t('bigscreen.incidents')} style={{ flex: 1, overflow: 'hidden' }} testId="bigscreen-incidents">
            <EventList
              events={events.warnings.slice(0, 7)}
              empty={t('bigscreen.noIncidents')}
              now={now}
              testId="bigscreen-warning-list"
              name={departmentName}
            />
          </Panel>
          <Panel title={t('bigscreen.events')} style={{ flex: 1, overflow: 'hidden' }} testId="bigscreen-events">
            <EventList
              events={events.latest.slice(0, 7)}
              empty={t('bigscreen.noEvents')}
              now={now}
              testId="bigscreen-event-list"
              name={departmentName}
            />
          </Panel>
        </div>
      </div>
    </div>
  );
}
