/**
 * Autograd state of tensors: requires_grad assignment (PyTorch's exact messages),
 * detach/clone storage sharing and version counters, and no-grad mode.
 */
import { describe, expect, it } from 'vitest';
import { TorchError } from '../../../engine/core/errors';
import { isGradEnabled, noGrad } from '../../../engine/autograd/grad-mode';
import { Tensor, requiresGradLeafError } from '../../../engine/tensor/tensor';
import { exp, mul, relu_ } from '../../../engine/tensor/ops/elementwise';
import { sum } from '../../../engine/tensor/ops/reduce';
import { clone, reshape } from '../../../engine/tensor/ops/view';

function leaf(values: number[], requiresGrad = true): Tensor {
  const t = Tensor.fromData(Float32Array.from(values), [values.length], 'float32');
  if (requiresGrad) t.setRequiresGrad(true);
  return t;
}

function thrown(fn: () => unknown): TorchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TorchError) return e;
    throw e;
  }
  throw new Error('expected a TorchError');
}

// PyTorch 1.13's texts (python_variable.cpp / requires_grad_leaf_error), checked against torch:
// `y = x * 2; y.requires_grad = True` and `= False`.
const LEAF_TRUE = 'you can only change requires_grad flags of leaf variables.';
const LEAF_FALSE =
  'you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a ' +
  "subgraph that doesn't require differentiation use var_no_grad = var.detach().";

describe('requires_grad assignment', () => {
  it('on a non-leaf, = True raises the short message', () => {
    const y = mul(leaf([1, 2]), leaf([3, 4]));
    const e = thrown(() => y.setRequiresGrad(true));
    expect(e.type).toBe('RuntimeError');
    expect(e.message).toBe(LEAF_TRUE);
    expect(requiresGradLeafError(true)).toBe(LEAF_TRUE);
  });

  it('on a non-leaf, = False raises the message with the detach() hint', () => {
    const y = exp(leaf([1]));
    const e = thrown(() => y.setRequiresGrad(false));
    expect(e.type).toBe('RuntimeError');
    expect(e.message).toBe(LEAF_FALSE);
    expect(requiresGradLeafError(false)).toBe(LEAF_FALSE);
  });

  it('on an int64 leaf, = True raises the dtype error; = False is allowed', () => {
    const t = Tensor.fromData(Float64Array.of(1, 2), [2], 'int64');
    const e = thrown(() => t.setRequiresGrad(true));
    expect(e.type).toBe('RuntimeError');
    expect(e.message).toBe('only Tensors of floating point and complex dtype can require gradients');
    expect(() => t.setRequiresGrad(false)).not.toThrow();
    expect(t.requiresGrad).toBe(false);
  });

  it('on a leaf, both values are accepted, and the float64 dtype can require grad', () => {
    const t = leaf([1], false);
    t.setRequiresGrad(true);
    expect(t.requiresGrad).toBe(true);
    t.setRequiresGrad(false);
    expect(t.requiresGrad).toBe(false);
    const d = Tensor.fromData(Float64Array.of(1), [1], 'float64');
    d.setRequiresGrad(true);
    expect(d.requiresGrad).toBe(true);
  });

  it('a result requires grad iff an input does, and is a leaf iff it has no grad_fn', () => {
    const a = leaf([1], false);
    const b = leaf([2], true);
    expect(mul(a, a).requiresGrad).toBe(false);
    expect(mul(a, a).isLeaf).toBe(true);
    const m = mul(a, b);
    expect(m.requiresGrad).toBe(true);
    expect(m.isLeaf).toBe(false);
    expect(m.gradFnName).toBe('MulBackward0');
  });
});

describe('detach and clone', () => {
  it('detach shares storage and the version counter, and is a leaf without grad', () => {
    const x = leaf([-1, 2]);
    const y = exp(x);
    const d = y.detach();
    expect(d.storage).toBe(y.storage);
    expect(d.isLeaf).toBe(true);
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    const before = y.storage.version;
    relu_(d);
    expect(y.storage.version).toBe(before + 1);
    expect(d.storage.version).toBe(y.storage.version);
  });

  it('an in-place write through the detached alias changes the original values', () => {
    const x = leaf([-1, 2], false);
    const d = x.detach();
    relu_(d);
    expect(x.toArray()).toEqual([0, 2]);
  });

  it('clone copies into new storage with its own version counter and stays in the graph', () => {
    const x = leaf([-1, 2]);
    const c = clone(x);
    expect(c.storage).not.toBe(x.storage);
    expect(c.gradFnName).toBe('CloneBackward0');
    expect(c.requiresGrad).toBe(true);
    const before = x.storage.version;
    relu_(c.detach());
    expect(x.storage.version).toBe(before);
    expect(x.toArray()).toEqual([-1, 2]);
    expect(c.toArray()).toEqual([0, 2]);
  });

  it('views share storage with their base (reshape of a contiguous tensor)', () => {
    const x = leaf([1, 2, 3, 4]);
    const v = reshape(x, [2, 2]);
    expect(v.storage).toBe(x.storage);
    expect(v.base).toBe(x);
    expect(v.gradFnName).toBe('ReshapeAliasBackward0');
  });
});

describe('no-grad mode', () => {
  it('records nothing: results are leaves that do not require grad', () => {
    const x = leaf([1, 2]);
    const y = noGrad(() => sum(mul(exp(x), x)));
    expect(y.gradFn).toBeNull();
    expect(y.requiresGrad).toBe(false);
    expect(y.isLeaf).toBe(true);
  });

  it('restores the previous mode after the block, also when it throws, and nests', () => {
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      noGrad(() => expect(isGradEnabled()).toBe(false));
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(mul(leaf([1]), leaf([1])).gradFn).not.toBeNull();
  });

  it('allows an in-place ReLU on a leaf that requires grad (as torch.no_grad does)', () => {
    const x = leaf([-1, 2]);
    expect(() => noGrad(() => relu_(x))).not.toThrow();
    expect(x.isLeaf).toBe(true);
    expect(x.toArray()).toEqual([0, 2]);
  });

  it("outside no-grad, an in-place ReLU on such a leaf raises PyTorch's message", () => {
    const e = thrown(() => relu_(leaf([-1, 2])));
    expect(e.message).toBe('a leaf Variable that requires grad is being used in an in-place operation.');
  });
});
