import { paths } from '../../api/paths.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { TopologyPanel } from '../../topology/topology-panel.tsx';

/** The application's service graph and its edges as a table for reading the figures. */
export function AppTopologyTab(props: { tenant: string; name: string }) {
  const { t } = useI18n();
  return (
    <TopologyPanel
      url={paths.appTopology(props.tenant, props.name)}
      application={props.name}
      emptyText={t('topology.none')}
      testId="app-topology"
      edgesTestId="topology-edges"
    />
  );
}
