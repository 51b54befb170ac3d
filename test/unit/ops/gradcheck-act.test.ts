/**
 * Finite-difference gradient checks (float64, see test/helpers/gradcheck.ts) of the
 * activations Sigmoid, Tanh, LeakyReLU (out of place and in place), GELU (both forms)
 * and of Pow with a number exponent, plus what their in-place forms and integer inputs
 * do to grad_fn, version counters and errors. Expected messages are PyTorch 1.13's
 * (checked on /usr/bin/python3).
 */
import { describe, expect, it } from 'vitest';
import { BackwardRun } from '../../../engine/autograd/engine';
import { load, runDocument } from '../../../engine/graph/index';
import { TorchError } from '../../../engine/core/errors';
import { erf } from '../../../engine/kernels/erf';
import { gelu, leakyRelu, leakyRelu_, pow, sigmoid, tanh } from '../../../engine/tensor/ops/activation';
import * as E from '../../../engine/tensor/ops/elementwise';
import { sum } from '../../../engine/tensor/ops/reduce';
import { clone } from '../../../engine/tensor/ops/view';
import { Tensor } from '../../../engine/tensor/tensor';
import { doc, edge, node, tensor, type Obj } from '../../helpers/docs';
import { Away, N, U, runGradchecks as run } from '../../helpers/gradcheck';

describe('gradcheck: activations', () => {
  run([
    { name: 'sigmoid', inputs: [N(3, 4)], fn: ([x]) => sigmoid(x!) },
    { name: 'sigmoid of large inputs', inputs: [U(-8, 8, 2, 5)], fn: ([x]) => sigmoid(x!) },
    { name: 'tanh', inputs: [N(3, 4)], fn: ([x]) => tanh(x!) },
    { name: 'tanh of sigmoid', inputs: [N(2, 3)], fn: ([x]) => tanh(sigmoid(x!)) },
    { name: 'leaky_relu default slope', inputs: [Away([0], 0.05, 3, 4)], fn: ([x]) => leakyRelu(x!, 0.01) },
    { name: 'leaky_relu slope 0.2', inputs: [Away([0], 0.05, 3, 4)], fn: ([x]) => leakyRelu(x!, 0.2) },
    { name: 'leaky_relu negative slope', inputs: [Away([0], 0.05, 3, 4)], fn: ([x]) => leakyRelu(x!, -0.5) },
    { name: 'leaky_relu slope > 1', inputs: [Away([0], 0.05, 3, 4)], fn: ([x]) => leakyRelu(x!, 3) },
    {
      name: 'leaky_relu_ on a non-leaf (clone)',
      inputs: [Away([0], 0.05, 3, 4)],
      fn: ([x]) => leakyRelu_(clone(x!), 0.3),
    },
    {
      name: 'leaky_relu_ on an Add output',
      inputs: [Away([0], 0.05, 6), N(6)],
      fn: ([x, y]) => leakyRelu_(E.add(x!, E.mulScalar(y!, 1e-3)), 0.1),
    },
    { name: 'gelu', inputs: [N(3, 4)], fn: ([x]) => gelu(x!, 'none') },
    { name: 'gelu of wide inputs', inputs: [U(-7, 7, 4, 5)], fn: ([x]) => gelu(x!, 'none') },
    { name: 'gelu tanh', inputs: [N(3, 4)], fn: ([x]) => gelu(x!, 'tanh') },
    { name: 'gelu tanh of wide inputs', inputs: [U(-7, 7, 4, 5)], fn: ([x]) => gelu(x!, 'tanh') },
  ]);
});

describe('gradcheck: pow with a number exponent', () => {
  run([
    ...[2, 3, -2, -1, 1, 4, -3].map((e) => ({
      name: `pow ${e}`,
      inputs: [Away([0], 0.3, 3, 4)],
      fn: ([x]: Tensor[]) => pow(x!, e),
    })),
    ...[0.5, -0.5, 2.5, -1.5, 1.7].map((e) => ({
      name: `pow ${e} on positive inputs`,
      inputs: [U(0.2, 3, 3, 4)],
      fn: ([x]: Tensor[]) => pow(x!, e),
    })),
    { name: 'pow 0 (zero gradient)', inputs: [N(2, 3)], fn: ([x]) => pow(x!, 0) },
    { name: 'pow 2 of pow 0.5', inputs: [U(0.2, 3, 5)], fn: ([x]) => pow(pow(x!, 0.5), 2) },
  ]);
});

/** A float32 tensor with `data`, requiring grad when `rg`. */
function f32(data: number[], rg = false): Tensor {
  const t = Tensor.fromData(Float32Array.from(data), [data.length], 'float32');
  if (rg) t.setRequiresGrad(true);
  return t;
}
const int64 = (data: number[]) => Tensor.fromData(Float64Array.from(data), [data.length], 'int64');

function backwardOf(t: Tensor): void {
  const loss = sum(t);
  new BackwardRun(loss.gradientEdge(), { data: Float32Array.of(1), shape: [], dtype: 'float32' }).runToEnd();
}

function torchError(f: () => unknown): TorchError {
  try {
    f();
  } catch (e) {
    if (e instanceof TorchError) return e;
    throw e;
  }
  throw new Error('expected a TorchError');
}

describe("the activations' grad_fn, in-place forms and errors (PyTorch 1.13)", () => {
  it('records SigmoidBackward0, TanhBackward0, LeakyReluBackward0, GeluBackward0 and PowBackward0', () => {
    const x = f32([0.5, -1, 2], true);
    expect(sigmoid(x).gradFn?.name).toBe('SigmoidBackward0');
    expect(tanh(x).gradFn?.name).toBe('TanhBackward0');
    expect(leakyRelu(x, 0.01).gradFn?.name).toBe('LeakyReluBackward0');
    expect(gelu(x, 'tanh').gradFn?.name).toBe('GeluBackward0');
    expect(pow(x, 0).gradFn?.name).toBe('PowBackward0');
  });

  it('leaky_relu_ bumps the version once and rebases the tensor on LeakyReluBackward1', () => {
    const x = f32([-1, 2, -3], true);
    const a = E.mulScalar(x, 1);
    const version = a.storage.version;
    const out = leakyRelu_(a, 0.2);
    expect(out).toBe(a);
    expect(a.storage.version).toBe(version + 1);
    expect(a.gradFn?.name).toBe('LeakyReluBackward1');
    // -1 * 0.2 and -3 * 0.2 in float32, as torch.tensor([-1., 2., -3.]) gives.
    expect(Array.from(a.contiguousData())).toEqual([Math.fround(-0.2), 2, Math.fround(-0.6)]);
    backwardOf(a);
    expect(Array.from(x.grad!.contiguousData())).toEqual([Math.fround(0.2), 1, Math.fround(0.2)]);
  });

  it('leaky_relu_ on a tensor that does not require grad changes it and records nothing', () => {
    const x = f32([-1, 2]);
    leakyRelu_(x, 0.5);
    expect(Array.from(x.contiguousData())).toEqual([-0.5, 2]);
    expect(x.gradFn).toBeNull();
    expect(x.storage.version).toBe(1);
  });

  it("leaky_relu_ on a leaf that requires grad raises PyTorch's error", () => {
    const e = torchError(() => leakyRelu_(f32([1, -1], true), 0.01));
    expect([e.type, e.message]).toEqual([
      'RuntimeError',
      'a leaf Variable that requires grad is being used in an in-place operation.',
    ]);
  });

  it("leaky_relu_'s backward refuses a negative slope", () => {
    const a = E.mulScalar(f32([1, -1], true), 2);
    leakyRelu_(a, -0.5);
    const e = torchError(() => backwardOf(a));
    expect(e.message).toMatch(/^In-place leakyReLu backward calculation is triggered with a negative slope which/);
    expect(e.message).toMatch(/in-place leakRelu backward calculation with negative slope$/);
  });

  it('integer inputs: sigmoid and tanh give float32, gelu and leaky_relu raise, pow keeps int64 for an integer exponent', () => {
    expect(sigmoid(int64([0, 1])).dtype).toBe('float32');
    expect(Array.from(tanh(int64([0])).contiguousData())).toEqual([0]);
    expect(torchError(() => gelu(int64([1]), 'none')).message).toBe('"GeluKernelImpl" not implemented for \'Long\'');
    expect(torchError(() => leakyRelu(int64([1]), 0.01)).message).toBe('"leaky_relu_cpu" not implemented for \'Long\'');
    const sq = pow(int64([2, 3]), 2);
    expect([sq.dtype, Array.from(sq.contiguousData())]).toEqual(['int64', [4, 9]]);
    expect(pow(int64([4]), 0.5).dtype).toBe('float32');
    expect(torchError(() => pow(int64([2]), -2)).message).toBe('Integers to negative integer powers are not allowed.');
  });

  it('pow 0.5 at 0 has an infinite gradient, pow 0 a zero one (torch.pow(torch.tensor([0., 1.]), e))', () => {
    const x = f32([0, 1], true);
    backwardOf(pow(x, 0.5));
    expect(Array.from(x.grad!.contiguousData())).toEqual([Infinity, 0.5]);
    const y = f32([0, 1], true);
    backwardOf(pow(y, 0));
    expect(Array.from(y.grad!.contiguousData())).toEqual([0, 0]);
  });
});

describe('shape inference shows the dtype errors the run raises, word for word', () => {
  const int64Input = (op: string, params: Obj) =>
    doc(
      [tensor('i', [3], { dtype: 'int64', init: { kind: 'values', data: [1, 2, 3] } }), node('n', op, params)],
      [edge('i', 'n', 'input')],
    );
  for (const [op, params, message] of [
    ['GELU', {}, '"GeluKernelImpl" not implemented for \'Long\''],
    ['LeakyReLU', { inplace: true }, '"leaky_relu_cpu" not implemented for \'Long\''],
    ['Pow', { exponent: -1 }, 'Integers to negative integer powers are not allowed.'],
  ] as const) {
    it(`${op} of an int64 tensor`, () => {
      const d = int64Input(op, params);
      const l = load(d);
      if (!l.ok) throw new Error(JSON.stringify(l.issues));
      expect(l.shapes.problems.get('n')).toBe(message);
      const r = runDocument(d);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      expect(r.result.error?.message).toBe(message);
    });
  }
});

describe('erf (float64, FreeBSD msun s_erf.c)', () => {
  it('matches scipy.special.erf on each branch of the algorithm', () => {
    // scipy.special.erf in double precision, printed with repr().
    const cases: [number, number][] = [
      [1e-30, 1.1283791670955127e-30],
      [0.1, 0.1124629160182849],
      [-0.5, -0.5204998778130465],
      [1, 0.8427007929497148],
      [-2, -0.9953222650189527],
      [2.5, 0.999593047982555],
      [3.5, 0.9999992569016276],
      [5.9, 0.9999999999999999],
      [7, 1],
    ];
    for (const [x, want] of cases)
      expect(Math.abs(erf(x) - want)).toBeLessThanOrEqual(2 * Number.EPSILON * Math.abs(want));
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });
});
