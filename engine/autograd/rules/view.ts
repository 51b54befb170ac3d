import type { Shape } from '../../core/shape';
import { permuteData, readRegion, scatterRegion, transpose2d, zeroRegion, type Region } from '../../kernels/slice';
import { allocLike } from '../../core/dtype';
import { sumTo, type GradValue } from '../grad-value';
import type { GradRule } from '../node';
import type { SavedVariable } from '../saved';
import { asStridedBackward } from './as-strided';

type Grads = readonly (GradValue | null)[];
/** The input shape of a shape-changing op. */
export interface ShapeSaved {
  readonly shape: Shape;
}
const reshapeBack: GradRule<ShapeSaved> = {
  backward: (s, [g]) => [{ data: g!.data, shape: s.shape, dtype: g!.dtype }],
};

function permutedGrad(g: GradValue, perm: readonly number[]): GradValue {
  return { data: permuteData(g.data, g.shape, perm), shape: perm.map((p) => g.shape[p]!), dtype: g.dtype };
}

/** Gradient rules of views, copies, slices and in-place slice writes. */
export const viewRules = {
  ViewBackward0: reshapeBack,
  ReshapeAliasBackward0: reshapeBack,
  UnsafeViewBackward0: reshapeBack,
  SqueezeBackward1: reshapeBack,
  SqueezeBackward3: reshapeBack,
  UnsqueezeBackward0: reshapeBack,
  AsStridedBackward0: asStridedBackward,
  CloneBackward0: { backward: (_s: null, [g]: Grads) => [g!] } satisfies GradRule<null>,
  /** `t()` / `transpose(0, 1)` of a 2-D tensor: the gradient is transposed back. */
  TBackward0: {
    backward: (s: ShapeSaved, [g]: Grads) => [
      { data: transpose2d(g!.data, s.shape[1]!, s.shape[0]!), shape: s.shape, dtype: g!.dtype },
    ],
  } satisfies GradRule<ShapeSaved>,
  /** `transpose(dim0, dim1)`: the gradient is transposed back (swapping is its own inverse). */
  TransposeBackward0: {
    backward: (s: { dim0: number; dim1: number }, [g]: Grads) => {
      const perm = g!.shape.map((_, i) => (i === s.dim0 ? s.dim1 : i === s.dim1 ? s.dim0 : i));
      return [permutedGrad(g!, perm)];
    },
  } satisfies GradRule<{ dim0: number; dim1: number }>,
  /** `permute(dims)`: the gradient is permuted by the inverse of dims. */
  PermuteBackward0: {
    backward: (s: { dims: readonly number[] }, [g]: Grads) => {
      const inverse = new Array<number>(s.dims.length);
      s.dims.forEach((d, i) => (inverse[d] = i));
      return [permutedGrad(g!, inverse)];
    },
  } satisfies GradRule<{ dims: readonly number[] }>,
  /** `expand(shape)`: the gradient is summed over the repeated dims (`sum_to`). */
  ExpandBackward0: {
    backward: (s: ShapeSaved, [g]: Grads) => [sumTo(g!, s.shape)],
  } satisfies GradRule<ShapeSaved>,
  /** `cat(tensors, dim)`: each input gets its slice of the gradient along dim (a skipped `[0]` an empty one). */
  CatBackward0: {
    backward: (s: { shapes: readonly Shape[]; dim: number }, [g]: Grads, needs) => {
      let at = 0;
      return s.shapes.map((shape, i) => {
        if (shape.length === 1 && shape[0] === 0)
          return needs[i] ? { data: allocLike(g!.data, 0), shape, dtype: g!.dtype } : null;
        const region = g!.shape.map((n, k): readonly [number, number] => (k === s.dim ? [at, at + shape[k]!] : [0, n]));
        at += shape[s.dim]!;
        return needs[i] ? { data: readRegion(g!.data, g!.shape, region), shape, dtype: g!.dtype } : null;
      });
    },
  } satisfies GradRule<{ shapes: readonly Shape[]; dim: number }>,
  /** `x[region]`: the gradient lands in the region of a zero tensor. */
  SliceBackward0: {
    backward: (s: { shape: Shape; region: Region }, [g]: Grads) => [
      { data: scatterRegion(g!.data, s.shape, s.region), shape: s.shape, dtype: g!.dtype },
    ],
  } satisfies GradRule<{ shape: Shape; region: Region }>,
  /** Zero padding: the gradient is the unpadded region. */
  ConstantPadNdBackward0: {
    backward: (s: { paddedShape: Shape; region: Region; shape: Shape }, [g]: Grads) => [
      { data: readRegion(g!.data, s.paddedShape, s.region), shape: s.shape, dtype: g!.dtype },
    ],
  } satisfies GradRule<{ paddedShape: Shape; region: Region; shape: Shape }>,
  /**
   * `base[region].copy_(src)`: the base's earlier history gets the gradient with the
   * overwritten region zeroed, `src` gets the region (PyTorch's CopySlices around CopyBackwards).
   */
  'torch::autograd::CopySlices': {
    backward: (s: { shape: Shape; region: Region }, [g]: Grads, needs) => [
      needs[0] ? { data: zeroRegion(g!.data, s.shape, s.region), shape: s.shape, dtype: g!.dtype } : null,
      needs[1]
        ? { data: readRegion(g!.data, s.shape, s.region), shape: s.region.map(([a, b]) => b - a), dtype: g!.dtype }
        : null,
    ],
  } satisfies GradRule<{ shape: Shape; region: Region }>,
  /** `x.masked_select(mask)`: gradients scatter back to the selected positions. */
  MaskedSelectBackward0: {
    backward: (s: { self: SavedVariable; shape: Shape; mask: Uint8Array }, [g]: Grads) => {
      s.self.unpack();
      const res = allocLike(g!.data, s.mask.length);
      let k = 0;
      for (let i = 0; i < s.mask.length; i++) if (s.mask[i]) res[i] = g!.data[k++]!;
      return [{ data: res, shape: s.shape, dtype: g!.dtype }];
    },
  } satisfies GradRule<{ self: SavedVariable; shape: Shape; mask: Uint8Array }>,
  /** `x.index_put_((mask,), value)`: overwritten positions get no gradient. */
  IndexPutBackward0: {
    backward: (s: { mask: Uint8Array }, [g]: Grads) => {
      const d = g!.data.slice();
      for (let i = 0; i < d.length; i++) if (s.mask[i]) d[i] = 0;
      return [{ data: d, shape: g!.shape, dtype: g!.dtype }, null];
    },
  } satisfies GradRule<{ mask: Uint8Array }>,
};
