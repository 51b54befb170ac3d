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

/**
 * Note [A layout leaves room for the run]: a run adds rows to a node's face (its flags,
 * grad_fn and storage badges, a "shares storage" mark), so a layout made from the sizes of
 * nodes that have not run yet overlaps once the run ends. Measured in Chromium on parity
 * graphs, a run grows a node by 21 px (a Tensor's .grad badge) to 60 px (Conv2d); the
 * layout lays every node out RUN_ROOM taller until the node shows run flags.
 */
export const RUN_ROOM = 64;

/**
 * Top-left positions for every node of `doc`, laid out left to right with the nodes'
 * sizes; `roomFor(id)` is the height kept free below a node for what a run adds to it
 * (Note [A layout leaves room for the run]; by default {@link RUN_ROOM} for every node).
 */
export function layeredLayout(
  doc: Pick<GraphDocument, 'nodes' | 'edges'>,
  sizeOf: SizeOf = () => undefined,
  roomFor: (id: string) => number = () => RUN_ROOM,
): Map<string, XY> {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', ranksep: LAYOUT.ranksep, nodesep: LAYOUT.nodesep, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const sizes = new Map(doc.nodes.map((n) => [n.id, sizeOf(n.id) ?? estimateSize(n)]));
  for (const n of doc.nodes) {
    const s = sizes.get(n.id)!;
    g.setNode(n.id, { width: s.width, height: s.height + roomFor(n.id) });
  }
  doc.edges.forEach((e, i) => {
    if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target, {}, `e${i}`);
  });
  dagre.layout(g);
  const out = new Map<string, XY>();
  for (const n of doc.nodes) {
    const p = g.node(n.id); // the centre of the box with its room: the node sits at the box's top
    out.set(n.id, { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) });
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
