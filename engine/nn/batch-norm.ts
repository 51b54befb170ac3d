/**
 * nn.BatchNorm2d's forward as PyTorch 1.13 composes it: `_check_input_dim`, the
 * num_batches_tracked update and the exponential average factor of
 * `_BatchNorm.forward`, then `F.batch_norm` (`_verify_batch_size`) and
 * `torch.batch_norm` (`_batch_norm_impl_index`'s checks, then
 * `native_batch_norm`, recorded as NativeBatchNormBackward0). The numerics are
 * in engine/kernels/batch-norm.ts.
 *
 * Note [BatchNorm2d buffers]
 * ~~~~~~~~~~~~~~~~~~~~~~~~~~
 * running_mean, running_var (float32 [C]) and num_batches_tracked (int64 []) are
 * buffers, not parameters: no requires_grad, no .grad, no optimizer. In train mode
 * with track_running_stats, each forward call adds 1 to num_batches_tracked
 * first (so a call that then fails the batch-size check still counts), and the
 * kernel updates running_mean with the batch mean and running_var with the
 * UNBIASED batch variance (the output is normalised with the biased one).
 * momentum null is the cumulative average: factor 1 / num_batches_tracked. In
 * eval mode the running statistics normalise and nothing is updated; without
 * running statistics (track_running_stats false) batch statistics are used in
 * both modes.
 */
import { scalarTypeName, type DType } from '../core/dtype';
import { runtimeError, TorchError } from '../core/errors';
import { formatShape, type Shape } from '../core/shape';
import {
  batchInvstd,
  batchNormApply,
  batchNormStats,
  evalInvstd,
  updateRunningStats,
  type BatchNormGeometry,
} from '../kernels/batch-norm';
import { record, save } from '../tensor/record';
import { Tensor } from '../tensor/tensor';

/** The buffers of a BatchNorm2d (all null with track_running_stats false). See Note [BatchNorm2d buffers]. */
export interface BatchNormBuffers {
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
}

/** nn.BatchNorm2d's arguments besides its tensors. */
export interface BatchNormArgs {
  readonly eps: number;
  /** null: cumulative moving average. */
  readonly momentum: number | null;
  /** `self.training` (run.mode). */
  readonly training: boolean;
}

/** The channel counts `_batch_norm_impl_index` checks: running stats, then weight, then bias. */
export interface BatchNormChannels {
  readonly runningMean: number | null;
  readonly runningVar: number | null;
  readonly weight: number | null;
  readonly bias: number | null;
}

/** BatchNorm2d's checks on shapes alone (input rank, channels), shared by inference and execution. */
export function batchNorm2dShape(x: Shape, channels: BatchNormChannels): Shape {
  if (x.length !== 4) throw new TorchError('ValueError', `expected 4D input (got ${x.length}D input)`);
  const c = x[1]!;
  for (const [name, numel] of [
    ['running_mean', channels.runningMean],
    ['running_var', channels.runningVar],
    ['weight', channels.weight],
    ['bias', channels.bias],
  ] as const) {
    if (numel !== null && numel !== c) throw runtimeError(`${name} should contain ${c} elements not ${numel}`);
  }
  return x;
}

/** native_batch_norm's dispatch: floating dtypes only. */
export function checkBatchNormDtype(dtype: DType): void {
  if (dtype === 'int64') throw runtimeError(`"batch_norm" not implemented for '${scalarTypeName(dtype)}'`);
}

/** F.batch_norm's `_verify_batch_size` (training only). */
export function verifyBatchSize(x: Shape): void {
  const values = x[0]! * x.slice(2).reduce((a, b) => a * b, 1);
  if (values === 1) {
    throw new TorchError(
      'ValueError',
      `Expected more than 1 value per channel when training, got input size torch.Size(${formatShape(x)})`,
    );
  }
}

/** `_BatchNorm.forward`'s bookkeeping: num_batches_tracked += 1 and the exponential average factor. */
function averageFactor(buffers: BatchNormBuffers, a: BatchNormArgs): number {
  const nbt = buffers.numBatchesTracked;
  if (!a.training || !nbt) return a.momentum ?? 0;
  nbt.storage.data[0] = nbt.storage.data[0]! + 1;
  nbt.storage.bumpVersion();
  return a.momentum ?? 1 / nbt.storage.data[0]!;
}

const numelOf = (t: Tensor | null): number | null => (t ? t.numel : null);

/** nn.BatchNorm2d(input) with its parameters (null for affine false) and buffers. See Note [BatchNorm2d buffers]. */
export function batchNorm2d(
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  buffers: BatchNormBuffers,
  a: BatchNormArgs,
): Tensor {
  if (x.ndim !== 4) batchNorm2dShape(x.shape, { runningMean: null, runningVar: null, weight: null, bias: null });
  const factor = averageFactor(buffers, a);
  const { runningMean, runningVar } = buffers;
  const useBatchStats = a.training || (runningMean === null && runningVar === null);
  if (useBatchStats) verifyBatchSize(x.shape);
  batchNorm2dShape(x.shape, {
    runningMean: numelOf(runningMean),
    runningVar: numelOf(runningVar),
    weight: numelOf(weight),
    bias: numelOf(bias),
  });
  checkBatchNormDtype(x.dtype);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const g: BatchNormGeometry = { n, c, hw: h * w };
  return useBatchStats
    ? trainForward(x, weight, bias, g, factor, buffers, a.eps)
    : evalForward(x, weight, bias, g, buffers, a.eps);
}

function trainForward(
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  g: BatchNormGeometry,
  factor: number,
  buffers: BatchNormBuffers,
  eps: number,
): Tensor {
  const data = x.contiguousData();
  const r = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  const stats = batchNormStats(data, g);
  const count = g.n * g.hw;
  const invstd = batchInvstd(stats, count, eps, r);
  const rm = buffers.runningMean?.storage.data ?? null;
  const rv = buffers.runningVar?.storage.data ?? null;
  if (rm || rv) updateRunningStats(stats, count, factor, rm, rv);
  const out = Tensor.fromData(
    batchNormApply(data, g, stats.mean, invstd, weight?.contiguousData() ?? null, bias?.contiguousData() ?? null),
    x.shape,
    x.dtype,
  );
  return record(out, 'NativeBatchNormBackward0', [x, weight, bias], () => ({
    input: save(x),
    weight: weight ? save(weight) : null,
    args: { geometry: g, train: true, mean: stats.mean, invstdOrVar: invstd, eps },
  }));
}

function evalForward(
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  g: BatchNormGeometry,
  buffers: BatchNormBuffers,
  eps: number,
): Tensor {
  const r = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  const mean = Float64Array.from(buffers.runningMean!.contiguousData());
  const variance = Float64Array.from(buffers.runningVar!.contiguousData());
  const invstd = evalInvstd(variance, eps, r);
  const data = batchNormApply(
    x.contiguousData(),
    g,
    mean,
    invstd,
    weight?.contiguousData() ?? null,
    bias?.contiguousData() ?? null,
  );
  const out = Tensor.fromData(data, x.shape, x.dtype);
  return record(out, 'NativeBatchNormBackward0', [x, weight, bias], () => ({
    input: save(x),
    weight: weight ? save(weight) : null,
    args: { geometry: g, train: false, mean, invstdOrVar: variance, eps },
  }));
}
