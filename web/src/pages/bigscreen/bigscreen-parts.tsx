import type { CSSProperties, ReactNode } from 'react';
import type { Cluster, PolisEvent } from '../../api/types.ts';
import { eventTime } from '../../data/hooks.ts';
import { formatRelative } from '../../format/format.ts';
import type { MessageKey } from '../../i18n/i18n.tsx';
import { localName, useI18n } from '../../i18n/i18n.tsx';
import { useServerText } from '../../i18n/server-messages.ts';
import type { TileHealth } from './bigscreen-model.ts';
import { heartbeatAge, tileHealth } from './bigscreen-model.ts';

/** The big screen's pieces: its colours, panels, figures, cluster tiles and event lists (dark, in design pixels). */

export const C = {
  bg: '#050b1a',
  panel: 'rgba(16, 37, 74, 0.55)',
  border: '#1e3a6e',
  text: '#e6f0ff',
  dim: '#8aa4cf',
  accent: '#3ba4ff',
  healthy: '#2fd67b',
  degraded: '#ffb020',
  unreachable: '#ff4d4f',
} as const;

const HEALTH_COLOR: Record<TileHealth, string> = {
  healthy: C.healthy,
  degraded: C.degraded,
  unreachable: C.unreachable,
};

export function zoneKey(zone: string): MessageKey | undefined {
  if (zone === 'e-gov-extranet') return 'networkZone.e-gov-extranet';
  if (zone === 'internet') return 'networkZone.internet';
  return undefined;
}

export function Panel(props: {
  title: ReactNode;
  extra?: ReactNode;
  style?: CSSProperties;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section
      data-testid={props.testId}
      style={{
        background: C.panel,
        border: `1px solid ${C.border}`,
        borderRadius: 8,
        padding: '14px 18px',
        display: 'flex',
        flexDirection: 'column',
        minHeight: 0,
        ...props.style,
      }}
    >
      <header style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', marginBottom: 10 }}>
        <h2 style={{ margin: 0, fontSize: 22, fontWeight: 600, color: C.text, letterSpacing: 1 }}>{props.title}</h2>
        <span style={{ color: C.dim, fontSize: 16 }}>{props.extra}</span>
      </header>
      <div style={{ flex: 1, minHeight: 0 }}>{props.children}</div>
    </section>
  );
}

export function Kpi(props: { label: string; value: ReactNode; sub?: ReactNode; testId?: string; ratio?: number }) {
  return (
    <Panel title={props.label} style={{ flex: 1 }} testId={props.testId}>
      <div style={{ fontSize: 44, fontWeight: 700, color: C.text, lineHeight: 1.1 }}>{props.value}</div>
      {props.ratio !== undefined && (
        <div style={{ height: 8, background: '#0b1a36', borderRadius: 4, margin: '8px 0 4px' }}>
          <div
            style={{
              width: `${Math.min(100, Math.round(props.ratio * 100))}%`,
              height: '100%',
              borderRadius: 4,
              background: props.ratio > 0.85 ? C.degraded : C.accent,
            }}
          />
        </div>
      )}
      {props.sub && <div style={{ color: C.dim, fontSize: 16, marginTop: 4 }}>{props.sub}</div>}
    </Panel>
  );
}

export function Tile(props: { cluster: Cluster; replicas: number; now: number }) {
  const { t, lang, locale } = useI18n();
  const c = props.cluster;
  const h = tileHealth(c);
  const age = heartbeatAge(c, props.now);
  const cpu = (c.status?.requested?.cpuMilli ?? 0) / Math.max(1, c.status?.allocatable?.cpuMilli ?? 0);
  return (
    <div
      data-testid={`bigscreen-tile-${c.metadata.name}`}
      data-health={h}
      style={{
        border: `1px solid ${HEALTH_COLOR[h]}`,
        boxShadow: h === 'healthy' ? undefined : `0 0 12px ${HEALTH_COLOR[h]}`,
        borderRadius: 6,
        padding: '8px 10px',
        background: '#0a1730',
        height: 96,
        overflow: 'hidden',
      }}
    >
      <div
        style={{
          color: C.text,
          fontSize: 17,
          fontWeight: 600,
          whiteSpace: 'nowrap',
          overflow: 'hidden',
          textOverflow: 'ellipsis',
        }}
      >
        <span style={{ color: HEALTH_COLOR[h] }}>● </span>
        {localName(c.spec.displayName, lang, c.metadata.name)}
      </div>
      <div style={{ color: C.dim, fontSize: 14, marginTop: 4, whiteSpace: 'nowrap', overflow: 'hidden' }}>
        <span style={{ color: HEALTH_COLOR[h] }}>{t(`bigscreen.${h}`)}</span> · {c.spec.vendor} ·{' '}
        {t('bigscreen.replicas', { n: props.replicas })}
      </div>
      <div style={{ color: age !== undefined && age > 30 ? C.degraded : C.dim, fontSize: 14 }}>
        {c.status?.lastHeartbeat
          ? t('bigscreen.heartbeat', { age: formatRelative(c.status.lastHeartbeat, props.now, locale) })
          : t('bigscreen.noHeartbeat')}
      </div>
      <div style={{ height: 5, background: '#13264a', borderRadius: 3, marginTop: 6 }}>
        <div
          style={{
            width: `${Math.min(100, Math.round(cpu * 100))}%`,
            height: '100%',
            borderRadius: 3,
            background: h === 'unreachable' ? '#3a4a66' : C.accent,
          }}
        />
      </div>
    </div>
  );
}

export function EventList(props: {
  events: readonly PolisEvent[];
  empty: string;
  now: number;
  testId: string;
  name: (tenant: string) => string;
}) {
  const { locale } = useI18n();
  const st = useServerText();
  if (props.events.length === 0) return <div style={{ color: C.dim, fontSize: 18 }}>{props.empty}</div>;
  return (
    <ul data-testid={props.testId} style={{ listStyle: 'none', margin: 0, padding: 0, fontSize: 16 }}>
      {props.events.map((e) => (
        <li
          key={`${e.metadata.tenant ?? ''}/${e.metadata.name}`}
          role="listitem"
          style={{
            display: 'grid',
            gridTemplateColumns: '110px 120px 1fr',
            gap: 10,
            padding: '3px 0',
            borderBottom: `1px dashed ${C.border}`,
            whiteSpace: 'nowrap',
          }}
        >
          <span style={{ color: C.dim }}>{formatRelative(eventTime(e), props.now, locale)}</span>
          <span
            style={{
              color: e.spec.type === 'Warning' ? C.degraded : C.accent,
              overflow: 'hidden',
              textOverflow: 'ellipsis',
            }}
          >
            {props.name(e.metadata.tenant ?? '')}
          </span>
          <span style={{ color: C.text, overflow: 'hidden', textOverflow: 'ellipsis' }}>
            {e.spec.involvedObject.name}: {st.text(e.spec)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The operations room's big screen (大屏): a full-screen dark view laid out at 1920×1080 and scaled to the screen.
 * The data bureau sees the city; a department sees its own applications, cost and events, and the clusters its
 * replicas run on (the server scopes every list; the screen narrows the clusters). Everything is live over the
 * watch streams: clusters and applications as collections, events through a bounded feed, usage and cost re-read
 * as applications change. Charts are created once and updated with setOption.
 */
