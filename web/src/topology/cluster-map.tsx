import type { Node, NodeProps } from '@xyflow/react';
import { Background, Controls, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { Cluster } from '../api/types.ts';
import { navigate } from '../app/router.tsx';
import { HEALTH_HEX, healthKey } from '../components/status-tags.tsx';
import type { MessageKey } from '../i18n/i18n.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { clusterMapLayout } from './layout.ts';

type GroupData = { label: string; zone: boolean };
type ClusterData = { name: string; health: string; line: string; unreachable: boolean };

function GroupNode(props: NodeProps<Node<GroupData>>) {
  const zone = props.data.zone;
  return (
    <div
      style={{
        width: '100%',
        height: '100%',
        borderRadius: 8,
        border: zone ? '1px solid #c7d2fe' : '1px dashed #d9d9d9',
        background: zone ? 'rgba(29,78,216,0.04)' : 'rgba(0,0,0,0.02)',
        padding: '6px 10px',
        fontSize: 12,
        fontWeight: zone ? 600 : 400,
        color: zone ? '#1d4ed8' : '#595959',
      }}
    >
      {props.data.label}
    </div>
  );
}

function ClusterNode(props: NodeProps<Node<ClusterData>>) {
  const { t } = useI18n();
  const d = props.data;
  return (
    <div
      data-testid={`map-cluster-${d.name}`}
      data-health={d.health}
      style={{
        width: '100%',
        height: '100%',
        padding: '8px 10px',
        borderRadius: 6,
        border: `2px solid ${HEALTH_HEX[d.health] ?? '#bfbfbf'}`,
        background: d.unreachable ? '#fff1f0' : '#fff',
        fontSize: 12,
        lineHeight: 1.5,
        cursor: 'pointer',
      }}
    >
      <div style={{ display: 'flex', justifyContent: 'space-between', fontWeight: 600 }}>
        <span>{d.name}</span>
        <span style={{ color: HEALTH_HEX[d.health] }}>● {t(healthKey(d.health))}</span>
      </div>
      <div style={{ color: '#8c8c8c', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
        {d.line}
      </div>
    </div>
  );
}

const NODE_TYPES = { area: GroupNode, cluster: ClusterNode };

function networkZoneKey(zone: string): MessageKey | undefined {
  if (zone === 'e-gov-extranet') return 'networkZone.e-gov-extranet';
  if (zone === 'internet') return 'networkZone.internet';
  return undefined;
}

/**
 * Where things run: network zones (e-government extranet, internet) side by side, their regions and clusters,
 * coloured by health, with the replicas each cluster holds. Clicking a cluster opens it. Loaded lazily.
 */
export function ClusterMap(props: {
  clusters: readonly Cluster[];
  replicas: Readonly<Record<string, number>>;
  height?: number;
}) {
  const { t } = useI18n();
  const nodes = useMemo<Node[]>(() => {
    const byName = new Map(props.clusters.map((c) => [c.metadata.name, c]));
    const boxes = clusterMapLayout(
      props.clusters.map((c) => ({ name: c.metadata.name, networkZone: c.spec.networkZone, region: c.spec.region })),
    );
    return boxes.map((b): Node => {
      const base = {
        id: b.id,
        position: { x: b.x, y: b.y },
        ...(b.parent ? { parentId: b.parent, extent: 'parent' as const } : {}),
        draggable: false,
        connectable: false,
        width: b.width,
        height: b.height,
      };
      if (b.kind !== 'cluster') {
        const key = b.kind === 'zone' ? networkZoneKey(b.label) : undefined;
        return {
          ...base,
          type: 'area',
          selectable: false,
          data: { label: key ? t(key) : b.label, zone: b.kind === 'zone' },
        };
      }
      const c = byName.get(b.id)!;
      const health = c.status?.health ?? 'Unknown';
      const role = t(`role.cluster.${c.spec.role}` as MessageKey);
      return {
        ...base,
        type: 'cluster',
        data: {
          name: b.id,
          health,
          unreachable: health === 'Unreachable',
          line: `${c.spec.vendor} · ${role} · ${t('overview.replicasOn', { n: props.replicas[b.id] ?? 0 })}`,
        },
      };
    });
  }, [props.clusters, props.replicas, t]);
  return (
    <div style={{ height: props.height ?? 320 }} data-testid="cluster-map">
      <ReactFlow
        nodes={nodes}
        edges={[]}
        nodeTypes={NODE_TYPES}
        fitView
        fitViewOptions={{ padding: 0.08 }}
        nodesConnectable={false}
        nodesDraggable={false}
        onNodeClick={(_, n) => {
          if (n.type === 'cluster') navigate(`/clusters/${encodeURIComponent(n.id)}`);
        }}
        minZoom={0.3}
        maxZoom={1.5}
        zoomOnScroll={false}
        preventScrolling={false}
      >
        <Background gap={16} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
