import { Skeleton } from 'antd';
import { lazy, Suspense } from 'react';
import type { ChartOption } from './echart.tsx';

export type { ChartOption };

// ECharts arrives in its own chunk the first time a chart is shown.
const LazyEChart = lazy(() => import('./echart.tsx').then((m) => ({ default: m.EChart })));

export function Chart(props: {
  option: ChartOption;
  height?: number;
  testId?: string;
  onClick?: (name: string) => void;
}) {
  return (
    <Suspense fallback={<Skeleton.Node active style={{ width: '100%', height: props.height ?? 260 }} />}>
      <LazyEChart {...props} />
    </Suspense>
  );
}
