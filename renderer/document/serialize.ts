/**
 * Writing a graph document back to JSON: known keys in the format's order,
 * then every unknown key as it was read.
 */
import type { GraphDocument, GraphEdge, GraphNode, RunSpec } from './types';

function nodeJson(n: GraphNode): Record<string, unknown> {
  return {
    id: n.id,
    op: n.op,
    params: n.params,
    position: { x: round(n.position.x), y: round(n.position.y) },
    ...(n.label !== undefined ? { label: n.label } : {}),
    ...(n.retain_grad !== undefined ? { retain_grad: n.retain_grad } : {}),
    ...n.extra,
  };
}

const round = (v: number): number => (Number.isFinite(v) ? v : 0);

function edgeJson(e: GraphEdge): Record<string, unknown> {
  return { source: e.source, sourceHandle: e.sourceHandle, target: e.target, targetHandle: e.targetHandle, ...e.extra };
}

function runJson(r: RunSpec): Record<string, unknown> {
  const { extra, ...known } = r;
  return { ...known, ...extra };
}

/** The document as a JSON value (what `export JSON` writes). */
export function toJson(doc: GraphDocument): Record<string, unknown> {
  return {
    format: doc.format,
    version: doc.version,
    meta: doc.meta,
    nodes: doc.nodes.map(nodeJson),
    edges: doc.edges.map(edgeJson),
    ...(doc.run !== undefined ? { run: runJson(doc.run) } : {}),
    ...(doc.view !== undefined ? { view: doc.view } : {}),
    ...doc.extra,
  };
}

/** The document as pretty-printed JSON text. */
export function serializeDocument(doc: GraphDocument): string {
  return JSON.stringify(toJson(doc), null, 2) + '\n';
}
