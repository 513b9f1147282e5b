import { BarChart, LineChart, PieChart } from 'echarts/charts';
import {
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import type { EChartsCoreOption } from 'echarts/core';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only what the console draws, from echarts/core: the whole of ECharts would weigh about 1 MB.
echarts.use([
  BarChart,
  LineChart,
  PieChart,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type ChartOption = EChartsCoreOption;

/** One ECharts chart that follows its option (merged on change) and its container's size. Loaded lazily. */
export function EChart(props: {
  option: ChartOption;
  height?: number;
  testId?: string;
  onClick?: (name: string) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | undefined>(undefined);
  const onClick = useRef(props.onClick);
  onClick.current = props.onClick;

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => onClick.current?.(String((p as { name?: unknown }).name ?? '')));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(props.option, { notMerge: false, lazyUpdate: true });
  }, [props.option]);

  return <div ref={el} style={{ width: '100%', height: props.height ?? 260 }} data-testid={props.testId} />;
}
