import { Skeleton } from 'antd';
import { lazy, Suspense, useEffect, useState } from 'react';
import type { ChartOption } from './echart.tsx';

export type { ChartOption };

// ECharts arrives in its own chunk the first time a chart is shown.
const LazyEChart = lazy(() => import('./echart.tsx').then((m) => ({ default: m.EChart })));

/**
 * True once `when` is true and the browser has then had an idle moment (requestIdleCallback, at most `timeout` ms
 * later): what the first screen does not need waits until it has been painted (issue 13).
 */
export function useIdleAfter(when: boolean, timeout = 1000): boolean {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    if (!when || idle) return;
    if (typeof requestIdleCallback !== 'function') {
      const t = setTimeout(() => setIdle(true), 0);
      return () => clearTimeout(t);
    }
    const id = requestIdleCallback(() => setIdle(true), { timeout });
    return () => cancelIdleCallback(id);
  }, [when, idle, timeout]);
  return idle;
}

/**
 * A chart. `deferUntil` (default true): a page whose first render is measured passes its "data shown" condition, and
 * ECharts (its chunk, its initialisation and measuring of text) starts only after that render, in an idle moment,
 * instead of competing with the page's data for the main thread.
 */
export function Chart(props: {
  option: ChartOption;
  height?: number;
  testId?: string;
  onClick?: (name: string) => void;
  deferUntil?: boolean;
}) {
  const { deferUntil = true, ...chart } = props;
  const shown = useIdleAfter(deferUntil);
  const skeleton = <Skeleton.Node active style={{ width: '100%', height: props.height ?? 260 }} />;
  if (!shown) return skeleton;
  return (
    <Suspense fallback={skeleton}>
      <LazyEChart {...chart} />
    </Suspense>
  );
}
