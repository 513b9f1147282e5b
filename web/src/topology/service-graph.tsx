import type { Edge, Node, NodeProps } from '@xyflow/react';
import { Background, Handle, MarkerType, Position, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { edgeLabel, layoutTopology } from '../observe/topology-model.ts';
import type { TopologyView } from '../observe/types.ts';

type ServiceData = { label: string; sub: string; opaque: boolean; own: boolean };

function ServiceNode(props: NodeProps<Node<ServiceData>>) {
  const d = props.data;
  return (
    <div
      data-testid={`service-node-${d.label}`}
      style={{
        width: '100%',
        height: '100%',
        padding: '8px 10px',
        borderRadius: 6,
        border: d.opaque ? '1px dashed #8c8c8c' : `2px solid ${d.own ? '#1d4ed8' : '#91caff'}`,
        background: d.opaque ? '#fafafa' : '#fff',
        fontSize: 12,
      }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div style={{ fontWeight: 600 }}>{d.label}</div>
      <div style={{ color: '#8c8c8c', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
        {d.sub}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

const NODE_TYPES = { service: ServiceNode };

/**
 * An application's service graph: its components and what they call (another department's service or a shared
 * instance as one opaque box), edges with the observed rate, error share and median latency. Loaded lazily.
 */
export function ServiceGraph(props: { view: TopologyView; application?: string; department?: string }) {
  const { t, locale } = useI18n();
  const { nodes, edges } = useMemo(() => {
    const laid = layoutTopology(props.view, { acrossApplications: props.application === undefined });
    const nodes: Node[] = laid.nodes.map((n) => ({
      id: n.id,
      type: 'service',
      position: { x: n.x, y: n.y },
      width: 200,
      height: 56,
      draggable: false,
      connectable: false,
      data: {
        label: n.label,
        opaque: n.opaque,
        own:
          !n.opaque &&
          (props.application !== undefined
            ? n.node.application === props.application
            : n.node.department === props.department),
        sub: n.opaque
          ? n.node.kind === 'shared-instance'
            ? t('topology.sharedBy', { owner: n.node.owner ?? '' })
            : t('topology.serviceOf', { owner: n.node.owner ?? '' })
          : n.node.application,
      },
    }));
    const edges: Edge[] = laid.edges.map((e) => {
      const bad = (e.errorRate ?? 0) >= 0.05;
      return {
        id: `${e.from}>${e.to}`,
        source: e.from,
        target: e.to,
        label: edgeLabel(e, locale) ?? t('topology.declared'),
        markerEnd: { type: MarkerType.ArrowClosed },
        animated: e.rps !== undefined && e.rps > 0,
        style: { stroke: bad ? '#ff4d4f' : e.rps !== undefined ? '#52c41a' : '#bfbfbf', strokeWidth: 2 },
        labelStyle: { fontSize: 11 },
      };
    });
    return { nodes, edges };
  }, [props.view, props.application, props.department, t, locale]);
  const rows = Math.max(1, ...nodes.map((n) => n.position.y / 90 + 1));
  return (
    <div style={{ height: Math.max(240, rows * 90 + 60) }} data-testid="service-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        fitView
        fitViewOptions={{ padding: 0.15 }}
        nodesConnectable={false}
        nodesDraggable={false}
        zoomOnScroll={false}
        preventScrolling={false}
      >
        <Background gap={16} size={1} />
      </ReactFlow>
    </div>
  );
}
