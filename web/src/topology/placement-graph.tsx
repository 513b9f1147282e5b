import type { Edge, Node, NodeProps } from '@xyflow/react';
import { Background, Handle, MarkerType, Position, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { Cluster, ComponentStatus } from '../api/types.ts';
import { navigate } from '../app/router.tsx';
import { HEALTH_HEX, PHASE_COLOR, healthKey, phaseKey } from '../components/status-tags.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { placementLayout } from './layout.ts';
import { exclusionsOf } from '../data/exclusions.ts';
import { useServerText } from '../i18n/server-messages.ts';

type ComponentData = { name: string; phase: string; ready: number; desired: number };
type ClusterData = { name: string; health: string; placed: boolean; reason?: string; detail: string };

function ComponentNode(props: NodeProps<Node<ComponentData>>) {
  const { t } = useI18n();
  const d = props.data;
  return (
    <div
      style={{
        width: '100%',
        height: '100%',
        padding: '8px 10px',
        borderRadius: 6,
        border: `2px solid ${PHASE_COLOR[d.phase] ?? '#bfbfbf'}`,
        background: '#fff',
        fontSize: 12,
      }}
    >
      <div style={{ fontWeight: 600 }}>{d.name}</div>
      <div style={{ color: '#8c8c8c' }}>
        {t(phaseKey(d.phase))} · {d.ready}/{d.desired}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

function ClusterNode(props: NodeProps<Node<ClusterData>>) {
  const { t } = useI18n();
  const d = props.data;
  return (
    <div
      title={d.reason}
      data-testid={`placement-cluster-${d.name}`}
      data-placed={d.placed}
      style={{
        width: '100%',
        height: '100%',
        padding: '8px 10px',
        borderRadius: 6,
        border: d.placed ? `2px solid ${HEALTH_HEX[d.health] ?? '#bfbfbf'}` : '1px dashed #d9d9d9',
        background: d.placed ? '#fff' : '#fafafa',
        color: d.placed ? undefined : '#8c8c8c',
        fontSize: 12,
        cursor: 'pointer',
      }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div style={{ display: 'flex', justifyContent: 'space-between', fontWeight: 600 }}>
        <span>{d.name}</span>
        <span style={{ color: HEALTH_HEX[d.health] }}>● {t(healthKey(d.health))}</span>
      </div>
      <div style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
        {d.placed ? d.detail : d.reason}
      </div>
    </div>
  );
}

const NODE_TYPES = { component: ComponentNode, cluster: ClusterNode };

/**
 * An application's placement: each component linked to the clusters that run it (ready/desired replicas on the
 * edge), the clusters it was kept off drawn faint with the reason. Loaded lazily with xyflow.
 */
export function PlacementGraph(props: { components: readonly ComponentStatus[]; clusters: readonly Cluster[] }) {
  const { t } = useI18n();
  const st = useServerText();
  const { nodes, edges } = useMemo(() => {
    const byName = new Map(props.clusters.map((c) => [c.metadata.name, c]));
    const reasons = new Map<string, string>();
    for (const c of props.components)
      for (const x of exclusionsOf(c))
        if (!reasons.has(x.cluster))
          reasons.set(x.cluster, st.text({ code: x.code, params: x.params, message: x.reason }));
    const layout = placementLayout(props.components, [...reasons.keys()]);
    const placedSet = new Set(props.components.flatMap((c) => c.clusters.map((x) => x.cluster)));
    const nodes: Node[] = layout.boxes.map((b) => {
      const base = {
        id: b.id,
        position: { x: b.x, y: b.y },
        width: b.width,
        height: b.height,
        draggable: false,
        connectable: false,
      };
      if (b.kind === 'component') {
        const c = props.components.find((x) => `component:${x.name}` === b.id)!;
        return {
          ...base,
          type: 'component',
          data: { name: c.name, phase: c.phase, ready: c.readyReplicas, desired: c.desiredReplicas },
        };
      }
      const cl = byName.get(b.label);
      const placed = placedSet.has(b.label);
      return {
        ...base,
        type: 'cluster',
        data: {
          name: b.label,
          health: cl?.status?.health ?? 'Unknown',
          placed,
          reason: placed ? undefined : reasons.get(b.label),
          detail: cl ? `${cl.spec.vendor} · ${cl.spec.region} · ${cl.spec.networkZone}` : '',
        },
      };
    });
    const edges: Edge[] = layout.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      label: `${e.ready}/${e.desired}`,
      animated: e.ready < e.desired,
      markerEnd: { type: MarkerType.ArrowClosed },
      style: { stroke: e.ready < e.desired ? '#faad14' : '#52c41a', strokeWidth: 2 },
      labelStyle: { fontSize: 12, fontWeight: 600 },
    }));
    return { nodes, edges };
  }, [props.components, props.clusters, st]);
  const height = Math.max(220, nodes.filter((n) => n.type === 'cluster').length * 88 + 40);
  return (
    <div style={{ height }} data-testid="placement-graph" aria-label={t('app.placementGraph')}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        fitView
        fitViewOptions={{ padding: 0.1 }}
        nodesConnectable={false}
        nodesDraggable={false}
        zoomOnScroll={false}
        preventScrolling={false}
        onNodeClick={(_, n) => {
          if (n.type === 'cluster') navigate(`/clusters/${encodeURIComponent((n.data as ClusterData).name)}`);
        }}
      >
        <Background gap={16} size={1} />
      </ReactFlow>
    </div>
  );
}
