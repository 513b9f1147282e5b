import { Table, Tooltip, Typography } from 'antd';
import type { ComponentStatus } from '../api/types.ts';
import { exclusionsOf } from '../data/exclusions.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useServerText } from '../i18n/server-messages.ts';

/**
 * Whether an application's placement is too dense for the graph: beyond 2 components × 2 clusters (those that hold
 * replicas and those left out) its labels overlap, so a matrix is shown instead (pure).
 */
export function placementDense(components: readonly ComponentStatus[]): boolean {
  const clusters = new Set<string>();
  for (const c of components) {
    for (const x of c.clusters) clusters.add(x.cluster);
    for (const x of exclusionsOf(c)) clusters.add(x.cluster);
  }
  return components.length > 2 || clusters.size > 2;
}

/** The clusters of a placement as matrix columns: those holding replicas first, then those left out, by name (pure). */
export function matrixClusters(components: readonly ComponentStatus[]): string[] {
  const placed = new Set<string>();
  const all = new Set<string>();
  for (const c of components) {
    for (const x of c.clusters) {
      placed.add(x.cluster);
      all.add(x.cluster);
    }
    for (const x of exclusionsOf(c)) all.add(x.cluster);
  }
  return [...all].sort((a, b) => (placed.has(a) !== placed.has(b) ? (placed.has(a) ? -1 : 1) : a < b ? -1 : 1));
}

/**
 * An application's placement as a matrix: a row per component, a column per cluster; a cell holds ready/desired
 * replicas there, or why the cluster was left out (in the reader's language, in full on hover). Readable at any size.
 */
export function PlacementMatrix(props: { components: readonly ComponentStatus[] }) {
  const { t } = useI18n();
  const st = useServerText();
  const clusters = matrixClusters(props.components);
  return (
    <Table<ComponentStatus>
      size="small"
      pagination={false}
      rowKey="name"
      data-testid="placement-matrix"
      aria-label={t('app.placementMatrix')}
      dataSource={[...props.components]}
      scroll={{ x: 'max-content' }}
      columns={[
        { title: t('app.component'), dataIndex: 'name', fixed: 'left', render: (n: string) => <strong>{n}</strong> },
        ...clusters.map((cluster) => ({
          title: cluster,
          key: cluster,
          width: 120,
          render: (_: unknown, c: ComponentStatus) => {
            const on = c.clusters.find((x) => x.cluster === cluster);
            if (on)
              return (
                <span
                  data-testid={`matrix-${c.name}-${cluster}`}
                  style={{ color: on.readyReplicas < on.desiredReplicas ? '#d48806' : '#389e0d', fontWeight: 600 }}
                >
                  {on.readyReplicas}/{on.desiredReplicas}
                </span>
              );
            const ex = exclusionsOf(c).find((x) => x.cluster === cluster);
            if (!ex) return <span data-testid={`matrix-${c.name}-${cluster}`}>—</span>;
            const why = st.text({ code: ex.code, params: ex.params, message: ex.reason });
            return (
              <Tooltip title={why}>
                <Typography.Text
                  type="secondary"
                  ellipsis
                  style={{ maxWidth: 110, fontSize: 12 }}
                  data-testid={`matrix-${c.name}-${cluster}`}
                  tabIndex={0}
                >
                  {why}
                </Typography.Text>
              </Tooltip>
            );
          },
        })),
      ]}
    />
  );
}
