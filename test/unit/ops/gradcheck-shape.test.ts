/**
 * Finite-difference gradient checks (float64, central differences, eps 1e-6,
 * rtol 1e-5 / atol 1e-7) for the shape and linear-algebra ops of issue 15:
 * transpose, permute (and reshapes of the strided views they make), matmul on
 * each of its paths, cat and adaptive_avg_pool2d.
 * Each case is f = sum(op(inputs) * R) for a fixed random R (test/helpers/gradcheck.ts).
 */
import { describe } from 'vitest';
import { flatten, permute, reshape, transpose } from '../../../engine/tensor/ops/view';
import { adaptiveAvgPool2d } from '../../../engine/nn/adaptive-pool';
import { matmul } from '../../../engine/nn/matmul';
import { cat } from '../../../engine/tensor/ops/cat';
import { N, runGradchecks as run } from '../../helpers/gradcheck';

describe('gradcheck: transpose and permute (strided views)', () => {
  run([
    { name: 'transpose(0, 1) of a matrix', inputs: [N(3, 4)], fn: ([x]) => transpose(x!, 0, 1) },
    { name: 'transpose(0, 2) of a 3-D tensor', inputs: [N(2, 3, 4)], fn: ([x]) => transpose(x!, 0, 2) },
    {
      name: 'transpose(-1, -2), then reshape (a copy)',
      inputs: [N(2, 3, 4)],
      fn: ([x]) => reshape(transpose(x!, -1, -2), [6, 4]),
    },
    { name: 'transpose of a transpose', inputs: [N(2, 3, 4)], fn: ([x]) => transpose(transpose(x!, 0, 2), 1, 2) },
    { name: 'permute [0, 2, 3, 1] (channels last)', inputs: [N(2, 3, 2, 4)], fn: ([x]) => permute(x!, [0, 2, 3, 1]) },
    { name: 'permute [-1, 0, 1], then flatten', inputs: [N(2, 3, 4)], fn: ([x]) => flatten(permute(x!, [-1, 0, 1])) },
    { name: 'permute of a transpose', inputs: [N(2, 3, 4)], fn: ([x]) => permute(transpose(x!, 0, 1), [2, 0, 1]) },
  ]);
});

describe('gradcheck: matmul on each path of torch.matmul', () => {
  const cases: [string, number[], number[]][] = [
    ['dot (1-D x 1-D)', [4], [4]],
    ['mv (2-D x 1-D)', [3, 4], [4]],
    ['1-D x 2-D (unsqueeze, mm, squeeze)', [4], [4, 3]],
    ['mm (2-D x 2-D)', [3, 4], [4, 2]],
    ['3-D x 1-D folds into mv', [2, 3, 4], [4]],
    ['4-D x 2-D folds into mm', [2, 2, 3, 4], [4, 2]],
    ['1-D x 3-D folds b.mT into mv', [3], [2, 3, 4]],
    ['2-D x 3-D folds b.mT with a.t()', [2, 3], [2, 3, 4]],
    ['3-D x 3-D bmm', [2, 3, 4], [2, 4, 2]],
    ['bmm with a batch of 1 broadcast', [3, 2, 4], [1, 4, 2]],
    ['4-D x 3-D bmm, both expanded', [2, 1, 2, 3], [3, 3, 2]],
  ];
  run(cases.map(([name, sa, sb]) => ({ name, inputs: [N(...sa), N(...sb)], fn: ([a, b]) => matmul(a!, b!) })));
  run([
    {
      name: '3-D with its last dims transposed x 2-D: bmm',
      inputs: [N(2, 4, 3), N(4, 2)],
      fn: ([a, b]) => matmul(transpose(a!, 1, 2), b!),
    },
    { name: 'x @ x.T (one input on both sides)', inputs: [N(3, 4)], fn: ([x]) => matmul(x!, transpose(x!, 0, 1)) },
  ]);
});

describe('gradcheck: cat', () => {
  run([
    { name: 'two matrices along dim 0', inputs: [N(2, 3), N(4, 3)], fn: ([a, b]) => cat([a!, b!], 0) },
    { name: 'three along dim -1', inputs: [N(2, 1), N(2, 3), N(2, 2)], fn: ([a, b, c]) => cat([a!, b!, c!], -1) },
    {
      name: 'four 4-D tensors along dim 1',
      inputs: [N(2, 1, 2, 2), N(2, 2, 2, 2), N(2, 1, 2, 2), N(2, 3, 2, 2)],
      fn: ([a, b, c, d]) => cat([a!, b!, c!, d!], 1),
    },
    { name: 'one input twice', inputs: [N(2, 3)], fn: ([a]) => cat([a!, a!], 1) },
    { name: 'of strided views', inputs: [N(3, 2), N(2, 4)], fn: ([a, b]) => cat([transpose(a!, 0, 1), b!], 1) },
  ]);
});

describe('gradcheck: adaptive_avg_pool2d', () => {
  const cases: [string, number[], number | [number | null, number | null]][] = [
    ['5x7 to 3x4 (overlapping windows)', [2, 2, 5, 7], [3, 4]],
    ['3-D input, [2, null]', [2, 5, 6], [2, null]],
    ['output larger than the input', [1, 1, 3, 4], [5, 6]],
    ['output 1 (a mean)', [2, 3, 4, 4], 1],
    ['output equal to the input', [1, 2, 3, 3], 3],
  ];
  run(cases.map(([name, shape, size]) => ({ name, inputs: [N(...shape)], fn: ([x]) => adaptiveAvgPool2d(x!, size) })));
});
