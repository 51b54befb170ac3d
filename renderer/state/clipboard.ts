/**
 * Copy, paste, duplicate and delete of a selection. A paste adds all of its
 * nodes and edges with one command, so it is one undo step.
 */
import { freshId } from '../document/graph';
import { edgeKey, type GraphDocument, type GraphEdge, type GraphNode } from '../document/types';
import { feedbackTarget } from '../document/feedback';
import type { AddElements, Command, RemoveElements } from './commands';

/** What is on the clipboard: nodes, the edges among them, and edges into them from outside. */
export interface ClipboardData {
  readonly kind: 'autograd-studio/clipboard';
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** Copies the given nodes with the edges that end at them. */
export function copyNodes(doc: GraphDocument, ids: readonly string[]): ClipboardData {
  const set = new Set(ids);
  return {
    kind: 'autograd-studio/clipboard',
    nodes: doc.nodes.filter((n) => set.has(n.id)),
    edges: doc.edges.filter((e) => set.has(e.target)),
  };
}

/** True when a value is clipboard data. */
export function isClipboardData(v: unknown): v is ClipboardData {
  return typeof v === 'object' && v !== null && (v as ClipboardData).kind === 'autograd-studio/clipboard';
}

/**
 * The command that pastes clipboard data, offset by `dx, dy`, with fresh ids.
 * Edges among pasted nodes are remapped; an edge from a node that is not
 * pasted keeps its source when that node still exists (duplicate keeps inputs).
 */
export function pasteCommand(
  doc: GraphDocument,
  data: ClipboardData,
  dx = 40,
  dy = 40,
): { cmd: AddElements; ids: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const map = new Map<string, string>();
  for (const n of data.nodes) {
    const id = freshId(n.id, taken);
    taken.add(id);
    map.set(n.id, id);
  }
  const existing = new Set(doc.nodes.map((n) => n.id));
  const nodes = data.nodes.map((n) => ({
    node: { ...n, id: map.get(n.id)!, position: { x: n.position.x + dx, y: n.position.y + dy } },
  }));
  const edges = data.edges.flatMap((e) => {
    const target = map.get(e.target);
    const source = map.get(e.source) ?? (existing.has(e.source) ? e.source : undefined);
    return target && source ? [{ edge: { ...e, source, target } }] : [];
  });
  return { cmd: { type: 'addElements', nodes, edges }, ids: [...map.values()] };
}

/** The command that deletes selected nodes and edges, feedback edges among them (one undo step). */
export function deleteCommand(nodeIds: readonly string[], edgeKeys: readonly string[]): Command {
  const fed = edgeKeys.map(feedbackTarget).filter((t): t is string => t !== null);
  const remove: RemoveElements = { type: 'removeElements', nodeIds, edgeKeys };
  if (!fed.length) return remove;
  // the feedback pairs go first: removing their nodes would drop them too
  return { type: 'batch', commands: [...fed.map((to) => ({ type: 'removeFeedback', to }) as const), remove] };
}

export { edgeKey };
