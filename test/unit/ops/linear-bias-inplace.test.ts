/**
 * F.linear adds its bias in place (`output.add_(bias)`) on every path but addmm (2-D input, or
 * contiguous 3-D input through a view), so the output's version counter and grad_fn are
 * PyTorch's. Expected facts are PyTorch 1.13's, from
 *   w = torch.randn(3, 4, requires_grad=True); b = torch.randn(3, requires_grad=True)
 *   y = F.linear(x, w, b); y.grad_fn, y._version, y._is_view(), y.grad_fn.next_functions
 * and the error messages from F.linear with a bias of the wrong shape.
 */
import { describe, expect, it } from 'vitest';
import { BackwardRun } from '../../../engine/autograd/engine';
import { TorchError } from '../../../engine/core/errors';
import { linear } from '../../../engine/nn/linear';
import { sum } from '../../../engine/tensor/ops/reduce';
import { slice } from '../../../engine/tensor/ops/view';
import { Tensor } from '../../../engine/tensor/tensor';

function t(shape: number[], rg = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = Tensor.fromData(
    Float32Array.from({ length: n }, (_, i) => ((i * 7) % 5) - 2),
    shape,
    'float32',
  );
  if (rg) x.setRequiresGrad(true);
  return x;
}

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof TorchError) return e.message;
    throw e;
  }
  return 'no error';
}

describe('F.linear adds the bias in place where PyTorch does', () => {
  const cases: [string, () => Tensor, string, number, string[]][] = [
    ['1-D input', () => t([4], true), 'AddBackward0', 2, ['SqueezeBackward3', 'AccumulateGrad']],
    ['4-D input', () => t([2, 2, 2, 4], true), 'AddBackward0', 1, ['UnsafeViewBackward0', 'AccumulateGrad']],
    ['non-contiguous 3-D input', () => slice(t([2, 5, 6], true), 2, 1, 5), 'AddBackward0', 1, []],
    ['contiguous 3-D input (addmm, then a view)', () => t([2, 5, 4], true), 'ViewBackward0', 0, ['AddmmBackward0']],
    ['2-D input (addmm)', () => t([5, 4], true), 'AddmmBackward0', 0, []],
  ];
  for (const [name, input, gradFn, version, next] of cases) {
    it(`${name}: ${gradFn}, version ${version}`, () => {
      const y = linear(input(), t([3, 4], true), t([3], true));
      expect(y.gradFn?.name).toBe(gradFn);
      expect(y.storage.version).toBe(version);
      if (next.length) expect(y.gradFn!.nextEdges.map((e) => e?.node.name)).toEqual(next);
    });
  }

  it('the bias still gets its gradient, summed over the rows (1-D and 4-D input)', () => {
    for (const shape of [[4], [2, 2, 2, 4]]) {
      const b = t([3], true);
      const y = linear(t(shape, true), t([3, 4], true), b);
      const loss = sum(y);
      new BackwardRun(loss.gradientEdge(), { data: Float32Array.of(1), shape: [], dtype: 'float32' }).runToEnd();
      const rows = shape.slice(0, -1).reduce((a, c) => a * c, 1);
      expect(Array.from(b.grad!.contiguousData())).toEqual([rows, rows, rows]);
    }
  });

  it('only the bias requires grad: the product starts to require grad in add_', () => {
    const y = linear(t([4]), t([3, 4]), t([3], true));
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn?.name).toBe('AddBackward0');
    expect(y.gradFn!.nextEdges.map((e) => e?.node.name ?? null)).toEqual([null, 'AccumulateGrad']);
  });

  it("a bias that broadcasts beyond the output raises add_'s message", () => {
    expect(message(() => linear(t([4]), t([3, 4]), t([2, 3])))).toBe(
      "output with shape [3] doesn't match the broadcast shape [2, 3]",
    );
    expect(message(() => linear(t([4]), t([3, 4]), t([5])))).toBe(
      'The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 0',
    );
    expect(linear(t([2, 2, 2, 4]), t([3, 4]), t([2, 3])).shape).toEqual([2, 2, 2, 3]);
  });
});
