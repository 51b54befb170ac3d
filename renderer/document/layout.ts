/**
 * A left-to-right layered layout: each node's column is its longest distance
 * from a source; rows keep document order. Used for documents without
 * positions and for the examples.
 */
import { topoOrder } from './graph';
import type { GraphDocument, XY } from './types';

/** Spacing of the layout grid, in canvas pixels. */
export const LAYOUT = { dx: 290, dy: 210 } as const;

/** Positions for every node of `doc`, laid out left to right. */
export function layeredLayout(doc: Pick<GraphDocument, 'nodes' | 'edges'>): Map<string, XY> {
  const depth = new Map<string, number>();
  for (const id of topoOrder(doc)) {
    let d = 0;
    for (const e of doc.edges) if (e.target === id && depth.has(e.source)) d = Math.max(d, depth.get(e.source)! + 1);
    depth.set(id, d);
  }
  const rows = new Map<number, number>();
  const out = new Map<string, XY>();
  for (const n of doc.nodes) {
    const col = depth.get(n.id) ?? 0;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    out.set(n.id, { x: col * LAYOUT.dx, y: row * LAYOUT.dy });
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
