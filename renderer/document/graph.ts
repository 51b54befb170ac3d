/**
 * Pure questions about a document's graph: ports, connections, reachability,
 * ids. Used by the canvas to refuse a connection with a reason before it is made.
 */
import { OP_BY_NAME, type OpSpec, type PortSpec } from '../../engine/protocol/ops';
import { edgeKey, type GraphDocument, type GraphEdge, type GraphNode } from './types';

/** The op spec of a node, if the op exists. */
export function specOf(node: Pick<GraphNode, 'op'>): OpSpec | undefined {
  return OP_BY_NAME.get(node.op);
}

/** The input ports of a node (none for an unknown op). */
export function inputPorts(node: Pick<GraphNode, 'op'>): readonly PortSpec[] {
  return specOf(node)?.ports ?? [];
}

/** A connection the user is trying to make. */
export interface Connection {
  readonly source: string;
  readonly sourceHandle?: string | null;
  readonly target: string;
  readonly targetHandle?: string | null;
}

/** Whether a connection may be made, and if not, why (shown to the user). */
export type ConnectionCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** True when `to` can be reached from `from` along edges. */
export function reaches(doc: GraphDocument, from: string, to: string): boolean {
  const out = new Map<string, string[]>();
  for (const e of doc.edges) {
    const list = out.get(e.source) ?? [];
    list.push(e.target);
    out.set(e.source, list);
  }
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const n = stack.pop()!;
    if (n === to) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(out.get(n) ?? []));
  }
  return false;
}

/** How a connection is checked: `replace` lets it take a used port (the old edge goes); `ignore` is an edge being moved. */
export interface CheckOptions {
  readonly replace?: boolean;
  readonly ignore?: string | null;
}

/** The edge that occupies the target port of `c`, if any. */
export function takenBy(
  doc: Pick<GraphDocument, 'edges'>,
  c: Pick<Connection, 'target' | 'targetHandle'>,
): GraphEdge | undefined {
  const key = edgeKey({ target: c.target, targetHandle: c.targetHandle ?? '' });
  return doc.edges.find((e) => edgeKey(e) === key);
}

/** Checks a connection: both nodes exist, the port exists and is free (or may be replaced), and no cycle results. */
export function checkConnection(doc: GraphDocument, c: Connection, opts: CheckOptions = {}): ConnectionCheck {
  const src = doc.nodes.find((n) => n.id === c.source);
  const dst = doc.nodes.find((n) => n.id === c.target);
  if (!src || !dst) return { ok: false, reason: 'Both ends must be nodes of the graph.' };
  const outputs = OP_BY_NAME.get(src.op)?.outputs.map((o) => o.name) ?? ['out'];
  if (!outputs.includes(c.sourceHandle ?? 'out'))
    return { ok: false, reason: `Edges start at an output of ${src.op}: ${outputs.map((o) => `“${o}”`).join(', ')}.` };
  const port = c.targetHandle ?? '';
  if (!inputPorts(dst).some((p) => p.name === port)) {
    return { ok: false, reason: `${dst.op} “${dst.id}” has no input port “${port}”.` };
  }
  if (c.source === c.target) return { ok: false, reason: 'A node cannot feed itself: that would be a cycle.' };
  const taken = takenBy(doc, c);
  const ignored = new Set([opts.ignore, opts.replace && taken ? edgeKey(taken) : null].filter((k): k is string => !!k));
  if (taken && !ignored.has(edgeKey(taken))) {
    return {
      ok: false,
      reason: `Port “${port}” of “${dst.id}” is already taken by “${taken.source}”. Drop the new edge on it to replace that one, or select the edge and press Delete.`,
    };
  }
  const rest = ignored.size ? { ...doc, edges: doc.edges.filter((e) => !ignored.has(edgeKey(e))) } : doc;
  if (reaches(rest, c.target, c.source)) {
    return {
      ok: false,
      reason: `Connecting “${c.source}” → “${c.target}” would make a cycle (“${c.target}” already feeds “${c.source}”).`,
    };
  }
  return { ok: true };
}

/** The edge a valid connection creates. */
export function connectionEdge(c: Connection): GraphEdge {
  return {
    source: c.source,
    sourceHandle: c.sourceHandle ?? 'out',
    target: c.target,
    targetHandle: c.targetHandle ?? 'input',
  };
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** True when `id` is a valid node id (`A-Z a-z 0-9 _ -`, 1 to 64 characters). */
export function isValidId(id: string): boolean {
  return ID_RE.test(id);
}

/** A fresh node id built from `base` (`conv` → `conv1`, `conv2`, ...), unused in `taken`. */
export function freshId(base: string, taken: ReadonlySet<string>): string {
  const stem = (base.replace(/[^A-Za-z0-9_-]/g, '').replace(/\d+$/, '') || 'node').slice(0, 56);
  for (let i = 1; ; i++) {
    const id = `${stem}${i}`;
    if (!taken.has(id)) return id;
  }
}

/** Node ids in topological order (ties by document order); nodes on a cycle come last. */
export function topoOrder(doc: Pick<GraphDocument, 'nodes' | 'edges'>): string[] {
  const indeg = new Map(doc.nodes.map((n) => [n.id, 0]));
  for (const e of doc.edges)
    if (indeg.has(e.target) && indeg.has(e.source)) indeg.set(e.target, indeg.get(e.target)! + 1);
  const order: string[] = [];
  const done = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const n of doc.nodes) {
      if (done.has(n.id) || indeg.get(n.id)! > 0) continue;
      done.add(n.id);
      order.push(n.id);
      progress = true;
      for (const e of doc.edges)
        if (e.source === n.id && indeg.has(e.target)) indeg.set(e.target, indeg.get(e.target)! - 1);
      break;
    }
  }
  for (const n of doc.nodes) if (!done.has(n.id)) order.push(n.id);
  return order;
}
