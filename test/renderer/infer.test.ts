import { describe, expect, it } from 'vitest';
import { inferredParams, mismatches } from '../../renderer/document/infer';

describe('sizes inferred from the input shape', () => {
  it('Linear takes the last dimension, Conv2d the channels of NCHW or CHW', () => {
    expect(inferredParams('Linear', [2, 64])).toEqual({ in_features: 64 });
    expect(inferredParams('Linear', [5])).toEqual({ in_features: 5 });
    expect(inferredParams('Conv2d', [2, 3, 8, 8])).toEqual({ in_channels: 3 });
    expect(inferredParams('Conv2d', [4, 8, 8])).toEqual({ in_channels: 4 });
    expect(inferredParams('BatchNorm2d', [2, 6, 8, 8])).toEqual({ num_features: 6 });
    expect(inferredParams('BatchNorm2d', [6, 8, 8])).toEqual({});
  });
  it('nothing for other ops, unknown shapes or shapes that do not fit', () => {
    expect(inferredParams('ReLU', [2, 3])).toEqual({});
    expect(inferredParams('Linear', null)).toEqual({});
    expect(inferredParams('Linear', [])).toEqual({});
    expect(inferredParams('Conv2d', [2, 3])).toEqual({});
  });
  it('lists only the params that differ', () => {
    expect(mismatches('Linear', { in_features: 18, out_features: 2 }, [2, 64])).toEqual([['in_features', 64]]);
    expect(mismatches('Linear', { in_features: 64 }, [2, 64])).toEqual([]);
  });
});
