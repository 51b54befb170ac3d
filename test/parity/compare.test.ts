/**
 * The parity comparer itself (test/helpers/compare.ts): check.py's tolerance, without
 * its Infinity bug, and the stricter checks (names, messages, full step list).
 * All numbers here are made up for the comparer, by hand.
 */
import { describe, expect, it } from 'vitest';
import { closeArrays, compareResult, type ResultLike } from '../helpers/compare';

const tensor = (data: number[], extra: Record<string, unknown> = {}) => ({
  shape: [data.length],
  dtype: 'float32',
  data,
  requires_grad: true,
  is_leaf: true,
  grad_fn: null,
  grad: null,
  ...extra,
});
const result = (over: Partial<ResultLike> = {}): ResultLike => ({
  tensors: { x: tensor([1, 2]) },
  backward_steps: [
    { grad_fn: 'SumBackward0', node: 's' },
    { grad_fn: 'AccumulateGrad', node: 'x' },
  ],
  iterations_run: 1,
  error: null,
  ...over,
});

describe('closeArrays', () => {
  it("uses check.py's tolerance: 1e-5 * max(1, max |expected|) + 1e-4 * |expected|", () => {
    expect(closeArrays([1000.1], [1000])).toBeNull(); // allowed: 0.01 + 0.1
    expect(closeArrays([1000.2], [1000])).not.toBeNull();
    expect(closeArrays([1 + 1e-5], [1])).toBeNull();
    expect(closeArrays([1 + 2e-4], [1])).not.toBeNull();
  });

  it('ignores non-finite expected values when computing the scale', () => {
    // check.py would take scale = inf here and accept anything.
    expect(closeArrays([Infinity, 2], [Infinity, 1])).toMatch(/element 1/);
    expect(closeArrays([-Infinity, 5], [-Infinity, 5])).toBeNull();
  });

  it('NaN must meet NaN, and infinities must be equal', () => {
    expect(closeArrays([NaN], [NaN])).toBeNull();
    expect(closeArrays([0], [NaN])).not.toBeNull();
    expect(closeArrays([NaN], [0])).not.toBeNull();
    expect(closeArrays([Infinity], [-Infinity])).not.toBeNull();
    expect(closeArrays([1e300], [Infinity])).not.toBeNull();
  });

  it('refuses missing data and a different length', () => {
    expect(closeArrays(undefined, [1])).not.toBeNull();
    expect(closeArrays([1, 2], [1])).not.toBeNull();
    expect(closeArrays([null], [1])).not.toBeNull();
  });
});

describe('compareResult', () => {
  it('accepts an equal result', () => {
    expect(compareResult(result(), result())).toEqual([]);
  });

  it('checks every grad_fn name, requires_grad, is_leaf and dtype', () => {
    const got = result({
      tensors: { x: tensor([1, 2], { grad_fn: 'ViewBackward0', is_leaf: false, dtype: 'int64' }) },
    });
    const faults = compareResult(
      result({ tensors: { x: tensor([1, 2], { grad_fn: 'ReshapeAliasBackward0', is_leaf: false }) } }),
      got,
    );
    expect(faults).toEqual(['x: dtype "int64" != "float32"', 'x: grad_fn "ViewBackward0" != "ReshapeAliasBackward0"']);
  });

  it('checks grads: presence, shape and values', () => {
    const exp = result({ tensors: { x: tensor([1, 2], { grad: { shape: [2], data: [1, 1] } }) } });
    expect(compareResult(exp, result())).toEqual(['x: grad None, expected present']);
    const wrong = result({ tensors: { x: tensor([1, 2], { grad: { shape: [2], data: [1, 3] } }) } });
    expect(compareResult(exp, wrong)[0]).toMatch(/^x: grad element 1/);
  });

  it('reports missing and extra tensors', () => {
    const got = result({ tensors: { y: tensor([1, 2]) } });
    expect(compareResult(result(), got)).toEqual([
      'x: missing',
      "y: reported, but PyTorch's result has no such tensor",
    ]);
  });

  it('compares the full backward_steps list, including the nodes of AccumulateGrad', () => {
    const got = result({
      backward_steps: [
        { grad_fn: 'SumBackward0', node: 's' },
        { grad_fn: 'AccumulateGrad', node: 'w' },
      ],
    });
    expect(compareResult(result(), got)[0]).toMatch(
      /^backward_steps differ first at step 1: got AccumulateGrad@w, PyTorch AccumulateGrad@x/,
    );
    expect(compareResult(result(), result({ backward_steps: [] }))[0]).toMatch(/step 0/);
  });

  it('compares errors field by field, the message exactly', () => {
    const e = { type: 'RuntimeError', message: 'boom', node: 'x', phase: 'forward', iteration: 0 };
    expect(compareResult(result({ error: e }), result({ error: { ...e, message: 'boom!' } }))).toEqual([
      'error.message "boom!" != PyTorch\'s "boom"',
    ]);
    expect(compareResult(result({ error: e }), result())[0]).toMatch(/^expected error/);
    expect(compareResult(result(), result({ error: e }))[0]).toMatch(/^unexpected error/);
    expect(compareResult(result(), result({ iterations_run: 2 }))).toEqual(['iterations_run 2 != 1']);
  });
});
