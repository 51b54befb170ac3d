import { allocFor, type DType } from '../../core/dtype';
import { runtimeError } from '../../core/errors';
import { checkBudget, normalizeDim, type Shape } from '../../core/shape';
import { catInto } from '../../kernels/cat';
import { record } from '../record';
import { Tensor } from '../tensor';

/** PyTorch keeps skipping 1-D empty tensors (`[0]`) in cat, from before empty tensors had shapes. */
function skipped(shape: Shape): boolean {
  return shape.length === 1 && shape[0] === 0;
}

/** The dtype cat's type promotion gives (of the graph's dtypes: any float wins over int64). */
export function catDtype(dtypes: readonly DType[]): DType {
  if (dtypes.includes('float64')) return 'float64';
  return dtypes.includes('float32') ? 'float32' : 'int64';
}

/**
 * The shape and normalized dim of `torch.cat(tensors, dim)`, with PyTorch 1.13's
 * checks in its order: no 0-D tensor, dim wrapped against the first tensor that
 * is not a skipped `[0]`, then every other tensor against that one (shape
 * inference uses it too).
 */
export function catShape(shapes: readonly Shape[], dim: number): { shape: number[]; dim: number } {
  shapes.forEach((s, i) => {
    if (s.length === 0) throw runtimeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const valid = shapes.findIndex((s) => !skipped(s));
  const first = shapes[valid === -1 ? 0 : valid]!;
  const d = normalizeDim(dim, first.length);
  if (valid === -1) return { shape: [0], dim: d };
  let size = 0;
  shapes.forEach((s, i) => {
    if (skipped(s)) return;
    if (s.length !== first.length) {
      throw runtimeError(`Tensors must have same number of dimensions: got ${first.length} and ${s.length}`);
    }
    first.forEach((f, k) => {
      if (k !== d && f !== s[k]) {
        throw runtimeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${f} but got size ${s[k]} for ` +
            `tensor number ${i} in the list.`,
        );
      }
    });
    size += s[d]!;
  });
  const shape = [...first];
  shape[d] = size;
  return { shape, dim: d };
}

/** `torch.cat(tensors, dim)` (CatBackward0). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const { shape, dim: d } = catShape(
    tensors.map((t) => t.shape),
    dim,
  );
  checkBudget(shape);
  const dtype = catDtype(tensors.map((t) => t.dtype));
  const data = allocFor(
    dtype,
    shape.reduce((a, b) => a * b, 1),
  );
  const parts = tensors.filter((t) => !skipped(t.shape)).map((t) => ({ data: t.contiguousData(), shape: t.shape }));
  catInto(data, shape, parts, d);
  return record(Tensor.fromData(data, shape, dtype), 'CatBackward0', tensors, () => ({
    shapes: tensors.map((t) => t.shape),
    dim: d,
  }));
}
