// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ComponentStatus } from '../api/types.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import { PlacementMatrix, matrixClusters, placementDense } from './placement-matrix.tsx';

afterEach(cleanup);

const CLUSTERS = ['gov-east', 'gov-west', 'dr-north', 'burst-aliyun'];

/** 4 components × 4 clusters: each on the first two, the others left out with a coded reason. */
const FOUR: ComponentStatus[] = ['web', 'api', 'worker', 'cache'].map((name) => ({
  name,
  desiredReplicas: 4,
  readyReplicas: 4,
  phase: 'Running',
  clusters: [
    { cluster: 'gov-west', desiredReplicas: 2, readyReplicas: 2, phase: 'Running' },
    { cluster: 'gov-east', desiredReplicas: 2, readyReplicas: 1, phase: 'Progressing' },
  ],
  excluded: [
    {
      cluster: 'dr-north',
      reason: 'cordoned: takes no new replicas (those already there stay)',
      code: 'ClusterCordoned',
    },
    { cluster: 'burst-aliyun', reason: 'role burst: overflow only', code: 'RoleBurstOverflowOnly' },
  ],
}));

describe('the placement matrix', () => {
  it('is chosen beyond 2 components × 2 clusters, the graph below', () => {
    expect(placementDense(FOUR)).toBe(true);
    expect(placementDense([{ ...FOUR[0]!, excluded: [] }])).toBe(false);
    expect(placementDense(FOUR.slice(0, 2).map((c) => ({ ...c, excluded: [] })))).toBe(false);
    expect(placementDense(FOUR.slice(0, 3).map((c) => ({ ...c, excluded: [] })))).toBe(true);
  });

  it('puts the clusters holding replicas first', () => {
    expect(matrixClusters(FOUR)).toEqual(['gov-east', 'gov-west', 'burst-aliyun', 'dr-north']);
  });

  it('shows 4 components × 4 clusters as 16 cells: replicas where placed, the reason in Chinese where not', () => {
    render(
      <I18nProvider lang="zh">
        <PlacementMatrix components={FOUR} />
      </I18nProvider>,
    );
    for (const c of FOUR) for (const cl of CLUSTERS) expect(screen.getByTestId(`matrix-${c.name}-${cl}`)).toBeTruthy();
    expect(screen.getByTestId('matrix-web-gov-east').textContent).toBe('1/2');
    expect(screen.getByTestId('matrix-cache-gov-west').textContent).toBe('2/2');
    expect(screen.getByTestId('matrix-api-dr-north').textContent).toContain('已封锁');
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      '组件',
      'gov-east',
      'gov-west',
      'burst-aliyun',
      'dr-north',
    ]);
  });

  it('shows the eligible clusters a status keeps grouped by reason (unused) as it shows the others left out', () => {
    const grouped: ComponentStatus[] = FOUR.map((c) => ({
      ...c,
      excluded: c.excluded.filter((x) => x.cluster !== 'burst-aliyun'),
      unused: [{ code: 'NotNeeded', reason: 'eligible, not needed', clusters: ['burst-aliyun', 'gov-north'] }],
    }));
    expect(matrixClusters(grouped)).toEqual(['gov-east', 'gov-west', 'burst-aliyun', 'dr-north', 'gov-north']);
    render(
      <I18nProvider lang="en">
        <PlacementMatrix components={grouped} />
      </I18nProvider>,
    );
    expect(screen.getByTestId('matrix-web-gov-north').textContent).toContain('not needed');
    expect(screen.getByTestId('matrix-api-burst-aliyun').textContent).toContain('not needed');
  });
});
