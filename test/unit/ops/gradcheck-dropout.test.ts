/**
 * Finite-difference gradient checks (float64, see test/helpers/gradcheck.ts) of
 * Dropout in train mode (a fixed mask per iteration, so the function is linear
 * in x), in place and out of place, and the mask itself: drawn from the engine's
 * generator as Note [Dropout masks] (engine/nn/dropout.ts) says.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../../engine/core/random';
import { dropout, dropoutKeep } from '../../../engine/nn/dropout';
import * as E from '../../../engine/tensor/ops/elementwise';
import { clone } from '../../../engine/tensor/ops/view';
import { Tensor } from '../../../engine/tensor/tensor';
import { N, runGradchecks as run } from '../../helpers/gradcheck';

describe('gradcheck: dropout', () => {
  run([
    { name: 'dropout p=0.5, iteration 0', inputs: [N(4, 5)], fn: ([x]) => dropout(x!, 0.5, true, false, 7, 0) },
    { name: 'dropout p=0.3, iteration 4', inputs: [N(3, 6)], fn: ([x]) => dropout(x!, 0.3, true, false, 1, 4) },
    { name: 'dropout p=1', inputs: [N(2, 3)], fn: ([x]) => dropout(x!, 1, true, false, 0, 0) },
    { name: 'dropout_ on a clone', inputs: [N(3, 4)], fn: ([x]) => dropout(clone(x!), 0.25, true, true, 3, 1) },
    {
      name: 'dropout of a product',
      inputs: [N(6), N(6)],
      fn: ([x, y]) => dropout(E.mul(x!, y!), 0.5, true, false, 2, 0),
    },
  ]);
});

describe('dropout masks', () => {
  it('iteration k keeps the elements whose draws k*n .. (k+1)*n-1 are below 1 - p', () => {
    const r = new Random(5);
    const draws = Array.from({ length: 12 }, () => r.next());
    expect(Array.from(dropoutKeep(5, 1, 4, 0.5))).toEqual(draws.slice(4, 8).map((u) => (u < 0.5 ? 1 : 0)));
    expect(Array.from(dropoutKeep(5, 2, 4, 0.2))).toEqual(draws.slice(8, 12).map((u) => (u < 0.8 ? 1 : 0)));
  });

  it('the kept elements are scaled by float32(1 / float32(1 - p)), the others are 0', () => {
    const x = Tensor.fromData(new Float32Array(40).fill(1), [40], 'float32');
    const y = dropout(x, 0.3, true, false, 9, 0).contiguousData();
    const keep = dropoutKeep(9, 0, 40, 0.3);
    // 1 - 0.3 = 0.7 in float32 is 0.699999988079071; 1 / that, in float32, is 1.4285714626312256.
    expect(Array.from(y)).toEqual(Array.from(keep, (k) => (k ? 1.4285714626312256 : 0)));
    expect(keep.includes(0) && keep.includes(1)).toBe(true);
  });

  it('eval mode and p=0 return the input itself', () => {
    const x = Tensor.fromData(new Float32Array([1, 2]), [2], 'float32');
    expect(dropout(x, 0.5, false, false, 0, 0)).toBe(x);
    expect(dropout(x, 0, true, false, 0, 0)).toBe(x);
  });
});
