/** Builders of hostile and oversized documents shared by the attack suite (test/security). */
import { doc, edge, node, tensor, type Obj } from '../helpers/docs';

/** x -> n0 -> n1 -> ... -> n{length-1} -> s (Sum, the backward root); with `cycle`, n0's input is the chain's end. */
export function chain(length: number, cycle = false): Obj {
  const nodes: Obj[] = [tensor('x', [2], { requires_grad: true, init: { kind: 'arange' } })];
  const edges: Obj[] = [];
  for (let i = 0; i < length; i++) {
    nodes.push(node(`n${i}`, 'Neg'));
    edges.push(edge(i === 0 ? (cycle ? `n${length - 1}` : 'x') : `n${i - 1}`, `n${i}`, 'input'));
  }
  nodes.push(node('s', 'Sum'));
  edges.push(edge(`n${length - 1}`, 's', 'input'));
  return doc(nodes, edges, { backward: 's' });
}

/** One Tensor x feeding `width` Neg nodes listed in reverse order of their ids (w{width-1} first). */
export function fan(width: number): Obj {
  const nodes: Obj[] = [tensor('x', [1])];
  const edges: Obj[] = [];
  for (let i = width - 1; i >= 0; i--) {
    nodes.push(node(`w${i}`, 'Neg'));
    edges.push(edge('x', `w${i}`, 'input'));
  }
  return doc(nodes, edges);
}
