"use client";
/**
 * The topology drawing: a lane per cluster (a group node), the services placed on it inside,
 * connection points as edges; edges that leave a cluster are dashed and labelled, the latency QoS
 * of a connection is written on it. Laid out by ELK (layered, left to right, clusters included in
 * the layering) and drawn by React Flow. This module is heavy (ELK alone is ~0.5 MB gzipped): the
 * page loads it lazily, and says the same in text (the connection list, the services table).
 */
import "@xyflow/react/dist/style.css";
import { Background, Controls, Handle, MarkerType, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import ELK, { type ElkNode } from "elkjs/lib/elk.bundled.js";
import { useEffect, useMemo, useState } from "react";
import { formatCpu, formatMemory } from "@/app/_components/format";
import { StatusBadge } from "@/app/_components/ui";
import { describeLatency, servicesByCluster, topologyLinks, UNPLACED, type TopologyLink, type TopologyService } from "./topology-model";
import styles from "./topology.module.css";

export type TopologyCluster = { name: string; ready: boolean; region: string | null; location: string | null; carbonIntensity: number | null };

export type TopologyProps = {
  services: TopologyService[];
  clusters: TopologyCluster[];
  selected?: string;
  onSelect: (service: string | undefined) => void;
};

const NODE_WIDTH = 264;
const NODE_HEIGHT = 78;
const MIN_HEIGHT = 260;
const MAX_HEIGHT = 640;

type ClusterData = { cluster: string; info?: TopologyCluster; count: number };
type ServiceData = { service: TopologyService; cluster: string; instances: number };
type ClusterNode = Node<ClusterData, "cluster">;
type ServiceNode = Node<ServiceData, "service">;
type FlowNode = ClusterNode | ServiceNode;

const elk = new ELK();
const layout = (graph: ElkNode): Promise<ElkNode> => elk.layout(graph);
const SIDES = ["top", "right", "bottom", "left"] as const;

const groupId = (cluster: string) => `cluster:${cluster}`;
const instanceId = (service: string, cluster: string) => `service:${service}@${cluster}`;

function statusTone(status: string): string {
  if (status === "Deployed") return styles.ok!;
  if (status === "Pending") return styles.warn!;
  if (status === "Failed") return styles.danger!;
  return styles.muted!;
}

function ClusterLane({ data }: NodeProps<ClusterNode>) {
  const { cluster, info, count } = data;
  const details = [info?.location ?? info?.region, info?.carbonIntensity != null ? `${Math.round(info.carbonIntensity)} gCO₂/kWh` : undefined].filter(Boolean).join(" · ");
  return (
    <div className={`${styles.lane} ${cluster === UNPLACED ? styles.unplaced : ""} ${info && !info.ready ? styles.laneNotReady : ""}`}>
      <div className={styles.laneHeader}>
        <span className={styles.laneName}>{cluster === UNPLACED ? "Not placed" : cluster}</span>
        {info && !info.ready && <StatusBadge status="NotReady" />}
        <span className={styles.laneCount}>
          {count} {count === 1 ? "service" : "services"}
        </span>
      </div>
      {details && <div className={styles.laneDetails}>{details}</div>}
    </div>
  );
}

function ServiceCard({ data, selected }: NodeProps<ServiceNode>) {
  const { service, instances } = data;
  return (
    <div className={`${styles.node} ${statusTone(service.status)} ${selected ? styles.selected : ""}`}>
      {SIDES.map((side) => (
        <Handle key={`target-${side}`} id={`target-${side}`} type="target" position={POSITIONS[side]} isConnectable={false} className={styles.handle} />
      ))}
      <div className={styles.nodeTitle}>
        <span className={styles.nodeName} title={service.name}>
          {service.name}
        </span>
        {service.gpu && <span className={styles.chip}>GPU</span>}
        {service.eventTriggered && <span className={styles.chip}>event</span>}
      </div>
      <div className={styles.nodeMeta}>
        <StatusBadge status={service.status} />
        <span className={styles.nodeSize}>
          {service.replicas > 1 ? `${service.replicas}× ` : ""}
          {formatCpu(service.cpu)} CPU · {formatMemory(service.memory)}
        </span>
      </div>
      {instances > 1 && <div className={styles.nodeSpread}>1 of {instances} clusters (high availability)</div>}
      {SIDES.map((side) => (
        <Handle key={`source-${side}`} id={`source-${side}`} type="source" position={POSITIONS[side]} isConnectable={false} className={styles.handle} />
      ))}
    </div>
  );
}

const nodeTypes = { cluster: ClusterLane, service: ServiceCard };

type Drawing = { nodes: FlowNode[]; edges: Edge[]; width: number; height: number };
type Side = "top" | "right" | "bottom" | "left";
type Box = { x: number; y: number; width: number; height: number };
type PlannedEdge = { id: string; source: string; target: string; crossCluster: boolean; latency?: TopologyLink["latency"] };

/** The sides an edge leaves and enters by: the dominant direction from one node's centre to the other's. */
function sidesBetween(from: Box, to: Box): [Side, Side] {
  const dx = to.x + to.width / 2 - (from.x + from.width / 2);
  const dy = to.y + to.height / 2 - (from.y + from.height / 2);
  if (Math.abs(dx) > Math.abs(dy)) return dx > 0 ? ["right", "left"] : ["left", "right"];
  return dy > 0 ? ["bottom", "top"] : ["top", "bottom"];
}

const POSITIONS: Record<Side, Position> = { top: Position.Top, right: Position.Right, bottom: Position.Bottom, left: Position.Left };

/** Each link from every replica of its source: to the target's replica in the same cluster when there is one, else to every replica. */
function planEdges(links: TopologyLink[]): PlannedEdge[] {
  const planned: PlannedEdge[] = [];
  for (const link of links) {
    const fromClusters = link.fromClusters.length > 0 ? link.fromClusters : [UNPLACED];
    const toClusters = link.toClusters.length > 0 ? link.toClusters : [UNPLACED];
    for (const source of fromClusters) {
      for (const target of toClusters.includes(source) ? [source] : toClusters) {
        planned.push({ id: `${link.id}:${source}:${target}`, source: instanceId(link.from, source), target: instanceId(link.to, target), crossCluster: source !== target, latency: link.latency });
      }
    }
  }
  return planned;
}

const LANE_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.layered.spacing.nodeNodeBetweenLayers": "46",
  "elk.spacing.nodeNode": "20",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.padding": "[top=58,left=16,bottom=16,right=16]",
  "elk.nodeSize.constraints": "MINIMUM_SIZE",
  "elk.nodeSize.minimum": `(${NODE_WIDTH + 32}, 150)`,
};

const FEDERATION_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  // Room between lanes for a link's label ("cross-cluster · ultra-low latency").
  "elk.layered.spacing.nodeNodeBetweenLayers": "170",
  "elk.spacing.nodeNode": "28",
  "elk.spacing.componentComponent": "40",
  "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
  "elk.padding": "[top=8,left=8,bottom=8,right=8]",
};

/**
 * Two passes of ELK. First each cluster's lane alone: its services top to bottom along the links
 * between them. Then the lanes as fixed boxes, left to right along the links that cross clusters,
 * each link leaving and entering its lane by a port at its service's height, so that ELK orders
 * and aligns the lanes to keep those links short and straight. React Flow draws the edges from the
 * side facing the other node, so neither pass needs ELK's routes.
 */
async function layoutTopology(services: TopologyService[], clusters: TopologyCluster[]): Promise<Drawing> {
  const groups = servicesByCluster(services);
  const planned = planEdges(topologyLinks(services));
  const laneOf = (id: string) => groupId(id.slice(id.lastIndexOf("@") + 1));
  const lanes = await Promise.all(
    groups.map(([cluster, members]) =>
      layout({
        id: groupId(cluster),
        layoutOptions: LANE_OPTIONS,
        children: members.map((service) => ({ id: instanceId(service.name, cluster), width: NODE_WIDTH, height: NODE_HEIGHT })),
        edges: planned.filter((edge) => !edge.crossCluster && laneOf(edge.source) === groupId(cluster)).map((edge) => ({ id: edge.id, sources: [edge.source], targets: [edge.target] })),
      }),
    ),
  );
  const middleOf = (lane: ElkNode, id: string) => (lane.children?.find((child) => child.id === id)?.y ?? 0) + NODE_HEIGHT / 2;
  const crossing = planned.filter((edge) => edge.crossCluster);
  const federation = await layout({
    id: "root",
    layoutOptions: FEDERATION_OPTIONS,
    children: lanes.map((lane) => ({
      id: lane.id,
      width: lane.width,
      height: lane.height,
      layoutOptions: { "elk.portConstraints": "FIXED_POS" },
      ports: crossing.flatMap((edge) => [
        ...(laneOf(edge.source) === lane.id ? [{ id: `out:${edge.id}`, x: lane.width ?? 0, y: middleOf(lane, edge.source), width: 1, height: 1, layoutOptions: { "elk.port.side": "EAST" } }] : []),
        ...(laneOf(edge.target) === lane.id ? [{ id: `in:${edge.id}`, x: -1, y: middleOf(lane, edge.target), width: 1, height: 1, layoutOptions: { "elk.port.side": "WEST" } }] : []),
      ]),
    })),
    edges: crossing.map((edge) => ({ id: edge.id, sources: [`out:${edge.id}`], targets: [`in:${edge.id}`] })),
  });
  const placedLanes = lanes.map((lane) => {
    const box = federation.children?.find((candidate) => candidate.id === lane.id);
    return { ...lane, x: box?.x ?? 0, y: box?.y ?? 0 };
  });
  const laid = { ...federation, children: placedLanes };

  const byCluster = new Map(clusters.map((cluster) => [cluster.name, cluster]));
  const nodes: FlowNode[] = [];
  const boxes = new Map<string, Box>();
  for (const lane of laid.children ?? []) {
    const cluster = lane.id.slice("cluster:".length);
    const members = groups.find(([name]) => name === cluster)?.[1] ?? [];
    nodes.push({
      id: lane.id,
      type: "cluster",
      position: { x: lane.x ?? 0, y: lane.y ?? 0 },
      width: lane.width,
      height: lane.height,
      data: { cluster, info: byCluster.get(cluster), count: members.length },
      selectable: false,
      draggable: false,
      focusable: false,
      zIndex: 0,
      ariaRole: "group",
    });
    for (const child of lane.children ?? []) {
      const service = members.find((member) => instanceId(member.name, cluster) === child.id);
      if (!service) continue;
      boxes.set(child.id, { x: (lane.x ?? 0) + (child.x ?? 0), y: (lane.y ?? 0) + (child.y ?? 0), width: NODE_WIDTH, height: NODE_HEIGHT });
      nodes.push({
        id: child.id,
        type: "service",
        parentId: lane.id,
        extent: "parent",
        position: { x: child.x ?? 0, y: child.y ?? 0 },
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        data: { service, cluster, instances: Math.max(service.clusters.length, 1) },
        draggable: false,
        zIndex: 1,
        ariaLabel: `${service.name}: ${service.status} on ${cluster === UNPLACED ? "no cluster yet" : cluster}`,
      });
    }
  }

  const edges: Edge[] = planned.map((edge) => {
    const [from, to] = sidesBetween(boxes.get(edge.source)!, boxes.get(edge.target)!);
    const label = [edge.crossCluster ? "cross-cluster" : undefined, edge.latency ? describeLatency(edge.latency) : undefined].filter(Boolean).join(" · ");
    const colour = edge.crossCluster ? "var(--warn)" : "var(--muted)";
    return {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      sourceHandle: `source-${from}`,
      targetHandle: `target-${to}`,
      type: "smoothstep",
      pathOptions: { borderRadius: 12 },
      zIndex: 2,
      focusable: false,
      label: label || undefined,
      labelStyle: { fill: "var(--text)", fontSize: 11, fontWeight: 600 },
      labelBgStyle: { fill: "var(--surface)", fillOpacity: 0.95 },
      labelBgPadding: [6, 3] as [number, number],
      labelBgBorderRadius: 4,
      markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: colour },
      style: { stroke: colour, strokeWidth: edge.latency === "ultralow" ? 3 : edge.latency === "low" ? 2.25 : 1.5, strokeDasharray: edge.crossCluster ? "7 5" : undefined },
      className: edge.crossCluster ? "edge-cross-cluster" : "edge-local",
    };
  });
  return { nodes, edges, width: laid.width ?? 0, height: laid.height ?? 0 };
}

export default function Topology({ services, clusters, selected, onSelect }: TopologyProps) {
  const [drawing, setDrawing] = useState<Drawing>();
  const [failure, setFailure] = useState<string>();
  // Re-lay out only when what is drawn changes, not on every refetch.
  const shape = JSON.stringify([services.map((service) => [service.name, service.status, service.clusters, service.replicas, service.connectionPoints, service.latencies]), clusters.map((cluster) => [cluster.name, cluster.ready])]);
  useEffect(() => {
    let cancelled = false;
    layoutTopology(services, clusters).then(
      (result) => !cancelled && setDrawing(result),
      (error: unknown) => !cancelled && setFailure(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      cancelled = true;
    };
    // `shape` stands for services and clusters: a refetch with the same content lays nothing out again.
  }, [shape]);

  const nodes = useMemo(
    () => drawing?.nodes.map((node) => (node.type === "service" ? { ...node, selected: node.data.service.name === selected } : node)),
    [drawing, selected],
  );

  if (failure) return <p className="notice notice-error">The topology could not be laid out: {failure}</p>;
  if (!drawing || !nodes) {
    return (
      <div className={styles.placeholder} style={{ height: MIN_HEIGHT }}>
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Laying out the topology…
        </p>
      </div>
    );
  }
  const height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, drawing.height + 32));
  return (
    <div className={styles.canvas} style={{ height }} data-testid="topology">
      <ReactFlow<FlowNode, Edge>
        key={shape}
        nodes={nodes}
        edges={drawing.edges}
        nodeTypes={nodeTypes}
        colorMode="system"
        fitView
        // The zoom controls sit bottom right: keep the drawing clear of them.
        fitViewOptions={{ padding: { top: "12px", left: "12px", bottom: "12px", right: "52px" }, maxZoom: 1.1 }}
        minZoom={0.3}
        maxZoom={1.6}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        panOnScroll={false}
        zoomOnScroll={false}
        preventScrolling={false}
        onNodesChange={(changes) => {
          // Selection (a click, or Enter/Space on a focused node) is the page's: it opens the details panel.
          const chosen = changes.find((change) => change.type === "select" && change.selected);
          const node = chosen && "id" in chosen ? drawing.nodes.find((candidate) => candidate.id === chosen.id) : undefined;
          if (node?.type === "service") onSelect(node.data.service.name);
        }}
        onPaneClick={() => onSelect(undefined)}
        ariaLabelConfig={{ "node.a11yDescription.default": "Press Enter or Space to show this service's details." }}
        proOptions={{ hideAttribution: false }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} position="bottom-right" />
      </ReactFlow>
    </div>
  );
}
