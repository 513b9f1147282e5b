import { Segmented } from 'antd';
import { useState } from 'react';
import type { Cluster, ComponentStatus } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { PlacementGraph } from './lazy.tsx';
import { PlacementMatrix, placementDense } from './placement-matrix.tsx';

/**
 * An application's placement: the graph while it is readable (up to 2 components × 2 clusters), else the matrix;
 * the reader may switch either way.
 */
export function PlacementView(props: { components: readonly ComponentStatus[]; clusters: readonly Cluster[] }) {
  const { t } = useI18n();
  const dense = placementDense(props.components);
  const [chosen, setChosen] = useState<'graph' | 'matrix'>();
  const view = chosen ?? (dense ? 'matrix' : 'graph');
  return (
    <div>
      <Segmented
        size="small"
        style={{ marginBottom: 8 }}
        value={view}
        onChange={(v) => setChosen(v as 'graph' | 'matrix')}
        data-testid="placement-view"
        options={[
          { value: 'matrix', label: t('app.placementViewMatrix') },
          { value: 'graph', label: t('app.placementViewGraph') },
        ]}
      />
      {view === 'matrix' ? (
        <PlacementMatrix components={props.components} />
      ) : (
        <PlacementGraph components={props.components} clusters={props.clusters} />
      )}
    </div>
  );
}
