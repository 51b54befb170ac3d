/**
 * Execution order: Tensor nodes are set up first; the forward phase is topological
 * with ties going to the node listed first in `nodes`; nodes depending on a Grad
 * node form the update phase. The order fixes creation order and so the order of
 * the backward pass (PyTorch runs the most recently created ready function first).
 */
import { describe, expect, it } from 'vitest';
import { load, runDocument } from '../../../engine/graph/index';
import { topologicalOrder } from '../../../engine/graph/compile';
import { doc, edge, node, tensor, type Obj } from '../../helpers/docs';

function compiled(d: Obj) {
  const l = load(d);
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  return { forward: l.graph.forward.map((n) => n.id), update: l.graph.update.map((n) => n.id) };
}

describe('topological order', () => {
  it('ties go to the node listed first', () => {
    const d = doc(
      [tensor('x'), node('b', 'Exp'), node('a', 'Neg')],
      [edge('x', 'a', 'input'), edge('x', 'b', 'input')],
    );
    expect(compiled(d).forward).toEqual(['x', 'b', 'a']);
  });

  it('a node listed early runs as soon as it is ready, before later-listed ready nodes', () => {
    // t; c = Exp(b); b = Neg(t); d = Log(t). After t: b (index 2) and d (index 3) are ready -> b;
    // then c (index 1) is ready and precedes d.
    const d = doc(
      [tensor('t'), node('c', 'Exp'), node('b', 'Neg'), node('d', 'Log')],
      [edge('b', 'c', 'input'), edge('t', 'b', 'input'), edge('t', 'd', 'input')],
    );
    expect(compiled(d).forward).toEqual(['t', 'b', 'c', 'd']);
  });

  it('Tensor nodes come first, in document order, wherever they are listed', () => {
    const d = doc(
      [node('m', 'Mul'), tensor('y'), node('r', 'ReLU'), tensor('x')],
      [edge('x', 'm', 'a'), edge('y', 'm', 'b'), edge('x', 'r', 'input')],
    );
    expect(compiled(d).forward).toEqual(['y', 'x', 'm', 'r']);
  });

  it('nodes that depend on a Grad node form the update phase, in the same order', () => {
    const d = doc(
      [
        tensor('x', [2], { requires_grad: true }),
        node('s', 'Sum'),
        node('g', 'Grad'),
        node('n', 'Neg'),
        node('e', 'Exp'),
        node('k', 'Mul'),
      ],
      [
        edge('x', 's', 'input'),
        edge('x', 'g', 'of'),
        edge('g', 'e', 'input'),
        edge('g', 'n', 'input'),
        edge('n', 'k', 'a'),
        edge('x', 'k', 'b'),
      ],
      { backward: 's' },
    );
    expect(compiled(d)).toEqual({ forward: ['x', 's'], update: ['g', 'n', 'e', 'k'] });
  });

  it('returns null for a cycle', () => {
    const n = [
      { id: 'a', op: 'Neg', params: {}, retainGrad: false, index: 0 },
      { id: 'b', op: 'Neg', params: {}, retainGrad: false, index: 1 },
    ];
    const e = [
      { source: 'a', target: 'b', targetHandle: 'input', index: 0 },
      { source: 'b', target: 'a', targetHandle: 'input', index: 1 },
    ];
    expect(topologicalOrder(n, e)).toBeNull();
  });
});

describe('creation order decides the backward order', () => {
  // x -> Exp e, x -> Neg n, Add(e, n), Sum. With e listed before n, n is created later and
  // its NegBackward0 runs before ExpBackward0; listing n first swaps them (PyTorch's rule:
  // the most recently created ready function first; derived by hand).
  const graph = (first: Obj, second: Obj) =>
    doc(
      [
        tensor('x', [3], { requires_grad: true, init: { kind: 'arange' } }),
        first,
        second,
        node('a', 'Add'),
        node('s', 'Sum'),
      ],
      [
        edge('x', 'e', 'input'),
        edge('x', 'n', 'input'),
        edge('e', 'a', 'a'),
        edge('n', 'a', 'b'),
        edge('a', 's', 'input'),
      ],
      { backward: 's' },
    );
  const steps = (d: Obj) => {
    const r = runDocument(d);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.result.backward_steps.map((s) => `${s.grad_fn}@${s.node}`);
  };

  it('Exp listed first', () => {
    expect(steps(graph(node('e', 'Exp'), node('n', 'Neg')))).toEqual([
      'SumBackward0@s',
      'AddBackward0@a',
      'NegBackward0@n',
      'ExpBackward0@e',
      'AccumulateGrad@x',
    ]);
  });

  it('Neg listed first', () => {
    expect(steps(graph(node('n', 'Neg'), node('e', 'Exp')))).toEqual([
      'SumBackward0@s',
      'AddBackward0@a',
      'ExpBackward0@e',
      'NegBackward0@n',
      'AccumulateGrad@x',
    ]);
  });
});
