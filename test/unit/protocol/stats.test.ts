/**
 * Tensor statistics exist once (engine/protocol/stats.ts): the engine's summaries
 * and the renderer's view of a JSON result give the same numbers, including for a
 * tensor that is all NaN (the renderer used to say min=Infinity, max=-Infinity).
 * Expected values are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { stats } from '../../../engine/protocol/stats';
import { stats as engineStats } from '../../../engine/host/summaries';
import { toSummaries } from '../../../renderer/state/engine-state';

describe('stats', () => {
  it('min, max, mean and |max| of the non-NaN values, and the NaN count', () => {
    // values 3, -4, 1 (NaN skipped): min -4, max 3, mean 0, |max| 4
    expect(stats(new Float32Array([3, NaN, -4, 1]))).toEqual({ min: -4, max: 3, mean: 0, absMax: 4, nan: 1 });
  });

  it('an all-NaN or empty tensor has NaN statistics, never ±Infinity', () => {
    const none = { min: NaN, max: NaN, mean: NaN, absMax: NaN };
    expect(stats(new Float32Array([NaN, NaN]))).toEqual({ ...none, nan: 2 });
    expect(stats([])).toEqual({ ...none, nan: 0 });
  });

  it('a null in a JSON result counts as NaN', () => {
    expect(stats([null, 2, null])).toEqual({ min: 2, max: 2, mean: 2, absMax: 2, nan: 2 });
  });

  it('the engine and the renderer use the same function and agree on an all-NaN result', () => {
    expect(engineStats).toBe(stats);
    const fromJson = toSummaries({ y: { shape: [2], data: [null, null], grad: { data: [1, -2] } } });
    expect(fromJson.y!.stats).toEqual(stats(new Float32Array([NaN, NaN])));
    expect(fromJson.y!.grad_stats).toEqual({ min: -2, max: 1, mean: -0.5, absMax: 2, nan: 0 });
  });
});
