import { runtimeError } from '../core/errors';
import { broadcastShapes, checkBudget, contiguousStrides, numel, type Shape } from '../core/shape';
import { scalarTypeName, type DType } from '../core/dtype';
import { bmm as bmmKernel, dot as dotKernel, matmul as matmulKernel } from '../kernels/matmul';
import { record, save } from '../tensor/record';
import { Tensor } from '../tensor/tensor';
import { clone, expand, reshape, squeeze, squeezeInPlace, transpose, transpose2d, unsqueeze } from '../tensor/ops/view';
import { checkMm, mm, unsafeView } from './mm';

/** Operands of two dtypes: dot names both, mv, mm and bmm expect the first operand's. */
function checkDtypes(op: 'dot' | 'mm', a: DType, b: DType): void {
  if (a === b) return;
  throw runtimeError(
    op === 'dot'
      ? `dot : expected both vectors to have same dtype, but found ${scalarTypeName(a)} and ${scalarTypeName(b)}`
      : `expected scalar type ${scalarTypeName(a)} but found ${scalarTypeName(b)}`,
  );
}

/** `torch.dot(a, b)` of 1-D tensors (DotBackward0). */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkDtypes('dot', a.dtype, b.dtype);
  checkDot(a.shape, b.shape);
  const out = Tensor.fromData(dotKernel(a.contiguousData(), b.contiguousData()), [], a.dtype);
  return record(out, 'DotBackward0', [a, b], () => ({
    self: b.requiresGrad ? save(a) : null,
    other: a.requiresGrad ? save(b) : null,
  }));
}

function checkDot(a: Shape, b: Shape): void {
  if (a[0] !== b[0]) {
    throw runtimeError(
      `inconsistent tensor size, expected tensor [${a[0]}] and src [${b[0]}] to have the same number of elements, ` +
        `but got ${a[0]} and ${b[0]} elements respectively`,
    );
  }
}

/** `torch.mv(mat, vec)` (MvBackward0). */
export function mv(a: Tensor, v: Tensor): Tensor {
  checkMv(a.shape, v.shape);
  checkDtypes('mm', a.dtype, v.dtype);
  const [m, k] = a.shape as [number, number];
  const data = matmulKernel(a.contiguousData(), v.contiguousData(), m, k, 1, false, false);
  return record(Tensor.fromData(data, [m], a.dtype), 'MvBackward0', [a, v], () => ({
    self: v.requiresGrad ? save(a) : null,
    vec: a.requiresGrad ? save(v) : null,
    m,
    k,
  }));
}

function checkMv(a: Shape, v: Shape): void {
  if (a[1] !== v[0]) throw runtimeError(`size mismatch, got ${a[0]}, ${a[0]}x${a[1]},${v[0]}`);
}

/** `torch.bmm(a, b)` of 3-D tensors with equal batch (BmmBackward0). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkBmm(a.shape, b.shape);
  checkDtypes('mm', a.dtype, b.dtype);
  const [batch, m, k] = a.shape as [number, number, number];
  const n = b.shape[2]!;
  checkBudget([batch, m, n]);
  const data = bmmKernel(a.contiguousData(), b.contiguousData(), batch, m, k, n, false, false);
  return record(Tensor.fromData(data, [batch, m, n], a.dtype), 'BmmBackward0', [a, b], () => ({
    self: b.requiresGrad ? save(a) : null,
    mat2: a.requiresGrad ? save(b) : null,
    batch,
    m,
    k,
    n,
  }));
}

function checkBmm(a: Shape, b: Shape): void {
  if (b[0] !== a[0] || b[1] !== a[2]) {
    throw runtimeError(
      `Expected size for first two dimensions of batch2 tensor to be: [${a[0]}, ${a[2]}] but got: [${b[0]}, ${b[1]}].`,
    );
  }
}

/**
 * Note [matmul's op sequence]: `torch.matmul` is not one autograd function but
 * the sequence PyTorch 1.13's `_matmul_impl` (aten/src/ATen/native/LinearAlgebra.cpp)
 * calls, so the graph a learner steps through has the same nodes:
 * - 1-D·1-D: `dot`; 2-D·1-D: `mv`; 2-D·2-D: `mm`; 1-D·2-D: `unsqueeze(0)`, `mm`, `squeeze_(0)`
 *   (in place: the product is not a view and is at version 1).
 * - One side at least 3-D and the other 1-D or 2-D (unless the left is 3-D with its
 *   last two dims transposed, see `shouldFold`): the batch dims are folded into the
 *   rows of one `mm` or `mv` (`reshape`, then `_unsafe_view` back). When the batched
 *   side is the right one, PyTorch folds `b.mT` (`transpose(-2, -1)`) with `a.t()`, and
 *   turns a matrix product back with `.mT.contiguous()` (a clone, unless one of the last two
 *   dims is 1 and the transpose is already contiguous: then the result is that view).
 * - Otherwise both sides are `expand`ed to the broadcast batch shape, reshaped to
 *   3-D and multiplied by `bmm` (a 1-D right side as a column, squeezed after), then
 *   `_unsafe_view`ed to the output shape.
 * `matmulShape` runs the checks of the path on shapes alone and in the same order
 * (shape, then dtype; dot checks the dtype first), so execution checks once, up front.
 * Shape inference knows no strides and takes the left operand as contiguous, so for a
 * 3-D left operand with its last two dims transposed times a mismatched matrix it shows
 * mm's message where the run raises bmm's.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const plan = matmulPlan(a.shape, b.shape, a.strides);
  checkPlan(plan, a.dtype, b.dtype);
  switch (plan.kind) {
    case 'dot':
      return dot(a, b);
    case 'mv':
      return mv(a, b);
    case 'mm':
      return mm(a, b);
    case 'vm':
      return squeezeInPlace(mm(unsqueeze(a, 0), b), 0);
    case 'fold':
      return plan.transpose ? foldedRight(a, b) : folded(a, b);
    case 'bmm':
      return batched(a, b, plan);
  }
}

/** `t1` (3-D or more) folded to a matrix times `t2` (1-D or 2-D), viewed back. */
function folded(t1: Tensor, t2: Tensor): Tensor {
  const flat = reshape(t1, [numel(t1.shape.slice(0, -1)), t1.shape[t1.ndim - 1]!]);
  return unsafeView(t2.ndim === 2 ? mm(flat, t2) : mv(flat, t2), foldShape(t1.shape, t2.shape));
}

function foldedRight(a: Tensor, b: Tensor): Tensor {
  const t1 = transpose(b, -2, -1); // before a.t(): the order sets their sequence numbers
  const t2 = a.ndim === 2 ? transpose2d(a) : a;
  const out = folded(t1, t2);
  if (t2.ndim !== 2) return out;
  // `.mT.contiguous()`: a clone only when the transpose is not already contiguous (it is when
  // the product has one row or one column: a [2, 5, 1] result is then a view, TransposeBackward0)
  const back = transpose(out, -2, -1);
  return back.isContiguous ? back : clone(back);
}

function batched(a: Tensor, b: Tensor, plan: BmmPlan): Tensor {
  const { batch, n, m1, m2, p } = plan;
  const count = numel(batch);
  const a3 = reshape(expand(a, [...batch, n, m1]), [count, n, m1]);
  const vector = b.ndim === 1;
  const b3 = vector
    ? unsqueeze(reshape(expand(b, [...batch, m2]), [count, m2]), 2)
    : reshape(expand(b, [...batch, m2, p]), [count, m2, p]);
  const prod = bmm(a3, b3);
  return unsafeView(vector ? squeeze(prod, -1) : prod, plan.outShape);
}

/** The shape the folded product is viewed as: t1's batch and rows, then t2's columns. */
function foldShape(t1: Shape, t2: Shape): number[] {
  return [...t1.slice(0, -1), ...(t2.length === 2 ? [t2[1]!] : [])];
}

interface FoldPlan {
  readonly kind: 'fold';
  readonly transpose: boolean;
  /** The shapes of the folded operand and of the other, as `_matmul_impl` names them. */
  readonly t1: Shape;
  readonly t2: Shape;
}
interface BmmPlan {
  readonly kind: 'bmm';
  readonly batch: Shape;
  readonly n: number;
  readonly m1: number;
  readonly m2: number;
  readonly p: number;
  readonly outShape: Shape;
}
/** A product of 1-D and 2-D operands. */
interface SmallPlan<K> {
  readonly kind: K;
  readonly s1: Shape;
  readonly s2: Shape;
}
type MatmulPlan = SmallPlan<'dot'> | SmallPlan<'mv'> | SmallPlan<'mm'> | SmallPlan<'vm'> | FoldPlan | BmmPlan;

/** Which of matmul's paths two operands take (see Note [matmul's op sequence]). */
function matmulPlan(s1: Shape, s2: Shape, strides1: readonly number[]): MatmulPlan {
  const d1 = s1.length;
  const d2 = s2.length;
  if (d1 === 0 || d2 === 0) {
    throw runtimeError(`both arguments to matmul need to be at least 1D, but they are ${d1}D and ${d2}D`);
  }
  if (d1 <= 2 && d2 <= 2) {
    if (d2 === 1) return { kind: d1 === 1 ? 'dot' : 'mv', s1, s2 };
    return { kind: d1 === 1 ? 'vm' : 'mm', s1, s2 };
  }
  if (shouldFold(s1, strides1, d2) || shouldFold(s2, null, d1)) {
    const transpose = d2 > d1;
    const t1 = transpose ? [...s2.slice(0, -2), s2[d2 - 1]!, s2[d2 - 2]!] : s1;
    const t2 = transpose && d1 === 2 ? [s1[1]!, s1[0]!] : transpose ? s1 : s2;
    return { kind: 'fold', transpose, t1, t2 };
  }
  const n = d1 > 1 ? s1[d1 - 2]! : 1;
  const m1 = s1[d1 - 1]!;
  const m2 = d2 > 1 ? s2[d2 - 2]! : s2[d2 - 1]!;
  const p = d2 > 1 ? s2[d2 - 1]! : 1;
  const batch = broadcastShapes(s1.slice(0, Math.max(d1 - 2, 0)), s2.slice(0, Math.max(d2 - 2, 0)));
  const outShape = [...batch, ...(d1 > 1 ? [n] : []), ...(d2 > 1 ? [p] : [])];
  return { kind: 'bmm', batch, n, m1, m2, p, outShape };
}

/**
 * PyTorch 1.13's `should_fold`: a tensor of 3 or more dims times a 1-D or 2-D one
 * folds into one matrix product, unless it is 3-D times 2-D with its last two dims
 * transposed (`permute(0, 2, 1)`), which `bmm` multiplies without a copy.
 */
function shouldFold(s: Shape, strides: readonly number[] | null, otherDim: number): boolean {
  if (s.length < 3 || (otherDim !== 1 && otherDim !== 2)) return false;
  if (strides === null || s.length !== 3 || otherDim !== 2) return true;
  return !(strides[2] !== 1 && strides[0] === s[1]! * s[2]!);
}

/** The checks of a path's product on shapes, then on dtypes; returns the output shape. */
function checkPlan(plan: MatmulPlan, dtype1: DType, dtype2: DType): number[] {
  if (plan.kind === 'dot') {
    checkDtypes('dot', dtype1, dtype2);
    checkDot(plan.s1, plan.s2);
    return [];
  }
  let out: number[];
  if (plan.kind === 'mv') {
    checkMv(plan.s1, plan.s2);
    out = [plan.s1[0]!];
  } else if (plan.kind === 'mm' || plan.kind === 'vm') {
    const [s1, s2] = [plan.s1, plan.s2];
    checkMm(s1.length === 1 ? [1, s1[0]!] : s1, s2);
    out = s1.length === 1 ? [s2[1]!] : [s1[0]!, s2[1]!];
  } else if (plan.kind === 'fold') {
    const { t1, t2 } = plan;
    const rows = [numel(t1.slice(0, -1)), t1[t1.length - 1]!];
    if (t2.length === 1) checkMv(rows, t2);
    else checkMm(rows, t2);
    out = foldShape(t1, t2);
    if (plan.transpose && t2.length === 2) out = [...out.slice(0, -2), out[out.length - 1]!, out[out.length - 2]!];
    if (plan.transpose) [dtype1, dtype2] = [dtype2, dtype1];
  } else {
    const count = numel(plan.batch);
    checkBmm([count, plan.n, plan.m1], [count, plan.m2, plan.p]);
    out = [...plan.outShape];
  }
  checkDtypes('mm', dtype1, dtype2);
  checkBudget(out);
  return out;
}

/**
 * The shape `matmul` gives, with the checks its path runs in the same order
 * (shape inference: operands taken as contiguous, dtypes when known).
 */
export function matmulShape(s1: Shape, s2: Shape, dtype1: DType = 'float32', dtype2: DType = dtype1): number[] {
  return checkPlan(matmulPlan(s1, s2, contiguousStrides(s1)), dtype1, dtype2);
}
