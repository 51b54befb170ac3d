import { edgeKey, type GraphDocument } from '../../document/types';
import { CommandError, type AddElements, type Applied } from './types';

function insertAt<T>(list: T[], item: T, index: number | undefined): void {
  if (index === undefined || index < 0 || index > list.length) list.push(item);
  else list.splice(index, 0, item);
}

/** Adds nodes and edges; the inverse removes them. */
export function applyAddElements(doc: GraphDocument, cmd: AddElements): Applied {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const nodes = [...doc.nodes];
  for (const { node, index } of [...cmd.nodes].sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity))) {
    if (ids.has(node.id)) throw new CommandError(`a node “${node.id}” already exists`);
    ids.add(node.id);
    insertAt(nodes, node, index);
  }
  const keys = new Set(doc.edges.map(edgeKey));
  const edges = [...doc.edges];
  for (const { edge, index } of [...cmd.edges].sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity))) {
    if (!ids.has(edge.source) || !ids.has(edge.target))
      throw new CommandError(`edge ${edge.source} → ${edge.target}: missing node`);
    if (keys.has(edgeKey(edge))) throw new CommandError(`port ${edgeKey(edge)} is already taken`);
    keys.add(edgeKey(edge));
    insertAt(edges, edge, index);
  }
  return {
    doc: { ...doc, nodes, edges },
    inverse: {
      type: 'removeElements',
      nodeIds: cmd.nodes.map((n) => n.node.id),
      edgeKeys: cmd.edges.map((e) => edgeKey(e.edge)),
    },
  };
}
