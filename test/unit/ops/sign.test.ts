/**
 * torch.sign's values at the edges. PyTorch 1.13's kernel is `(0 < a) - (a < 0)`, so NaN
 * (of either sign) and -0 give +0; checked on /usr/bin/python3:
 *   torch.sign(torch.tensor([nan, -nan, -0., 0., 2., -3., inf, -inf]))
 *   -> [0., 0., 0., 0., 1., -1., 1., -1.], every zero with a positive sign bit.
 */
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../engine/tensor/tensor';
import { sign } from '../../../engine/tensor/ops/elementwise';

describe('sign', () => {
  it('is +0 for NaN and -0, as PyTorch computes it', () => {
    const x = Tensor.fromData(Float32Array.of(NaN, -NaN, -0, 0, 2, -3, Infinity, -Infinity), [8], 'float32');
    const got = Array.from(sign(x).toArray());
    expect(got).toEqual([0, 0, 0, 0, 1, -1, 1, -1]);
    expect(got.map((v) => Object.is(v, -0))).toEqual(new Array(8).fill(false));
  });
});
