import { describe, expect, it } from 'vitest';
import { gatherStrided, scatterStrided } from '../../../engine/kernels/slice';

// A 2x3 base [[0, 1, 2], [3, 4, 5]] stored from offset 1; its transpose is 3x2 with strides [1, 3].
const base = () => new Float32Array([9, 0, 1, 2, 3, 4, 5]);

describe('strided gather and scatter', () => {
  it('gathers a transposed view in row-major order', () => {
    expect([...gatherStrided(base(), 1, [3, 2], [1, 3])]).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('scatters row-major values back through the same strides, leaving other elements alone', () => {
    const d = base();
    scatterStrided(d, 1, [3, 2], [1, 3], new Float32Array([10, 13, 11, 14, 12, 15]));
    expect([...d]).toEqual([9, 10, 11, 12, 13, 14, 15]);
  });

  it('is the inverse of gather on a column slice (strides [3], offset 2)', () => {
    const d = base();
    const col = gatherStrided(d, 2, [2], [3]);
    expect([...col]).toEqual([1, 4]);
    scatterStrided(
      d,
      2,
      [2],
      [3],
      col.map((v) => -v),
    );
    expect([...d]).toEqual([9, 0, -1, 2, 3, -4, 5]);
  });
});
