import { CliError, EXIT } from './cli-errors.ts';
import { formatTable, toYaml } from './printers.ts';

/** Where placement put one component: replicas per cluster, replicas no cluster took, and the clusters left out. */
export interface ComponentPlacementView {
  readonly replicas: Readonly<Record<string, number>>;
  readonly unplaced?: number;
  readonly excluded?: readonly { readonly cluster: string; readonly reason: string }[];
}

/** What `POST /api/v1/tenants/{t}/render` (RenderResult) and `GET …/manifests` (ExportResult) answer. */
export interface RenderedApp {
  readonly kind: 'RenderResult' | 'ExportResult';
  readonly application: string;
  readonly revision?: string;
  readonly placement: Readonly<Record<string, ComponentPlacementView>>;
  readonly clusters: readonly { readonly cluster: string; readonly manifests: readonly unknown[] }[];
}

/** COMPONENT, CLUSTER, REPLICAS, components and clusters in name order; unplaced replicas as `<unplaced>`. */
export function placementRows(placement: RenderedApp['placement']): string[][] {
  const rows: string[][] = [];
  for (const component of Object.keys(placement).sort()) {
    const p = placement[component]!;
    const clusters = Object.keys(p.replicas).sort();
    for (const cluster of clusters) rows.push([component, cluster, String(p.replicas[cluster])]);
    if (p.unplaced) rows.push([component, '<unplaced>', String(p.unplaced)]);
    if (clusters.length === 0 && !p.unplaced) rows.push([component, '<none>', '0']);
  }
  return rows;
}

/**
 * The placement as YAML comments, so the whole output stays one valid YAML stream: the table, then each excluded
 * cluster with its reason.
 */
export function placementHeader(placement: RenderedApp['placement']): string {
  const table = formatTable(['COMPONENT', 'CLUSTER', 'REPLICAS'], placementRows(placement));
  const lines = table.replace(/\n$/, '').split('\n');
  for (const component of Object.keys(placement).sort())
    for (const e of placement[component]!.excluded ?? [])
      lines.push(`excluded: ${component} not on ${e.cluster}: ${e.reason}`);
  return lines.map((l) => `# ${l}`.trimEnd()).join('\n') + '\n';
}

/** Components with replicas no cluster could take, as `web: 2 replica(s) unplaced`. */
export function unplacedWarnings(placement: RenderedApp['placement']): string[] {
  return Object.keys(placement)
    .sort()
    .filter((c) => (placement[c]!.unplaced ?? 0) > 0)
    .map((c) => `${c}: ${placement[c]!.unplaced} replica(s) found no cluster with room`);
}

/**
 * Per cluster a comment line `# cluster: NAME`, then its manifests, each opening with `---`: a stream
 * `kubectl apply -f -` takes. Clusters in the order the server gave them (it sorts them).
 */
export function manifestStream(clusters: RenderedApp['clusters']): string {
  let out = '';
  for (const c of clusters) {
    out += `# cluster: ${c.cluster}${c.manifests.length === 0 ? ' (no manifests)' : ''}\n`;
    for (const m of c.manifests) out += `---\n${toYaml(m)}`;
  }
  return out;
}

/** The result with only `cluster`'s manifests; a cluster the application is not on is not found (exit 4). */
export function onlyCluster<T extends RenderedApp>(result: T, cluster: string): T {
  const hit = result.clusters.filter((c) => c.cluster === cluster);
  if (hit.length === 0) {
    const on = result.clusters.map((c) => c.cluster);
    throw new CliError(`--cluster ${cluster}: ${result.application} has no manifests for that cluster`, {
      exitCode: EXIT.notFound,
      hint: on.length > 0 ? `it is placed on: ${on.join(', ')}` : `${result.application} is placed on no cluster`,
    });
  }
  return { ...result, clusters: hit };
}
