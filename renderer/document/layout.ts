/**
 * A left-to-right layered layout (dagre's Sugiyama layout: ranks by longest
 * path, crossings reduced, nodes of their real size), used for documents
 * without positions, for the bundled examples and by Tidy. Nodes without
 * edges are laid out too, each in free space of its own.
 */
import dagre from '@dagrejs/dagre';
import { estimateSize, type SizeOf } from './placement';
import type { GraphDocument, XY } from './types';

/** Gaps of the layout, in canvas pixels: between ranks (room for an edge label) and between nodes of a rank. */
export const LAYOUT = { ranksep: 60, nodesep: 28 } as const;

/** Top-left positions for every node of `doc`, laid out left to right with the nodes' sizes. */
export function layeredLayout(
  doc: Pick<GraphDocument, 'nodes' | 'edges'>,
  sizeOf: SizeOf = () => undefined,
): Map<string, XY> {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', ranksep: LAYOUT.ranksep, nodesep: LAYOUT.nodesep, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const sizes = new Map(doc.nodes.map((n) => [n.id, sizeOf(n.id) ?? estimateSize(n)]));
  for (const n of doc.nodes) g.setNode(n.id, { ...sizes.get(n.id)! });
  doc.edges.forEach((e, i) => {
    if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target, {}, `e${i}`);
  });
  dagre.layout(g);
  const out = new Map<string, XY>();
  for (const n of doc.nodes) {
    const p = g.node(n.id);
    const s = sizes.get(n.id)!;
    out.set(n.id, { x: Math.round(p.x - s.width / 2), y: Math.round(p.y - s.height / 2) });
  }
  return out;
}

/** The document with positions filled in for nodes that have none. */
export function withPositions(doc: GraphDocument): GraphDocument {
  if (doc.nodes.every((n) => Number.isFinite(n.position.x) && Number.isFinite(n.position.y))) return doc;
  const pos = layeredLayout(doc);
  return {
    ...doc,
    nodes: doc.nodes.map((n) =>
      Number.isFinite(n.position.x) && Number.isFinite(n.position.y) ? n : { ...n, position: pos.get(n.id)! },
    ),
  };
}
