import { allocLike } from '../../core/dtype';
import type { Shape } from '../../core/shape';
import type { GradValue } from '../grad-value';
import type { GradRule } from '../node';
import { fromStorageOrder } from '../copy-slices';

/** What AsStridedBackward0 keeps: the base's geometry and the view's. */
export interface AsStridedSaved {
  /** The base's shape and strides; the base fills its storage from `baseOffset` (ViewGeometry). */
  readonly baseShape: Shape;
  readonly baseStride: readonly number[];
  readonly baseOffset: number;
  /** The view: its sizes, strides and storage offset. */
  readonly size: Shape;
  readonly stride: readonly number[];
  readonly storageOffset: number;
}

/**
 * `AsStridedBackward0` (PyTorch's `as_strided_backward` for a base that fills its storage): each
 * element of the view's gradient is added at the storage position the view reads, so
 * positions the view reads twice get the sum and positions it does not read get 0.
 * It is created only by view regeneration: see Note [View + in-place] (engine/tensor/tensor.ts).
 */
export const asStridedBackward: GradRule<AsStridedSaved> = {
  backward: (s, [g]): (GradValue | null)[] => {
    const n = s.baseShape.reduce((a, b) => a * b, 1);
    const out = allocLike(g!.data, n);
    const nd = s.size.length;
    const idx = new Array<number>(nd).fill(0);
    let pos = s.storageOffset - s.baseOffset;
    for (let k = 0; k < g!.data.length; k++) {
      out[pos] = out[pos]! + g!.data[k]!;
      for (let d = nd - 1; d >= 0; d--) {
        idx[d]!++;
        pos += s.stride[d]!;
        if (idx[d]! < s.size[d]!) break;
        pos -= idx[d]! * s.stride[d]!;
        idx[d] = 0;
      }
    }
    return [{ data: fromStorageOrder(out, s.baseShape, s.baseStride), shape: s.baseShape, dtype: g!.dtype }];
  },
};
