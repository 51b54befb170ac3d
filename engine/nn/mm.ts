/**
 * The matrix products F.linear and torch.matmul are made of (`mm`, `addmm`) with their
 * checks, and `_unsafe_view`.
 */
import { runtimeError } from '../core/errors';
import { broadcastShapes, checkBudget } from '../core/shape';
import { scalarTypeName, type DType, type FloatArray } from '../core/dtype';
import { expandTo } from '../kernels/elementwise';
import { addmm as addmmKernel, matmul } from '../kernels/matmul';
import { record, save } from '../tensor/record';
import { Tensor } from '../tensor/tensor';

/** mm's check of two matrix shapes, with PyTorch's message. */
export function checkMm(a: readonly number[], b: readonly number[]): void {
  if (a[1] !== b[0]) {
    throw runtimeError(`mat1 and mat2 shapes cannot be multiplied (${a[0]}x${a[1]} and ${b[0]}x${b[1]})`);
  }
}

/**
 * Note [Linear's dtype checks]: F.linear meets a dtype mismatch in the aten op it
 * reaches. addmm (2-D or 3-D input with a bias) checks dtypes before shapes, the bias
 * (`self`) first; mm (every other path) checks shapes first and names the input's dtype
 * as expected. PyTorch 1.13, F.linear(int64 [2, 3], float32 [4, 3], float32 [4]):
 * "mat1 and mat2 must have the same dtype"; without the bias: "expected scalar type
 * Long but found Float".
 */
export function checkAddmmDtypes(bias: DType, mat1: DType, mat2: DType): void {
  if (bias !== mat2) throw runtimeError('self and mat2 must have the same dtype');
  if (mat1 !== mat2) throw runtimeError('mat1 and mat2 must have the same dtype');
}

/** mm's dtype check (after its shape check), as Note [Linear's dtype checks]. */
export function checkMmDtypes(mat1: DType, mat2: DType): void {
  if (mat1 !== mat2) {
    throw runtimeError(`expected scalar type ${scalarTypeName(mat1)} but found ${scalarTypeName(mat2)}`);
  }
}

/**
 * The right operand of a product as the kernels take it: a transposed matrix
 * (`weight.t()` inside Linear) as its storage with `trans` set, which the matrix
 * kernel packs without a fresh array (Note [Transposed B scratch]); any other
 * tensor as its row-major values. The values are the same either way.
 */
function rightOperand(b: Tensor): { data: FloatArray; trans: boolean } {
  if (!b.isContiguous && b.ndim === 2 && b.strides[0] === 1 && b.strides[1] === b.shape[0]) {
    return { data: b.storage.data.subarray(b.offset, b.offset + b.numel), trans: true };
  }
  return { data: b.contiguousData(), trans: false };
}

/** `torch.mm(a, b)` of 2-D tensors (MmBackward0). */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkMm(a.shape, b.shape);
  checkMmDtypes(a.dtype, b.dtype);
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  checkBudget([m, n]);
  const r = rightOperand(b);
  const out = Tensor.fromData(matmul(a.contiguousData(), r.data, m, k, n, false, r.trans), [m, n], a.dtype);
  return record(out, 'MmBackward0', [a, b], () => ({
    mat1: b.requiresGrad ? save(a) : null,
    mat2: a.requiresGrad ? save(b) : null,
    m,
    k,
    n,
  }));
}

/** `torch.addmm(bias, a, b)` = bias + a @ b (AddmmBackward0). */
export function addmm(bias: Tensor, a: Tensor, b: Tensor): Tensor {
  checkAddmmDtypes(bias.dtype, a.dtype, b.dtype);
  checkMm(a.shape, b.shape);
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  checkBudget([m, n]);
  const bias1d = bias.numel === n && (bias.ndim === 1 || bias.shape[0] === 1);
  const biasData = bias1d
    ? bias.contiguousData()
    : expandTo(bias.contiguousData(), broadcastShapes(bias.shape, [m, n]) && bias.shape, [m, n]);
  const r = rightOperand(b);
  let data: FloatArray;
  if (bias1d) data = addmmKernel(biasData, a.contiguousData(), r.data, m, k, n, false, r.trans);
  else {
    data = matmul(a.contiguousData(), r.data, m, k, n, false, r.trans);
    for (let i = 0; i < data.length; i++) data[i] = data[i]! + biasData[i]!;
  }
  return record(Tensor.fromData(data, [m, n], a.dtype), 'AddmmBackward0', [bias, a, b], () => ({
    mat2: a.requiresGrad ? save(b) : null, // AddmmBackward0 declares mat2_ before mat1_
    mat1: b.requiresGrad ? save(a) : null,
    m,
    k,
    n,
  }));
}

/**
 * `at::_unsafe_view` (UnsafeViewBackward0) of a contiguous result: it shares t's storage but is
 * not a view (PyTorch's `_is_view()` is False), so an in-place op on it (`F.relu(linear(x3d),
 * inplace=True)`) rebases its own history, not t's.
 */
export function unsafeView(t: Tensor, shape: readonly number[]): Tensor {
  const out = new Tensor(t.storage, shape, t.dtype, undefined, t.offset);
  return record(out, 'UnsafeViewBackward0', [t], () => ({ shape: t.shape }));
}
