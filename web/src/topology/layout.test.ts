import { describe, expect, it } from 'vitest';
import { clusterMapLayout, placementLayout } from './layout.ts';

describe('topology layouts', () => {
  const clusters = [
    { name: 'gov-west', networkZone: 'e-gov-extranet', region: 'city-west' },
    { name: 'burst-aliyun', networkZone: 'internet', region: 'cn-hangzhou' },
    { name: 'gov-east', networkZone: 'e-gov-extranet', region: 'city-east' },
  ];

  it('groups clusters in regions in network zones, in a stable order, every box inside its parent', () => {
    const boxes = clusterMapLayout(clusters);
    expect(boxes.filter((b) => b.kind === 'zone').map((b) => b.label)).toEqual(['e-gov-extranet', 'internet']);
    const byId = new Map(boxes.map((b) => [b.id, b]));
    for (const b of boxes) {
      if (!b.parent) continue;
      const p = byId.get(b.parent)!;
      expect(b.x + b.width, b.id).toBeLessThanOrEqual(p.width);
      expect(b.y + b.height, b.id).toBeLessThanOrEqual(p.height);
    }
    expect(clusterMapLayout([...clusters].reverse())).toEqual(boxes);
  });

  it('links each component to the clusters that run it, and lists the excluded ones after', () => {
    const { boxes, edges } = placementLayout(
      [{ name: 'web', clusters: [{ cluster: 'gov-east', desiredReplicas: 4, readyReplicas: 3 }] }],
      ['burst-aliyun', 'gov-east'],
    );
    expect(boxes.filter((b) => b.kind === 'cluster').map((b) => b.label)).toEqual(['gov-east', 'burst-aliyun']);
    expect(edges).toEqual([
      { id: 'web->gov-east', source: 'component:web', target: 'cluster:gov-east', desired: 4, ready: 3 },
    ]);
  });
});
