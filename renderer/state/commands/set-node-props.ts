import type { GraphDocument, GraphNode } from '../../document/types';
import { CommandError, type Applied, type SetNodeProps } from './types';

/** Sets or clears label / retain_grad of a node; the inverse restores them. */
export function applySetNodeProps(doc: GraphDocument, cmd: SetNodeProps): Applied {
  const node = doc.nodes.find((n) => n.id === cmd.id);
  if (!node) throw new CommandError(`no node “${cmd.id}”`);
  const next: { -readonly [K in keyof GraphNode]: GraphNode[K] } = { ...node };
  if (cmd.label !== undefined) {
    if (cmd.label === null) delete next.label;
    else next.label = cmd.label;
  }
  if (cmd.retain_grad !== undefined) {
    if (cmd.retain_grad === null) delete next.retain_grad;
    else next.retain_grad = cmd.retain_grad;
  }
  return {
    doc: { ...doc, nodes: doc.nodes.map((n) => (n.id === cmd.id ? next : n)) },
    inverse: {
      type: 'setNodeProps',
      id: cmd.id,
      ...(cmd.label !== undefined ? { label: node.label ?? null } : {}),
      ...(cmd.retain_grad !== undefined ? { retain_grad: node.retain_grad ?? null } : {}),
    },
  };
}
