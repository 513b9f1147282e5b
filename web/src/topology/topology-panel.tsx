import { Empty, Table, Typography } from 'antd';
import { ErrorAlert } from '../components/error-alert.tsx';
import { useFetch, useNow } from '../data/hooks.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { shortName } from '../observe/incident-model.ts';
import { edgeLabel } from '../observe/topology-model.ts';
import type { TopologyEdge, TopologyView } from '../observe/types.ts';
import { ServiceGraph } from './lazy.tsx';

/**
 * A service graph read from `url` (reloaded every 15 s) and its edges as a table for reading the figures: one
 * application's (`application`) or a department's across its applications (`department`).
 */
export function TopologyPanel(props: {
  url: string;
  application?: string;
  department?: string;
  emptyText: string;
  testId: string;
  edgesTestId: string;
}) {
  const { t, locale } = useI18n();
  const tick = useNow(15_000);
  const r = useFetch<TopologyView>(props.url, [tick], 5000);
  if (r.error) return <ErrorAlert error={r.error} />;
  if (r.data && r.data.edges.length === 0 && r.data.nodes.length === 0) return <Empty description={props.emptyText} />;
  return (
    <div data-testid={props.testId}>
      {r.data && <ServiceGraph view={r.data} application={props.application} department={props.department} />}
      <Table<TopologyEdge>
        style={{ marginTop: 12 }}
        size="small"
        rowKey={(e) => `${e.from}>${e.to}`}
        pagination={false}
        loading={!r.data}
        dataSource={[...(r.data?.edges ?? [])]}
        data-testid={props.edgesTestId}
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
