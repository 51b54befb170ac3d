/** Small builders for graph documents (format version 1) in tests. */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };

/** A document with the given nodes, edges and (optional) run section. */
export function doc(nodes: Obj[], edges: Obj[] = [], run?: Obj, extra: Obj = {}): Obj {
  return { format: 'autograd-studio/graph', version: 1, nodes, edges, ...(run ? { run } : {}), ...extra };
}

/** A Tensor node. */
export function tensor(id: string, shape: number[] = [2, 3], params: Obj = {}): Obj {
  return { id, op: 'Tensor', params: { shape, ...params } };
}

/** A node of any op. */
export function node(id: string, op: string, params: Obj = {}): Obj {
  return { id, op, params };
}

/** An edge into `target`'s port `targetHandle`. */
export function edge(source: string, target: string, targetHandle: string): Obj {
  return { source, sourceHandle: 'out', target, targetHandle };
}

/** A deep copy (documents are plain JSON). */
export function copy<T>(v: T): T {
  return structuredClone(v);
}
