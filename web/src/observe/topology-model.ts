import { numberFormat } from '../format/format.ts';
import type { TopologyEdge, TopologyNode, TopologyView } from './types.ts';

/**
 * A service graph laid out in columns by call depth (callers left, callees right), for an application's page or
 * across a department's applications (`acrossApplications`: components labelled `application/component`).
 */
export interface LaidNode {
  readonly id: string;
  readonly label: string;
  /** Someone else's: a shared instance or another department's service, shown as one opaque box. */
  readonly opaque: boolean;
  readonly node: TopologyNode;
  readonly x: number;
  readonly y: number;
}

const COL = 260;
const ROW = 90;

/**
 * Columns by the longest call path reaching each node (a cycle is cut where it closes), rows by id within a column:
 * the same graph always gives the same picture.
 */
export function layoutTopology(
  view: TopologyView,
  opts: { acrossApplications?: boolean } = {},
): { nodes: LaidNode[]; edges: TopologyEdge[] } {
  const ids = [...view.nodes.map((n) => n.id)].sort();
  const out = new Map<string, string[]>();
  for (const e of view.edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const depth = new Map<string, number>(ids.map((id) => [id, 0]));
  // Longest path by relaxation, at most |V| rounds (a cycle stops growing there).
  for (let round = 0; round < ids.length; round++) {
    let changed = false;
    for (const e of view.edges) {
      const d = (depth.get(e.from) ?? 0) + 1;
      if (d > (depth.get(e.to) ?? 0) && d < ids.length) {
        depth.set(e.to, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const byCol = new Map<number, string[]>();
  for (const id of ids) byCol.set(depth.get(id)!, [...(byCol.get(depth.get(id)!) ?? []), id]);
  const nodesById = new Map(view.nodes.map((n) => [n.id, n]));
  const nodes: LaidNode[] = [];
  for (const [col, members] of [...byCol.entries()].sort((a, b) => a[0] - b[0]))
    members.forEach((id, row) => {
      const n = nodesById.get(id)!;
      nodes.push({
        id,
        // Across applications a component is named with its application (two may both have a "web").
        label: n.opaque
          ? n.application
          : opts.acrossApplications && n.component
            ? `${n.application}/${n.component}`
            : (n.component ?? id),
        opaque: !!n.opaque,
        node: n,
        x: col * COL,
        y: row * ROW,
      });
    });
  const edges = [...view.edges].sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1));
  return { nodes, edges };
}

/** `12.5 req/s · 2.0% · 38 ms` for an observed edge; undefined for one only declared. */
export function edgeLabel(e: TopologyEdge, locale: string): string | undefined {
  if (e.rps === undefined) return undefined;
  const n = (x: number, d: number) => numberFormat(locale, { maximumFractionDigits: d }).format(x);
  const parts = [`${n(e.rps, 1)} req/s`];
  if (e.errorRate !== undefined) parts.push(`${n(e.errorRate * 100, 1)}%`);
  if (e.p50Ms !== undefined) parts.push(`${n(e.p50Ms, 0)} ms`);
  return parts.join(' · ');
}
