import { paths } from '../../api/paths.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { TopologyPanel } from '../../topology/topology-panel.tsx';

/**
 * The service graph across a department's applications (issue 15 point 3): its components, the shared instances
 * and other departments' services they call as opaque boxes, edges with rate, errors and latency.
 */
export function DepartmentTopology(props: { tenant: string }) {
  const { t } = useI18n();
  return (
    <TopologyPanel
      url={paths.departmentTopology(props.tenant)}
      department={props.tenant}
      emptyText={t('topology.departmentNone')}
      testId="department-topology"
      edgesTestId="department-topology-edges"
    />
  );
}
