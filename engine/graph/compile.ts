import { outputName } from '../protocol/op-spec';
import type { GraphDocument, GraphEdge, GraphNode } from './document';

/** Execution plan of a validated document. */
export interface CompiledGraph {
  readonly doc: GraphDocument;
  /** Forward phase: nodes that do not depend on a Grad node, topological, ties by document order. */
  readonly forward: readonly GraphNode[];
  /** Update phase: nodes that depend on a Grad node, same ordering rule. */
  readonly update: readonly GraphNode[];
  /** Input edges of each node: port name -> the output name it reads (the source id, or `<id>.<output>`: see outputName). */
  readonly inputs: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** Nodes by position and each edge as a pair of positions (ids are looked up once). */
interface Indexed {
  readonly at: Map<string, number>;
  /** Targets of each node's outgoing edges, by position. */
  readonly out: number[][];
}

/** What ordering needs of a node. */
type Ordered = Pick<GraphNode, 'id' | 'index'>;

/** What ordering needs of an edge. */
type Link = Pick<GraphEdge, 'source' | 'target'>;

function indexed(nodes: readonly Ordered[], edges: readonly Link[]): Indexed {
  const at = new Map<string, number>();
  nodes.forEach((n, i) => at.set(n.id, i));
  const out: number[][] = nodes.map(() => []);
  for (const e of edges) out[at.get(e.source)!]!.push(at.get(e.target)!);
  return { at, out };
}

/** A binary min-heap of node positions, ordered by the nodes' document index. */
class ReadyHeap {
  private readonly items: number[] = [];

  constructor(private readonly key: (p: number) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(p: number): void {
    const a = this.items;
    a.push(p);
    for (let i = a.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (this.key(a[up]!) <= this.key(a[i]!)) break;
      [a[up], a[i]] = [a[i]!, a[up]!];
      i = up;
    }
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length === 0) return top;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.key(a[l]!) < this.key(a[m]!)) m = l;
      if (r < a.length && this.key(a[r]!) < this.key(a[m]!)) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i]!, a[m]!];
      i = m;
    }
    return top;
  }
}

/**
 * Kahn's algorithm picking, among ready nodes, the one listed first in the
 * document (the spec's tie rule), with a heap: O((nodes + edges) log nodes).
 * Returns null if the edges contain a cycle.
 */
export function topologicalOrder<N extends Ordered>(
  nodes: readonly N[],
  edges: readonly Link[],
  preset: (n: N) => boolean = () => false,
): N[] | null {
  const { out } = indexed(nodes, edges);
  const indeg = new Array<number>(nodes.length).fill(0);
  for (const targets of out) for (const t of targets) indeg[t]!++;
  const order: N[] = [];
  const ready = new ReadyHeap((p) => nodes[p]!.index);
  const release = (p: number) => {
    for (const t of out[p]!) if (--indeg[t]! === 0) ready.push(t);
  };
  // Preset nodes (Tensor nodes, set up before the forward phase) count as done first.
  const presetDone: number[] = [];
  nodes.forEach((n, p) => {
    if (indeg[p] === 0) (preset(n) ? presetDone : ready).push(p);
  });
  for (const p of presetDone) order.push(nodes[p]!);
  for (const p of presetDone) release(p);
  while (ready.size > 0) {
    const p = ready.pop();
    order.push(nodes[p]!);
    release(p);
  }
  return order.length === nodes.length ? order : null;
}

/** A cycle: the first edge (in document order) that lies on one, and the node ids around it. */
export interface Cycle {
  readonly edge: GraphEdge;
  /** Ids from the edge's source around the cycle back to it (`[a, b, a]`; `[a, a]` for a self-loop). */
  readonly path: readonly string[];
}

/**
 * The first edge, in document order, that lies on a cycle (with the cycle it
 * closes), or null. Linear: the strongly connected components (Tarjan's
 * algorithm, iterative) say which edges lie on a cycle, and a breadth-first
 * search inside the edge's component finds the way back.
 */
export function findCycle(nodes: readonly Ordered[], edges: readonly GraphEdge[]): Cycle | null {
  const g = indexed(nodes, edges);
  const comp = components(g.out);
  const edge = edges.find((e) => comp[g.at.get(e.source)!] === comp[g.at.get(e.target)!]);
  if (!edge) return null;
  const from = g.at.get(edge.source)!;
  const back = pathWithin(g.out, comp, g.at.get(edge.target)!, from);
  return { edge, path: [edge.source, ...back.map((p) => nodes[p]!.id)] };
}

/** The strongly connected component of every node (Tarjan's algorithm without recursion). */
function components(out: readonly number[][]): Int32Array {
  const n = out.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const next = new Int32Array(n); // how many of a node's edges the search has followed
  let counter = 0;
  let comps = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const call: number[] = [root];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (call.length > 0) {
      const v = call[call.length - 1]!;
      if (next[v]! < out[v]!.length) {
        const w = out[v]![next[v]!++]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          call.push(w);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      call.pop();
      if (call.length > 0) {
        const u = call[call.length - 1]!;
        low[u] = Math.min(low[u]!, low[v]!);
      }
      if (low[v] === index[v]) {
        for (let w = -1; w !== v; ) {
          w = stack.pop()!;
          onStack[w] = 0;
          comp[w] = comps;
        }
        comps++;
      }
    }
  }
  return comp;
}

/** The shortest path of positions from `from` to `to` (both included) inside `from`'s component. */
function pathWithin(out: readonly number[][], comp: Int32Array, from: number, to: number): number[] {
  const prev = new Map<number, number>([[from, -1]]);
  const queue = [from];
  for (let head = 0; head < queue.length && !prev.has(to); head++) {
    const v = queue[head]!;
    for (const w of out[v]!) {
      if (comp[w] !== comp[from] || prev.has(w)) continue;
      prev.set(w, v);
      queue.push(w);
    }
  }
  const path: number[] = [];
  for (let p = to; p !== -1; p = prev.get(p)!) path.push(p);
  return path.reverse();
}

/** Splits a validated document into its forward and update phases. */
export function compile(doc: GraphDocument): CompiledGraph {
  const order = topologicalOrder(doc.nodes, doc.edges, (n) => n.impl.leaf !== null)!;
  const inputs = new Map<string, Map<string, string>>(doc.nodes.map((n) => [n.id, new Map()]));
  const specs = new Map(doc.nodes.map((n) => [n.id, n.impl.spec]));
  for (const e of doc.edges) {
    inputs.get(e.target)!.set(e.targetHandle, outputName(e.source, specs.get(e.source)!, e.sourceHandle));
  }
  const sourceOf = new Map(doc.edges.map((e) => [`${e.target}:${e.targetHandle}`, e.source]));
  const dependsOnGrad = new Set<string>();
  for (const n of order) {
    const fromGrad = [...inputs.get(n.id)!.keys()].some((port) => dependsOnGrad.has(sourceOf.get(`${n.id}:${port}`)!));
    if (n.impl.readsGrad || fromGrad) dependsOnGrad.add(n.id);
  }
  return {
    doc,
    forward: order.filter((n) => !dependsOnGrad.has(n.id)),
    update: order.filter((n) => dependsOnGrad.has(n.id)),
    inputs,
  };
}
