import { describe, expect, it } from 'vitest';
import { gridOf, initOfKind, parseNumbers } from '../../renderer/document/init-values';

describe('Tensor init as values', () => {
  it('reads CSV, columns and NumPy/PyTorch reprs in row-major order', () => {
    expect(parseNumbers('1, 2, 3\n4, 5, 6')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parseNumbers('1\t2\n3\t4')).toEqual([1, 2, 3, 4]);
    expect(parseNumbers('tensor([[1., 2.],\n        [3., -4.5e-1]])')).toEqual([1, 2, 3, -0.45]);
    expect(parseNumbers('array([1, 2], dtype=float32)')).toEqual([1, 2]);
    expect(parseNumbers('1, two, 3')).toBe('“two” is not a number');
    expect(parseNumbers('  ')).toBe('no numbers found');
  });
  it('switching kind keeps what fits', () => {
    expect(initOfKind('values', 4, { kind: 'values', data: [1, 2, 3] })).toEqual({
      kind: 'values',
      data: [1, 2, 3, 0],
    });
    expect(initOfKind('values', 2, { kind: 'randn', seed: 3 })).toEqual({ kind: 'values', data: [0, 0] });
    expect(initOfKind('randint', 2, { kind: 'randn', seed: 3 })).toEqual({
      kind: 'randint',
      low: 0,
      high: 10,
      seed: 3,
    });
    expect(initOfKind('zeros', 2, { kind: 'full', value: 2 })).toEqual({ kind: 'zeros' });
  });
  it('lays the last dimension across', () => {
    expect(gridOf([2, 3])).toEqual({ rows: 2, cols: 3 });
    expect(gridOf([2, 1, 4])).toEqual({ rows: 2, cols: 4 });
    expect(gridOf([])).toEqual({ rows: 1, cols: 1 });
  });
});
