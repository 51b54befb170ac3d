import type { GraphDocument, GraphEdge, GraphNode } from './document';

/** Execution plan of a validated document. */
export interface CompiledGraph {
  readonly doc: GraphDocument;
  /** Forward phase: nodes that do not depend on a Grad node, topological, ties by document order. */
  readonly forward: readonly GraphNode[];
  /** Update phase: nodes that depend on a Grad node, same ordering rule. */
  readonly update: readonly GraphNode[];
  /** Input edges of each node, by port name. */
  readonly inputs: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/**
 * Kahn's algorithm picking, among ready nodes, the one listed first in the
 * document (the spec's tie rule). Returns null if the edges contain a cycle.
 */
export function topologicalOrder(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  preset: (n: GraphNode) => boolean = () => false,
): GraphNode[] | null {
  const indeg = new Map(nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    indeg.set(e.target, indeg.get(e.target)! + 1);
    out.get(e.source)!.push(e.target);
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const order: GraphNode[] = [];
  const ready: GraphNode[] = [];
  const release = (n: GraphNode) => {
    for (const t of out.get(n.id)!) {
      const d = indeg.get(t)! - 1;
      indeg.set(t, d);
      if (d === 0) ready.push(byId.get(t)!);
    }
  };
  // Preset nodes (Tensor nodes, set up before the forward phase) count as done first.
  const initial = nodes.filter((n) => indeg.get(n.id) === 0);
  for (const n of initial) (preset(n) ? order : ready).push(n);
  for (const n of [...order]) release(n);
  while (ready.length > 0) {
    let best = 0;
    for (let i = 1; i < ready.length; i++) if (ready[i]!.index < ready[best]!.index) best = i;
    const n = ready.splice(best, 1)[0]!;
    order.push(n);
    release(n);
  }
  return order.length === nodes.length ? order : null;
}

/** An edge that lies on a cycle, or null. */
export function findCycle(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): GraphEdge | null {
  const order = topologicalOrder(nodes, edges);
  if (order) return null;
  const placed = new Set<string>();
  // Nodes never placed lie on or behind a cycle; find an edge between two of them that closes one.
  const remaining = new Set(nodes.map((n) => n.id));
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of remaining) {
      const preds = edges.filter((e) => e.target === id && remaining.has(e.source));
      if (preds.length === 0) {
        remaining.delete(id);
        placed.add(id);
        changed = true;
      }
    }
  }
  for (const e of edges) {
    if (remaining.has(e.source) && remaining.has(e.target) && reaches(e.target, e.source, edges, remaining)) return e;
  }
  return edges.find((e) => remaining.has(e.source) && remaining.has(e.target)) ?? null;
}

function reaches(from: string, to: string, edges: readonly GraphEdge[], within: Set<string>): boolean {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === to) return true;
    for (const e of edges) {
      if (e.source === n && within.has(e.target) && !seen.has(e.target)) {
        seen.add(e.target);
        stack.push(e.target);
      }
    }
  }
  return false;
}

/** Splits a validated document into its forward and update phases. */
export function compile(doc: GraphDocument): CompiledGraph {
  const order = topologicalOrder(doc.nodes, doc.edges, (n) => n.op === 'Tensor')!;
  const dependsOnGrad = new Set<string>();
  for (const n of order) {
    if (n.op === 'Grad' || doc.edges.some((e) => e.target === n.id && dependsOnGrad.has(e.source))) dependsOnGrad.add(n.id);
  }
  const inputs = new Map<string, Map<string, string>>(doc.nodes.map((n) => [n.id, new Map()]));
  for (const e of doc.edges) inputs.get(e.target)!.set(e.targetHandle, e.source);
  return {
    doc,
    forward: order.filter((n) => !dependsOnGrad.has(n.id)),
    update: order.filter((n) => dependsOnGrad.has(n.id)),
    inputs,
  };
}
