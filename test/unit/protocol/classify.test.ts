/** argmaxRows, the prediction of the training view and of evaluate: torch.argmax(dim=1)'s tie and NaN rules. */
import { describe, expect, it } from 'vitest';
import { argmaxRows } from '../../../engine/protocol/classify';

describe('argmaxRows', () => {
  it('takes the first maximum in a tie and the first NaN, as torch.argmax', () => {
    // /usr/bin/python3: torch.tensor([[1,3,3],[nan,1,nan],[2,nan,5],[-1,-1,-1]]).argmax(1) -> tensor([1, 0, 1, 0])
    const x = [1, 3, 3, NaN, 1, NaN, 2, NaN, 5, -1, -1, -1];
    expect(Array.from(argmaxRows(x, 4, 3))).toEqual([1, 0, 1, 0]);
  });

  it('gives one class per row of a [N, C] score matrix', () => {
    expect(Array.from(argmaxRows(Float32Array.from([0.1, 0.7, 0.2, 0.9, 0.05, 0.05]), 2, 3))).toEqual([1, 0]);
  });
});
