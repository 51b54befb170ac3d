import { internalError } from '../core/errors';
import { allocFor } from '../core/dtype';
import { record, save } from '../tensor/record';
import { Tensor } from '../tensor/tensor';
import { needsGrad } from '../tensor/record';

/** `t.masked_select(mask)` with a mask of t's shape: a 1-D tensor (MaskedSelectBackward0). */
export function maskedSelect(t: Tensor, mask: Uint8Array): Tensor {
  const src = t.contiguousData();
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]! ? 1 : 0;
  const out = allocFor(t.dtype, n);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[k++] = src[i]!;
  return record(Tensor.fromData(out, [n], t.dtype), 'MaskedSelectBackward0', [t], () => ({
    self: save(t),
    shape: t.shape,
    mask,
  }));
}

/** `t.index_put_((mask,), 0.0)`: zeroes the masked elements in place (IndexPutBackward0). */
export function indexPutMask_(t: Tensor, mask: Uint8Array): Tensor {
  if (!t.isContiguous) throw internalError('index_put_ on a non-contiguous tensor');
  // The edge is taken before the write bumps the version, as PyTorch's in-place code does
  // (Note [View + in-place], engine/tensor/tensor.ts).
  const edge = needsGrad([t]) ? t.gradientEdge() : null;
  const d = t.storage.data;
  for (let i = 0; i < mask.length; i++) if (mask[i]) d[t.offset + i] = 0;
  t.storage.bumpVersion();
  if (edge) {
    const prev = new Tensor(t.storage, t.shape, t.dtype, t.strides, t.offset);
    prev.gradFn = edge.node;
    prev.outputNr = edge.inputNr;
    record(prev, 'IndexPutBackward0', [prev, null], () => ({ mask }));
    t.gradFn = prev.gradFn;
    t.outputNr = 0;
  }
  return t;
}
