import { allocFor } from '../core/dtype';
import { runtimeError, TorchError } from '../core/errors';
import { formatShape, sameShape } from '../core/shape';
import { checkNllTargets, nllLossForward, type Reduction } from '../kernels/nll';
import { isGradEnabled } from '../autograd/grad-mode';
import { record, save } from '../tensor/record';
import { Tensor } from '../tensor/tensor';
import { add, addScalar, div, divScalar, mul, mulScalar, neg } from '../tensor/ops/elementwise';
import { mean, sum } from '../tensor/ops/reduce';
import { view } from '../tensor/ops/view';
import { logSoftmax } from './softmax';
import { indexPutMask_, maskedSelect } from './mask';

export type { Reduction };

/** `at::nll_loss` (1-D/2-D input) or `at::nll_loss2d` (4-D input) on a validated layout. */
function nllCore(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  reduction: Reduction,
  ignoreIndex: number,
  twoD: boolean,
): Tensor {
  if (target.dtype !== 'int64')
    throw runtimeError(`expected scalar type Long but found ${target.dtype === 'float64' ? 'Double' : 'Float'}`);
  const n = input.ndim === 1 ? 1 : input.shape[0]!;
  const c = input.ndim === 1 ? input.shape[0]! : input.shape[1]!;
  const spatial = twoD ? input.shape[2]! * input.shape[3]! : 1;
  const t = target.contiguousData() as Float64Array;
  const bad = checkNllTargets(t, c, ignoreIndex);
  if (bad) throw new TorchError('IndexError', bad);
  if (weight && weight.requiresGrad && isGradEnabled())
    throw runtimeError("the derivative for 'weight' is not implemented.");
  const w = weight ? weight.contiguousData() : null;
  const { out, totalWeight } = nllLossForward(input.contiguousData(), t, w, n, c, spatial, reduction, ignoreIndex);
  const shape = reduction !== 'none' ? [] : twoD ? [n, input.shape[2]!, input.shape[3]!] : input.ndim === 1 ? [] : [n];
  const res = Tensor.fromData(out, shape, input.dtype);
  return record(res, twoD ? 'NllLoss2DBackward0' : 'NllLossBackward0', [input], () => ({
    self: save(input),
    target: save(target),
    weight: weight ? save(weight) : null,
    n,
    c,
    spatial,
    reduction,
    ignoreIndex,
    totalWeight,
  }));
}

function nllLoss1d2d(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  reduction: Reduction,
  ignoreIndex: number,
): Tensor {
  if (target.ndim > 1) throw runtimeError('0D or 1D target tensor expected, multi-target not supported');
  const noBatch = input.ndim === 1 && target.ndim === 0;
  if (!noBatch && input.shape[0] !== target.shape[0]) {
    throw runtimeError(`size mismatch (got input: ${formatShape(input.shape)}, target: ${formatShape(target.shape)})`);
  }
  const c = input.shape[input.ndim - 1]!;
  if (weight && (weight.ndim !== 1 || weight.numel !== c)) {
    throw runtimeError(
      `weight tensor should be defined either for all ${c} classes or no classes but got weight tensor of shape: ${formatShape(weight.shape)}`,
    );
  }
  return nllCore(input, target, weight, reduction, ignoreIndex, false);
}

function nllLoss2d(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  reduction: Reduction,
  ignoreIndex: number,
): Tensor {
  if (target.ndim !== 3) {
    throw runtimeError(
      `only batches of spatial targets supported (3D tensors) but got targets of dimension: ${target.ndim}`,
    );
  }
  if (weight && weight.numel !== input.shape[1])
    throw runtimeError('weight tensor should be defined either for all or no classes');
  const [i0, , i2, i3] = input.shape;
  const [t0, t1, t2] = target.shape;
  if (i0 !== t0 || i2 !== t1 || i3 !== t2) {
    throw runtimeError(`size mismatch (got input: ${formatShape(input.shape)} , target: ${formatShape(target.shape)}`);
  }
  return nllCore(input, target, weight, reduction, ignoreIndex, true);
}

/** `F.nll_loss` = PyTorch's `nll_loss_nd`: 1-D/2-D, 4-D, and other spatial inputs viewed as 4-D. */
export function nllLoss(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  reduction: Reduction,
  ignoreIndex: number,
): Tensor {
  if (input.ndim < 1) throw new TorchError('ValueError', `Expected 1 or more dimensions (got ${input.ndim})`);
  // A 0-d target reads as batch size 0 here, as PyTorch 1.13's nll_loss_nd reports it.
  const targetBatch = target.shape[0] ?? 0;
  if (input.ndim !== 1 && input.shape[0] !== targetBatch) {
    throw new TorchError(
      'ValueError',
      `Expected input batch_size (${input.shape[0]}) to match target batch_size (${targetBatch}).`,
    );
  }
  if (input.ndim <= 2) return nllLoss1d2d(input, target, weight, reduction, ignoreIndex);
  if (input.ndim === 4) return nllLoss2d(input, target, weight, reduction, ignoreIndex);
  const [n, c] = input.shape as [number, number];
  const outSize = [n, ...input.shape.slice(2)];
  if (!sameShape(target.shape.slice(1), input.shape.slice(2))) {
    throw runtimeError(`Expected target size ${formatShape(outSize)}, got ${formatShape(target.shape)}`);
  }
  const x = view(input, [n, c, 1, -1]);
  const t = Tensor.fromData(target.contiguousData(), [n, 1, target.numel / n], 'int64');
  const out = nllLoss2d(x, t, weight, reduction, ignoreIndex);
  return reduction === 'none' ? view(out, outSize) : out;
}

function broadcastWeight(weight: Tensor, input: Tensor): Tensor {
  if (input.ndim <= 1) return weight;
  const shape = input.shape.map((_, i) => (i === 1 ? weight.shape[0]! : 1));
  return view(weight, shape);
}

/** `cross_entropy_loss_prob_target` of PyTorch 1.13. */
function crossEntropyProb(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  reduction: Reduction,
  ls: number,
): Tensor {
  const classDim = input.ndim === 1 ? 0 : 1;
  const nClasses = input.shape[classDim]!;
  if (weight && (weight.ndim !== 1 || weight.numel !== nClasses)) {
    throw runtimeError(
      `cross_entropy: weight tensor should be defined either for all ${nClasses} classes or no classes but got weight tensor of shape: ${formatShape(weight.shape)}`,
    );
  }
  const logp = logSoftmax(input, classDim);
  let tgt = target;
  if (ls > 0) tgt = addScalar(mulScalar(target, 1 - ls), ls / nClasses);
  let prod = mul(logp, tgt);
  if (weight) prod = mul(prod, broadcastWeight(weight, logp));
  if (reduction === 'none') return neg(sum(prod, classDim));
  const total = neg(sum(prod));
  return reduction === 'sum' ? total : divScalar(total, Math.trunc(logp.numel / nClasses));
}

/** `cross_entropy_loss_label_smoothing` of PyTorch 1.13 (class-index targets). */
function crossEntropySmoothed(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  reduction: Reduction,
  ignoreIndex: number,
  ls: number,
): Tensor {
  const classDim = input.ndim === 1 ? 0 : 1;
  const logp = logSoftmax(input, classDim);
  const nll = nllLoss(logp, target, weight, reduction, ignoreIndex);
  const nClasses = logp.shape[classDim]!;
  const tv = target.contiguousData();
  const ignore = new Uint8Array(tv.length);
  for (let i = 0; i < tv.length; i++) ignore[i] = tv[i] === ignoreIndex ? 1 : 0;
  const smooth = weight ? neg(sum(mul(logp, broadcastWeight(weight, logp)), classDim)) : neg(sum(logp, classDim));
  indexPutMask_(smooth, ignore);
  let ret: Tensor;
  if (reduction === 'mean') {
    if (weight) {
      const w = weight.contiguousData();
      let tot = 0;
      for (let i = 0; i < tv.length; i++) if (!ignore[i]) tot += w[tv[i]!]!;
      const denom = Tensor.fromData(allocFor(weight.dtype, 1).fill(tot), [], weight.dtype);
      ret = div(sum(smooth), denom);
    } else {
      const keep = ignore.map((v) => 1 - v);
      ret = mean(maskedSelect(smooth, keep));
    }
  } else {
    ret = reduction === 'sum' ? sum(smooth) : smooth;
  }
  return add(mulScalar(nll, 1 - ls), mulScalar(ret, ls / nClasses));
}

/**
 * `F.cross_entropy` as PyTorch 1.13 composes it, so autograd shows the same
 * functions: probability targets (same shape as input), label smoothing, or
 * `nll_loss_nd(log_softmax(input))` (NllLossBackward0 after LogSoftmaxBackward0).
 */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  reduction: Reduction,
  ignoreIndex: number,
  labelSmoothing: number,
): Tensor {
  if (sameShape(input.shape, target.shape)) {
    if (target.dtype === 'int64') {
      throw runtimeError('Expected floating point type for target with class probabilities, got Long');
    }
    if (ignoreIndex >= 0) throw runtimeError('ignore_index is not supported for floating point target');
    if (labelSmoothing > 1) throw runtimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
    return crossEntropyProb(input, target, weight, reduction, labelSmoothing);
  }
  if (labelSmoothing > 0) {
    if (labelSmoothing > 1) throw runtimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
    return crossEntropySmoothed(input, target, weight, reduction, ignoreIndex, labelSmoothing);
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  return nllLoss(logSoftmax(input, classDim), target, weight, reduction, ignoreIndex);
}
