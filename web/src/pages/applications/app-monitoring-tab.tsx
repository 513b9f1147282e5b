import { Flex, Select } from 'antd';
import { paths } from '../../api/paths.ts';
import type { Application } from '../../api/types.ts';
import { useSearchParam } from '../../app/router.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { Range } from '../../observe/history-model.ts';
import { COMPONENT_SIGNALS, isRange } from '../../observe/history-model.ts';
import { ChartGrid, HistoryChart, RangePicker } from '../monitoring/history-chart.tsx';

/** An application's golden signals over a chosen range: a line per component (or one component), and the total. */
export function AppMonitoringTab(props: { app: Application }) {
  const { t } = useI18n();
  const tenant = props.app.metadata.tenant ?? '';
  const name = props.app.metadata.name;
  const [rangeParam, setRange] = useSearchParam('range');
  const [component, setComponent] = useSearchParam('component');
  const range: Range = isRange(rangeParam) ? rangeParam : '1h';
  const components = (props.app.spec.components ?? []).map((c) => c.name).sort();
  return (
    <div data-testid="app-monitoring">
      <Flex gap={12} wrap align="center" justify="space-between" style={{ marginBottom: 12 }}>
        <Flex gap={8} align="center">
          <span>{t('app.monitoring.component')}</span>
          <Select
            data-testid="monitor-component"
            style={{ minWidth: 220 }}
            value={component ?? ''}
            onChange={(v: string) => setComponent(v || undefined)}
            options={[
              { value: '', label: t('app.monitoring.allComponents') },
              ...components.map((c) => ({ value: c, label: c })),
            ]}
          />
        </Flex>
        <RangePicker value={range} onChange={(r) => setRange(r === '1h' ? undefined : r)} />
      </Flex>
      <ChartGrid>
        {COMPONENT_SIGNALS.map((s) => (
          <HistoryChart
            key={`${component ?? ''}/${s.signal}`}
            signal={s}
            range={range}
            groupBy="component"
            total={!component}
            path={(signal, r) => paths.tenantHistory(tenant, { signal, range: r, app: name, component })}
            testId={`app-chart-${s.signal}`}
          />
        ))}
      </ChartGrid>
    </div>
  );
}
