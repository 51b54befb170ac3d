import type { GraphDocument } from '../../document/types';
import type { Applied, MoveNodes } from './types';

/** Moves nodes; the inverse moves them back. Unknown ids are ignored. */
export function applyMoveNodes(doc: GraphDocument, cmd: MoveNodes): Applied {
  const to = new Map(cmd.moves.map((m) => [m.id, m.to]));
  const back = doc.nodes.filter((n) => to.has(n.id)).map((n) => ({ id: n.id, to: n.position }));
  return {
    doc: { ...doc, nodes: doc.nodes.map((n) => (to.has(n.id) ? { ...n, position: to.get(n.id)! } : n)) },
    inverse: { type: 'moveNodes', moves: back },
  };
}
