/**
 * Finite-difference gradient checks (float64, see test/helpers/gradcheck.ts) of
 * BatchNorm2d's NativeBatchNormBackward0 (engine/kernels/batch-norm.ts): batch
 * statistics (train mode, or eval without running statistics) and running
 * statistics (eval mode), with and without weight and bias, on images with fewer
 * values than a vector's 8 lanes, a whole number of vectors and a partial last one.
 * Train mode gets no buffers here (each call of the check would update them); a
 * test below checks the buffer updates by hand.
 */
import { describe, expect, it } from 'vitest';
import { batchNorm2d, type BatchNormBuffers } from '../../../engine/nn/batch-norm';
import { Tensor } from '../../../engine/tensor/tensor';
import { Const, N, U, runGradchecks as run } from '../../helpers/gradcheck';

const NONE: BatchNormBuffers = { runningMean: null, runningVar: null, numBatchesTracked: null };
const TRAIN = { eps: 1e-5, momentum: 0.1, training: true };
const f64 = (...v: number[]) => Tensor.fromData(Float64Array.from(v), [v.length], 'float64');

describe('gradcheck: batch_norm', () => {
  run([
    {
      name: 'train, weight and bias',
      inputs: [N(3, 2, 2, 3), N(2), N(2)],
      fn: ([x, w, b]) => batchNorm2d(x!, w!, b!, NONE, TRAIN),
    },
    {
      name: 'train, 3x3 images (8 lanes + 1)',
      inputs: [N(2, 3, 3, 3), N(3), N(3)],
      fn: ([x, w, b]) => batchNorm2d(x!, w!, b!, NONE, TRAIN),
    },
    {
      name: 'train, 4x4 images (two full vectors)',
      inputs: [N(2, 2, 4, 4), N(2), N(2)],
      fn: ([x, w, b]) => batchNorm2d(x!, w!, b!, NONE, TRAIN),
    },
    { name: 'train, affine false', inputs: [N(4, 3, 1, 2)], fn: ([x]) => batchNorm2d(x!, null, null, NONE, TRAIN) },
    {
      name: 'train, eps 0.5',
      inputs: [N(2, 2, 3, 2), N(2), N(2)],
      fn: ([x, w, b]) => batchNorm2d(x!, w!, b!, NONE, { ...TRAIN, eps: 0.5 }),
    },
    {
      name: 'train, input constant (weight and bias only)',
      inputs: [Const(N(2, 2, 3, 3)), N(2), N(2)],
      fn: ([x, w, b]) => batchNorm2d(x!, w!, b!, NONE, TRAIN),
    },
    {
      name: 'eval with running statistics',
      inputs: [N(2, 3, 3, 3), N(3), N(3), Const(N(3)), Const(U(0.5, 2, 3))],
      fn: ([x, w, b, rm, rv]) =>
        batchNorm2d(
          x!,
          w!,
          b!,
          { runningMean: rm!, runningVar: rv!, numBatchesTracked: null },
          { ...TRAIN, training: false },
        ),
    },
    {
      name: 'eval with running statistics, affine false',
      inputs: [N(1, 2, 3, 4), Const(N(2)), Const(U(0.5, 2, 2))],
      fn: ([x, rm, rv]) =>
        batchNorm2d(
          x!,
          null,
          null,
          { runningMean: rm!, runningVar: rv!, numBatchesTracked: null },
          { ...TRAIN, training: false },
        ),
    },
  ]);
});

describe('batch_norm buffers (hand calculation)', () => {
  const x = () => Tensor.fromData(Float64Array.of(1, 2, 3, 4, 10, 20, 30, 40), [2, 2, 1, 2], 'float64');
  const buffers = (): BatchNormBuffers => ({
    runningMean: f64(0, 0),
    runningVar: f64(1, 1),
    numBatchesTracked: Tensor.fromData(Float64Array.of(0), [], 'int64'),
  });

  it('train mode: num_batches_tracked + 1, running_mean and the unbiased running_var move by momentum', () => {
    const b = buffers();
    batchNorm2d(x(), null, null, b, TRAIN);
    // channel 0 holds 1, 2, 10, 20: mean 8.25, unbiased variance (7.25² + 6.25² + 1.75² + 11.75²) / 3 = 232.75 / 3
    // channel 1 holds 3, 4, 30, 40: mean 19.25, unbiased variance (16.25² + 15.25² + 10.75² + 20.75²) / 3 = 1042.75 / 3
    expect(Array.from(b.numBatchesTracked!.contiguousData())).toEqual([1]);
    const [m0, m1] = b.runningMean!.contiguousData();
    expect(m0).toBeCloseTo(0.1 * 8.25, 12);
    expect(m1).toBeCloseTo(0.1 * 19.25, 12);
    const [v0, v1] = b.runningVar!.contiguousData();
    expect(v0).toBeCloseTo(0.9 + 0.1 * (232.75 / 3), 12);
    expect(v1).toBeCloseTo(0.9 + 0.1 * (1042.75 / 3), 12);
  });

  it('momentum null: the cumulative average (factor 1 / num_batches_tracked)', () => {
    const b = buffers();
    batchNorm2d(x(), null, null, b, { ...TRAIN, momentum: null });
    batchNorm2d(x(), null, null, b, { ...TRAIN, momentum: null });
    // factor 1, then 1/2: the average of two equal batch means is that mean
    expect(Array.from(b.runningMean!.contiguousData())).toEqual([8.25, 19.25]);
    expect(Array.from(b.numBatchesTracked!.contiguousData())).toEqual([2]);
  });

  it('eval mode reads the running statistics and changes nothing', () => {
    const b = buffers();
    const y = batchNorm2d(x(), null, null, b, { ...TRAIN, training: false });
    const s = 1 / Math.sqrt(1 + 1e-5);
    expect(Array.from(y.contiguousData())).toEqual([1, 2, 3, 4, 10, 20, 30, 40].map((v) => v * s));
    expect(Array.from(b.numBatchesTracked!.contiguousData())).toEqual([0]);
    expect(Array.from(b.runningMean!.contiguousData())).toEqual([0, 0]);
  });

  it('a failed batch-size check still counts the call', () => {
    const b = buffers();
    const one = Tensor.fromData(Float64Array.of(1, 2), [1, 2, 1, 1], 'float64');
    expect(() => batchNorm2d(one, null, null, b, TRAIN)).toThrow(
      'Expected more than 1 value per channel when training, got input size torch.Size([1, 2, 1, 1])',
    );
    expect(Array.from(b.numBatchesTracked!.contiguousData())).toEqual([1]);
  });
});
