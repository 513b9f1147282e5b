/** Pure layouts for the topology views: boxes with positions, sizes and parents (xyflow draws them). */

export interface Box {
  readonly id: string;
  readonly kind: 'zone' | 'region' | 'cluster' | 'component';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Coordinates are relative to the parent box, as xyflow's sub-flows want them. */
  readonly parent?: string;
  readonly label: string;
}

export const CLUSTER_W = 200;
export const CLUSTER_H = 64;
const GAP = 12;
const PAD = 12;
const HEADER = 30;

/**
 * Network zones side by side, regions stacked inside each zone, clusters stacked inside each region, all sorted by
 * name so that the map does not reshuffle when health changes.
 */
export function clusterMapLayout(clusters: readonly { name: string; networkZone: string; region: string }[]): Box[] {
  const zones = new Map<string, Map<string, string[]>>();
  for (const c of clusters) {
    const regions = zones.get(c.networkZone) ?? new Map<string, string[]>();
    zones.set(c.networkZone, regions);
    const list = regions.get(c.region) ?? [];
    regions.set(c.region, list);
    list.push(c.name);
  }
  const boxes: Box[] = [];
  let zx = 0;
  for (const zone of [...zones.keys()].sort()) {
    const regions = zones.get(zone)!;
    const zoneId = `zone:${zone}`;
    const regionBoxes: Box[] = [];
    const clusterBoxes: Box[] = [];
    let ry = HEADER;
    for (const region of [...regions.keys()].sort()) {
      const names = [...regions.get(region)!].sort();
      const regionId = `region:${zone}/${region}`;
      const h = HEADER + names.length * (CLUSTER_H + GAP) - GAP + PAD;
      regionBoxes.push({
        id: regionId,
        kind: 'region',
        x: PAD,
        y: ry,
        width: CLUSTER_W + 2 * PAD,
        height: h,
        parent: zoneId,
        label: region,
      });
      names.forEach((n, i) =>
        clusterBoxes.push({
          id: n,
          kind: 'cluster',
          x: PAD,
          y: HEADER + i * (CLUSTER_H + GAP),
          width: CLUSTER_W,
          height: CLUSTER_H,
          parent: regionId,
          label: n,
        }),
      );
      ry += h + GAP;
    }
    const zoneW = CLUSTER_W + 4 * PAD;
    boxes.push({ id: zoneId, kind: 'zone', x: zx, y: 0, width: zoneW, height: ry - GAP + PAD, label: zone });
    boxes.push(...regionBoxes, ...clusterBoxes);
    zx += zoneW + 3 * GAP;
  }
  return boxes;
}

export interface PlacementEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly desired: number;
  readonly ready: number;
}

/** Components in a column on the left, clusters on the right (placed ones first), an edge per placement. */
export function placementLayout(
  components: readonly {
    name: string;
    clusters: readonly { cluster: string; desiredReplicas: number; readyReplicas: number }[];
  }[],
  excluded: readonly string[],
): { boxes: Box[]; edges: PlacementEdge[] } {
  const placed = [...new Set(components.flatMap((c) => c.clusters.map((x) => x.cluster)))].sort();
  const others = [...new Set(excluded)].filter((c) => !placed.includes(c)).sort();
  const rowH = CLUSTER_H + 2 * GAP;
  const boxes: Box[] = [];
  components.forEach((c, i) =>
    boxes.push({
      id: `component:${c.name}`,
      kind: 'component',
      x: 0,
      y: i * rowH,
      width: 180,
      height: CLUSTER_H,
      label: c.name,
    }),
  );
  [...placed, ...others].forEach((name, i) =>
    boxes.push({
      id: `cluster:${name}`,
      kind: 'cluster',
      x: 420,
      y: i * rowH,
      width: CLUSTER_W,
      height: CLUSTER_H,
      label: name,
    }),
  );
  const edges: PlacementEdge[] = components.flatMap((c) =>
    c.clusters.map((x) => ({
      id: `${c.name}->${x.cluster}`,
      source: `component:${c.name}`,
      target: `cluster:${x.cluster}`,
      desired: x.desiredReplicas,
      ready: x.readyReplicas,
    })),
  );
  return { boxes, edges };
}
