/**
 * The pointwise losses as PyTorch 1.13 composes them, so autograd shows the same
 * functions: `F.mse_loss` (MseLossBackward0), `F.l1_loss` (SubBackward0,
 * AbsBackward0, then MeanBackward0/SumBackward0: 1.13's `l1_loss` is composite)
 * and `F.binary_cross_entropy_with_logits` (BinaryCrossEntropyWithLogitsBackward0).
 * The checks are shape-only functions shared with shape inference.
 *
 * Note [Pointwise losses broadcast their inputs first]
 * ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
 * `F.mse_loss` and `F.l1_loss` warn when target's size differs from input's, then
 * call `torch.broadcast_tensors(input, target)`: a tensor whose shape is not the
 * common one is expanded (ExpandBackward0, input's first), one that has it is
 * passed as is (no node). So the backward pass of a broadcast loss has an
 * ExpandBackward0 step that sums the gradient back to the smaller shape, and a
 * mismatch that cannot broadcast raises the broadcast error after the warning.
 * `F.binary_cross_entropy_with_logits` does not broadcast: it raises a ValueError.
 */
import { allocFor, type DType, type FloatArray } from '../core/dtype';
import { runtimeError, TorchError } from '../core/errors';
import { broadcastShapes, formatShape, sameShape, type Shape } from '../core/shape';
import { isGradEnabled } from '../autograd/grad-mode';
import { expandTo, sumDims } from '../kernels/elementwise';
import { bceWithLogitsForward, mseForward } from '../kernels/pointwise-loss';
import type { Reduction } from '../kernels/nll';
import { record, save } from '../tensor/record';
import { Tensor } from '../tensor/tensor';
import { elementwiseResult } from '../tensor/ops/pointwise';
import { abs, sub } from '../tensor/ops/elementwise';
import { checkMeanDtype, mean, sum } from '../tensor/ops/reduce';
import { expand } from '../tensor/ops/view';

/** What the checks read of a tensor (a Tensor, or a port's inferred meta). */
export interface LossOperand {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly requiresGrad: boolean;
}

/** What a loss gives: the result's shape and dtype. */
export interface LossMeta {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** `torch.Size` as Python prints it in these messages: `torch.Size([3, 4])`. */
const torchSize = (s: Shape): string => `torch.Size(${formatShape(s)})`;

/** The common dtype of two operands (float64 > float32 > int64). */
function resultType(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  return a === 'float32' || b === 'float32' ? 'float32' : 'int64';
}

/** The UserWarning of `F.mse_loss`/`F.l1_loss` when target's size is not input's (null when it is). */
export function targetSizeWarning(input: Shape, target: Shape): string | null {
  if (sameShape(input, target)) return null;
  return (
    `Using a target size (${torchSize(target)}) that is different to the input size (${torchSize(input)}). ` +
    'This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.'
  );
}

/**
 * The result of `F.mse_loss` / `F.l1_loss` on operands of these shapes and dtypes,
 * raising PyTorch's errors in its order: the broadcast, then the dtype (two int64
 * operands: mse has no Long kernel; l1's `mean()` refuses Long, its sum does not).
 */
export function pointwiseLossMeta(
  kind: 'mse' | 'l1',
  input: LossOperand,
  target: LossOperand,
  reduction: Reduction,
): LossMeta {
  const shape = broadcastShapes(input.shape, target.shape);
  const dtype = resultType(input.dtype, target.dtype);
  if (dtype === 'int64' && kind === 'mse') throw runtimeError(`"mse_cpu" not implemented for 'Long'`);
  if (kind === 'l1' && reduction === 'mean') checkMeanDtype(dtype);
  return { shape: reduction === 'none' ? shape : [], dtype };
}

/** `torch.broadcast_tensors(a, b)`. See Note [Pointwise losses broadcast their inputs first]. */
function broadcastPair(a: Tensor, b: Tensor): [Tensor, Tensor] {
  const shape = broadcastShapes(a.shape, b.shape);
  const to = (t: Tensor) => (sameShape(t.shape, shape) ? t : expand(t, shape));
  return [to(a), to(b)];
}

/** Sum or mean of every element (sum, then divided by numel, as ATen's `mean` on the CPU). */
function reduceAll(data: FloatArray, reduction: Reduction): FloatArray {
  if (reduction === 'none') return data;
  const total = sumDims(data, [data.length], [0]);
  if (reduction === 'mean') total[0] = total[0]! / data.length;
  return total;
}

/** `F.mse_loss(input, target, reduction=...)` (MseLossBackward0, saving both operands). */
export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction): Tensor {
  const meta = pointwiseLossMeta('mse', input, target, reduction);
  const [x, t] = broadcastPair(input, target);
  const sq = mseForward(x.contiguousData(), t.contiguousData(), allocFor(meta.dtype, x.numel));
  // (input - target).pow(2) keeps the operands' layout (Note [Elementwise results keep the inputs' layout])
  const out =
    reduction === 'none'
      ? elementwiseResult(sq, meta.shape, meta.dtype, [x, t])
      : Tensor.fromData(reduceAll(sq, reduction), meta.shape, meta.dtype);
  return record(out, 'MseLossBackward0', [x, t], () => ({ self: save(x), target: save(t), reduction }));
}

/** `F.l1_loss(input, target, reduction=...)`: `(input - target).abs()`, then mean or sum. */
export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction): Tensor {
  pointwiseLossMeta('l1', input, target, reduction);
  const [x, t] = broadcastPair(input, target);
  const d = abs(sub(x, t));
  return reduction === 'none' ? d : reduction === 'sum' ? sum(d) : mean(d);
}

/** `loss.op_(other)` writes into loss's shape: `other` must broadcast to it without growing it. */
function checkInPlace(out: Shape, other: Shape): void {
  const shape = broadcastShapes(out, other);
  if (!sameShape(shape, out)) {
    throw runtimeError(`output with shape ${formatShape(out)} doesn't match the broadcast shape ${formatShape(shape)}`);
  }
}

function notDifferentiable(arg: string): TorchError {
  return runtimeError(
    `The function 'binary_cross_entropy_with_logits' is not differentiable with respect to argument '${arg}'. ` +
      'This input cannot have requires_grad True.',
  );
}

/**
 * The result of `F.binary_cross_entropy_with_logits`, raising PyTorch's errors in
 * its order: the size check (Python's ValueError); weight, then pos_weight,
 * requiring grad (only while grad mode is on: `gradMode`); pos_weight against
 * target (`(pos_weight - 1).mul(target)`); an int64 input or target (the in-place
 * float steps of the forward); then the in-place broadcasts of the loss by
 * pos_weight's term and by weight.
 */
export function bceWithLogitsMeta(
  input: LossOperand,
  target: LossOperand,
  weight: LossOperand | null,
  posWeight: LossOperand | null,
  reduction: Reduction,
  gradMode: boolean,
): LossMeta {
  if (!sameShape(target.shape, input.shape)) {
    throw new TorchError(
      'ValueError',
      `Target size (${torchSize(target.shape)}) must be the same as input size (${torchSize(input.shape)})`,
    );
  }
  if (gradMode && weight?.requiresGrad) throw notDifferentiable('weight');
  if (gradMode && posWeight?.requiresGrad) throw notDifferentiable('pos_weight');
  const logWeight = posWeight ? broadcastShapes(posWeight.shape, target.shape) : null;
  if (input.dtype === 'int64' || target.dtype === 'int64') {
    throw runtimeError("result type Float can't be cast to the desired output type Long");
  }
  if (logWeight) checkInPlace(input.shape, logWeight);
  if (weight) checkInPlace(input.shape, weight.shape);
  return { shape: reduction === 'none' ? input.shape : [], dtype: resultType(input.dtype, target.dtype) };
}

/** `w`'s values repeated to `shape` (null stays null). */
const spread = (w: Tensor | null, shape: Shape): FloatArray | null =>
  w ? expandTo(w.contiguousData(), w.shape, shape) : null;

/**
 * `F.binary_cross_entropy_with_logits(input, target, weight, pos_weight=..., reduction=...)`:
 * one BinaryCrossEntropyWithLogitsBackward0 with edges to input and target (weight and
 * pos_weight are not differentiable), saving all four.
 */
export function bceWithLogits(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  posWeight: Tensor | null,
  reduction: Reduction,
): Tensor {
  const meta = bceWithLogitsMeta(input, target, weight, posWeight, reduction, isGradEnabled());
  const loss = bceWithLogitsForward(
    input.contiguousData(),
    target.contiguousData(),
    spread(posWeight, input.shape),
    spread(weight, input.shape),
    allocFor(meta.dtype, input.numel),
  );
  const out = Tensor.fromData(reduceAll(loss, reduction), meta.shape, meta.dtype);
  return record(out, 'BinaryCrossEntropyWithLogitsBackward0', [input, target], () => ({
    self: save(input),
    target: save(target),
    weight: weight ? save(weight) : null,
    posWeight: posWeight ? save(posWeight) : null,
    reduction,
  }));
}
