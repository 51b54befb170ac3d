/**
 * The backward pass: dependency counting, gradient summation, retain_grad,
 * AccumulateGrad, freed graphs and the version-counter check, each against what
 * PyTorch 1.13 does. Expected gradients are computed by hand (noted per test);
 * error messages are PyTorch's exact text.
 */
import { describe, expect, it } from 'vitest';
import { BackwardRun, type BackwardStep } from '../../../engine/autograd/engine';
import { TorchError } from '../../../engine/core/errors';
import { tagOf } from '../../../engine/graph/session';
import { Tensor } from '../../../engine/tensor/tensor';
import { add, exp, log, mul, mulScalar, relu_ } from '../../../engine/tensor/ops/elementwise';
import { sum } from '../../../engine/tensor/ops/reduce';
import { clone, reshape, transpose } from '../../../engine/tensor/ops/view';
import { ERR_BACKWARD_TWICE } from '../../../engine/autograd/saved';

function leaf(values: number[], requiresGrad = true): Tensor {
  const t = Tensor.fromData(Float32Array.from(values), [values.length], 'float32');
  if (requiresGrad) t.setRequiresGrad(true);
  t.name = 'x';
  return t;
}

/** `root.backward()` for a scalar root, as engine/graph/session.ts starts it. */
function backward(root: Tensor, retainGraph = false): BackwardStep[] {
  const ones = new Float32Array(1).fill(1);
  return new BackwardRun(
    root.gradientEdge(),
    { data: ones, shape: root.shape, dtype: root.dtype },
    { retainGraph },
  ).runToEnd();
}

const names = (steps: BackwardStep[]) => steps.map((s) => s.node.name);
const grad = (t: Tensor) => t.grad?.toArray() ?? null;

/** PyTorch 1.13's message for a saved tensor changed in place. */
function versionMessage(shape: string, of: string | null, version: number, expected: number): string {
  return (
    `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
    `[torch.FloatTensor ${shape}]${of ? `, which is output 0 of ${of},` : ''} is at version ${version}; expected version ${expected} ` +
    `instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with ` +
    `torch.autograd.set_detect_anomaly(True).`
  );
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

describe('dependency counting and gradient summation', () => {
  it('x * x: both edges reach one AccumulateGrad, which runs once with the sum (2x, by hand)', () => {
    const x = leaf([1, 2, 3]);
    const steps = backward(sum(mul(x, x)));
    expect(names(steps)).toEqual(['SumBackward0', 'MulBackward0', 'AccumulateGrad']);
    expect(grad(x)).toEqual([2, 4, 6]);
  });

  it('a diamond waits for every incoming edge before running the shared node', () => {
    // a = exp(x); s = sum(a * a + a): ExpBackward0 has 3 incoming edges and runs once, last
    // before the leaf. d s / d x = (2a + 1) * a (by hand).
    const x = leaf([0, 1]);
    const a = exp(x);
    const steps = backward(sum(add(mul(a, a), a)));
    expect(names(steps)).toEqual(['SumBackward0', 'AddBackward0', 'MulBackward0', 'ExpBackward0', 'AccumulateGrad']);
    const e = Math.fround(Math.E);
    expect(grad(x)![0]).toBeCloseTo(3, 6);
    expect(grad(x)![1]).toBeCloseTo((2 * e + 1) * e, 5);
  });

  it('among ready nodes the most recently created runs first', () => {
    // a = x * 2, b = x * 3, sa = sum(a), sb = sum(b), root = sa + sb (created in this order).
    // After root: sa and sb are ready, sb (newer) runs; then sa (newer than b) runs before b.
    // PyTorch 1.13 (post-hooks on each grad_fn) runs: root, sb, sa, b, a, then x's AccumulateGrad,
    // which waits for both of its edges. x.grad = 2 + 3 (by hand).
    const x = leaf([1, 1]);
    const a = mulScalar(x, 2);
    const b = mulScalar(x, 3);
    const sa = sum(a);
    const sb = sum(b);
    const root = add(sa, sb);
    const steps = backward(root);
    const expected = [root.gradFn, sb.gradFn, sa.gradFn, b.gradFn, a.gradFn, x.gradAccumulator()];
    expect(steps.length).toBe(expected.length);
    steps.forEach((s, i) => expect(s.node, `step ${i}`).toBe(expected[i]));
    expect(grad(x)).toEqual([5, 5]);
  });

  it('tags AccumulateGrad with the leaf name (tagOf)', () => {
    const x = leaf([1]);
    const steps = backward(sum(mul(x, x)));
    expect(tagOf(steps[2]!.node)).toBe('x');
  });
});

describe('retain_grad', () => {
  it('keeps the gradient of a non-leaf; other non-leaves keep none', () => {
    // y = 3x, s = sum(y * y): dy = 2y = 6x, dx = 18x (by hand)
    const x = leaf([1, -2]);
    const y = mulScalar(x, 3);
    const yy = mul(y, y);
    y.retainGrad();
    backward(sum(yy));
    expect(grad(y)).toEqual([6, -12]);
    expect(grad(yy)).toBeNull();
    expect(grad(x)).toEqual([18, -36]);
  });

  it('follows the tensor through an in-place ReLU (the hook moves to the new grad_fn)', () => {
    // PyTorch 1.13: y = x * 1; y.retain_grad(); y.relu_(); (y * 5).sum().backward()
    // gives y.grad = [5, 5], x.grad = [0, 5]
    const x = leaf([-1, 2]);
    const y = mulScalar(x, 1);
    y.retainGrad();
    relu_(y);
    backward(sum(mulScalar(y, 5)));
    expect(grad(y)).toEqual([5, 5]);
    expect(grad(x)).toEqual([0, 5]);
  });

  it("refuses a tensor that does not require grad, with PyTorch's message", () => {
    expect(thrown(() => leaf([1], false).retainGrad()).message).toBe(
      "can't retain_grad on Tensor that has requires_grad=False",
    );
  });

  it('is a no-op on a leaf', () => {
    const x = leaf([1, 2]);
    x.retainGrad();
    expect(x.retainsGrad).toBe(false);
    backward(sum(x));
    expect(grad(x)).toEqual([1, 1]);
  });
});

describe('AccumulateGrad', () => {
  it('accumulates in place across two backward passes over new graphs (same .grad object, version bumped)', () => {
    // d/dx sum(x * x) = 2x, twice: 4x (by hand)
    const x = leaf([1, 2]);
    backward(sum(mul(x, x)));
    const first = x.grad!;
    expect(first.storage.version).toBe(0);
    backward(sum(mul(x, x)));
    expect(x.grad).toBe(first);
    expect(grad(x)).toEqual([4, 8]);
    expect(first.storage.version).toBe(1);
  });

  it('is created once per leaf', () => {
    const x = leaf([1]);
    expect(x.gradAccumulator()).toBe(x.gradAccumulator());
    expect(x.gradientEdge().node).toBe(x.gradAccumulator());
  });
});

describe('freed graphs', () => {
  it("a second backward through saved tensors raises PyTorch's message", () => {
    const x = leaf([1, 2]);
    const s = sum(exp(x));
    backward(s);
    const e = thrown(() => backward(s));
    expect(e.type).toBe('RuntimeError');
    expect(e.message).toBe(
      'Trying to backward through the graph a second time (or directly access saved tensors after they have ' +
        'already been freed). Saved intermediate values of the graph are freed when you call .backward() or ' +
        'autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or ' +
        'if you need to access saved tensors after calling backward.',
    );
    expect(e.message).toBe(ERR_BACKWARD_TWICE);
  });

  it('retain_graph keeps the saved tensors (second backward accumulates: 2 exp(x), by hand)', () => {
    const x = leaf([0]);
    const s = sum(exp(x));
    backward(s, true);
    backward(s);
    expect(grad(x)).toEqual([2]);
  });

  it('a graph without saved tensors can be run twice (PyTorch: (x + x).sum() twice gives 4)', () => {
    const x = leaf([1, 2]);
    const s = sum(add(x, x));
    backward(s);
    backward(s);
    expect(grad(x)).toEqual([4, 4]);
  });
});

describe('version counter', () => {
  it('in-place ReLU on a detached alias of a saved output: exact PyTorch message', () => {
    // The fixture error_inplace_version (real PyTorch) has this text for shape [4].
    const x = leaf([0.5, -1, 2, -0.25]);
    const y = exp(x);
    relu_(y.detach());
    const e = thrown(() => backward(sum(y)));
    expect(e.type).toBe('RuntimeError');
    expect(e.message).toBe(versionMessage('[4]', 'ExpBackward0', 1, 0));
  });

  it('counts every in-place write (version 2 after two)', () => {
    const x = leaf([1, 2]);
    const y = exp(x);
    relu_(y.detach());
    relu_(y.detach());
    expect(thrown(() => backward(sum(y))).message).toBe(versionMessage('[2]', 'ExpBackward0', 2, 0));
  });

  it('a saved non-leaf input names its grad_fn (PyTorch: "which is output 0 of CloneBackward0")', () => {
    const x = leaf([1, 2]);
    const c = clone(x);
    const z = log(c);
    relu_(c.detach());
    expect(thrown(() => backward(sum(z))).message).toBe(versionMessage('[2]', 'CloneBackward0', 1, 0));
  });

  it('a saved leaf has no grad_fn clause (PyTorch: "[torch.FloatTensor [2]] is at version 1")', () => {
    const x = leaf([1, 2]);
    const z = log(x);
    relu_(x.detach());
    expect(thrown(() => backward(sum(z))).message).toBe(versionMessage('[2]', null, 1, 0));
  });
});

describe('in-place on a view (CopySlices)', () => {
  // PyTorch 1.13: x = [1, -2, 3, -4] (requires grad); h = x * 2; t = h.reshape(2, 2).transpose(0, 1); t.relu_();
  // loss = (t * [[1, 2], [3, 4]]).sum(). Checked against torch: h = [2, 0, 6, 0] with grad_fn CopySlices,
  // t's grad_fn AsStridedBackward0, the steps below, x.grad = [2, 0, 4, 0], a second backward raises.
  function graph() {
    const x = leaf([1, -2, 3, -4]);
    const h = mul(x, leaf([2, 2, 2, 2], false));
    const t = transpose(reshape(h, [2, 2]), 0, 1);
    relu_(t);
    const c = Tensor.fromData(Float32Array.of(1, 2, 3, 4), [2, 2], 'float32');
    return { x, h, t, loss: sum(mul(t, c)) };
  }

  it('writes through the strides and rebases the base on CopySlices, the view on AsStridedBackward0', () => {
    const { h, t } = graph();
    expect(h.toArray()).toEqual([2, 0, 6, 0]);
    expect(t.toArray()).toEqual([2, 6, 0, 0]);
    expect(h.gradFnName).toBe('torch::autograd::CopySlices'); // grad_fn.name()
    expect(h.gradFnClass).toBe('CopySlices'); // type(h.grad_fn).__name__, what the tensor shows
    expect(t.gradFnName).toBe('AsStridedBackward0');
    expect(t.gradFn!.nextEdges[0]!.node).toBe(h.gradFn);
    expect(h.gradFn!.sequenceNr).toBeLessThan(t.gradFn!.sequenceNr);
  });

  it("runs the wrapped ReluBackward0 inside CopySlices (no step of its own) and gives PyTorch's gradient", () => {
    const { x, loss } = graph();
    const steps = backward(loss);
    expect(names(steps)).toEqual([
      'SumBackward0',
      'MulBackward0',
      'AsStridedBackward0',
      'torch::autograd::CopySlices',
      'MulBackward0',
      'AccumulateGrad',
    ]);
    // dloss/dt = [[1, 2], [3, 4]], masked by t > 0 ([[1, 1], [0, 0]]), read back through the transpose
    // into h = [t00, t10, t01, t11] -> [1, 0, 2, 0]; h = 2x, so x.grad = [2, 0, 4, 0].
    expect(grad(x)).toEqual([2, 0, 4, 0]);
    expect(thrown(() => backward(loss)).message).toBe(ERR_BACKWARD_TWICE);
  });

  it("refuses a view of a leaf that requires grad with PyTorch's message", () => {
    const e = thrown(() => relu_(reshape(leaf([1, -1]), [2, 1])));
    expect(e.message).toBe('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  });
});
