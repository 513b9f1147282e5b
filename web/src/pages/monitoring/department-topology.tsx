import { Empty, Table, Typography } from 'antd';
import { paths } from '../../api/paths.ts';
import { ErrorAlert } from '../../components/error-alert.tsx';
import { useFetch, useNow } from '../../data/hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { shortName } from '../../observe/incident-model.ts';
import { edgeLabel } from '../../observe/topology-model.ts';
import type { TopologyEdge, TopologyView } from '../../observe/types.ts';
import { ServiceGraph } from '../../topology/lazy.tsx';

/**
 * The service graph across a department's applications (issue 15 point 3): its components, the shared instances
 * and other departments' services they call as opaque boxes, edges with rate, errors and latency; reloaded every
 * 15 s, with the edges as a table for reading the figures.
 */
export function DepartmentTopology(props: { tenant: string }) {
  const { t, locale } = useI18n();
  const tick = useNow(15_000);
  const r = useFetch<TopologyView>(paths.departmentTopology(props.tenant), [tick], 5000);
  if (r.error) return <ErrorAlert error={r.error} />;
  if (r.data && r.data.edges.length === 0 && r.data.nodes.length === 0)
    return <Empty description={t('topology.departmentNone')} />;
  return (
    <div data-testid="department-topology">
      {r.data && <ServiceGraph view={r.data} department={props.tenant} />}
      <Table<TopologyEdge>
        style={{ marginTop: 12 }}
        size="small"
        rowKey={(e) => `${e.from}>${e.to}`}
        pagination={false}
        loading={!r.data}
        dataSource={[...(r.data?.edges ?? [])]}
        data-testid="department-topology-edges"
        columns={[
          {
            key: 'edge',
            title: '→',
            render: (_, e) => (
              <Typography.Text>
                {shortName(e.from)} → {shortName(e.to)}
              </Typography.Text>
            ),
          },
          {
            key: 'figures',
            title: t('observe.signal.rps'),
            render: (_, e) => edgeLabel(e, locale) ?? t('topology.declared'),
          },
          { key: 'sources', title: '', render: (_, e) => e.sources.join(', ') },
        ]}
      />
    </div>
  );
}
