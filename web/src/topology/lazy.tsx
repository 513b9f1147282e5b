import { Skeleton } from 'antd';
import type { ComponentProps } from 'react';
import { lazy, Suspense } from 'react';
import type { ClusterMap as ClusterMapType } from './cluster-map.tsx';
import type { PlacementGraph as PlacementGraphType } from './placement-graph.tsx';
import type { ServiceGraph as ServiceGraphType } from './service-graph.tsx';

// xyflow and its styles arrive in their own chunk the first time a topology is shown.
const LazyClusterMap = lazy(() => import('./cluster-map.tsx').then((m) => ({ default: m.ClusterMap })));
const LazyPlacementGraph = lazy(() => import('./placement-graph.tsx').then((m) => ({ default: m.PlacementGraph })));
const LazyServiceGraph = lazy(() => import('./service-graph.tsx').then((m) => ({ default: m.ServiceGraph })));

export function ClusterMap(props: ComponentProps<typeof ClusterMapType>) {
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
