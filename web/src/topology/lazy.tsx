import { Skeleton } from 'antd';
import type { ComponentProps } from 'react';
import { lazy, Suspense } from 'react';
import { useIdleAfter } from '../charts/chart.tsx';
import type { ClusterMap as ClusterMapType } from './cluster-map.tsx';
import type { PlacementGraph as PlacementGraphType } from './placement-graph.tsx';
import type { ServiceGraph as ServiceGraphType } from './service-graph.tsx';

// xyflow and its styles arrive in their own chunk the first time a topology is shown.
const LazyClusterMap = lazy(() => import('./cluster-map.tsx').then((m) => ({ default: m.ClusterMap })));
const LazyPlacementGraph = lazy(() => import('./placement-graph.tsx').then((m) => ({ default: m.PlacementGraph })));
const LazyServiceGraph = lazy(() => import('./service-graph.tsx').then((m) => ({ default: m.ServiceGraph })));

/** `deferUntil`: as for charts (charts/chart.tsx), the map starts once that is true and the browser is idle. */
export function ClusterMap({
  deferUntil = true,
  ...props
}: ComponentProps<typeof ClusterMapType> & { deferUntil?: boolean }) {
  const shown = useIdleAfter(deferUntil);
  if (!shown) return <Skeleton active paragraph={{ rows: 6 }} />;
  return (
    <Suspense fallback={<Skeleton active paragraph={{ rows: 6 }} />}>
      <LazyClusterMap {...props} />
    </Suspense>
  );
}

export function PlacementGraph(props: ComponentProps<typeof PlacementGraphType>) {
  return (
    <Suspense fallback={<Skeleton active paragraph={{ rows: 4 }} />}>
      <LazyPlacementGraph {...props} />
    </Suspense>
  );
}

export function ServiceGraph(props: ComponentProps<typeof ServiceGraphType>) {
  return (
    <Suspense fallback={<Skeleton active paragraph={{ rows: 4 }} />}>
      <LazyServiceGraph {...props} />
    </Suspense>
  );
}
