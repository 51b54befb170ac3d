/**
 * An error thrown inside an op ends the run with an error in the result; its
 * type tells the truth: PyTorch's errors keep their type and message, an engine
 * bug is an InternalError, and only a failed allocation is out of memory.
 * Each case makes the Detach node's `detach()` fail the way a bug would.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GraphSession, load, resultJson } from '../../../engine/graph/index';
import { Tensor } from '../../../engine/tensor/tensor';
import { doc, edge, node, tensor } from '../../helpers/docs';

function runGraph(
  nodes = [tensor('x', [2, 3], { requires_grad: true }), node('d', 'Detach'), node('r', 'Reshape', { shape: [7] })],
) {
  const l = load(doc(nodes, [edge('x', 'd', 'input'), edge('d', 'r', 'input')]));
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  const s = new GraphSession(l.graph);
  s.run();
  return resultJson(s);
}

const recurse = (n: number): number => recurse(n + 1) + 1;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('errors inside an op', () => {
  it('a PyTorch error stays a RuntimeError with PyTorch’s exact message', () => {
    expect(runGraph().error).toEqual({
      type: 'RuntimeError',
      message: "shape '[7]' is invalid for input of size 6",
      node: 'r',
      phase: 'forward',
      iteration: 0,
    });
  });

  it('a TypeError is an InternalError at the node it happened in', () => {
    vi.spyOn(Tensor.prototype, 'detach').mockImplementation(function (this: Tensor) {
      return (undefined as unknown as { t: Tensor }).t;
    });
    const r = runGraph();
    expect(r.error).toMatchObject({ type: 'InternalError', node: 'd', phase: 'forward', iteration: 0 });
    expect(r.error!.message).toMatch(/^TypeError: /);
    expect(r.tensors.x).toBeDefined(); // what was computed before is still reported
  });

  it('a stack overflow is an InternalError, not out of memory', () => {
    vi.spyOn(Tensor.prototype, 'detach').mockImplementation(() => {
      recurse(0);
      throw new Error('unreachable');
    });
    expect(runGraph().error).toMatchObject({
      type: 'InternalError',
      message: 'RangeError: Maximum call stack size exceeded',
      node: 'd',
    });
  });

  it('a failed internal invariant is an InternalError', () => {
    vi.spyOn(Tensor.prototype, 'detach').mockImplementation(() =>
      Tensor.fromData(new Float32Array(5), [2, 3], 'float32'),
    );
    expect(runGraph().error).toMatchObject({ type: 'InternalError', message: '5 values for shape [2, 3]', node: 'd' });
  });

  it('a failed allocation is an out-of-memory RuntimeError', () => {
    // 2^52 bytes is below V8's largest ArrayBuffer, so the allocation itself fails.
    vi.spyOn(Tensor.prototype, 'detach').mockImplementation(() =>
      Tensor.fromData(new Float32Array(new ArrayBuffer(2 ** 52)), [2 ** 50], 'float32'),
    );
    expect(runGraph().error).toMatchObject({
      type: 'RuntimeError',
      message: 'out of memory: Array buffer allocation failed',
      node: 'd',
      phase: 'forward',
    });
  });
});
