import { scalarTypeName } from '../../core/dtype';
import { runtimeError } from '../../core/errors';
import { expandTo } from '../../kernels/elementwise';
import type { Reduction } from '../../kernels/nll';
import {
  bceWithLogitsBackwardInput,
  bceWithLogitsBackwardTarget,
  mseBackward,
  type BceGradArgs,
} from '../../kernels/pointwise-loss';
import type { GradValue } from '../grad-value';
import type { GradRule } from '../node';
import type { SavedValue, SavedVariable } from '../saved';

/** Saved by MseLossBackward0 (input and target already broadcast to one shape). */
export interface MseSaved {
  readonly self: SavedVariable;
  readonly target: SavedVariable;
  readonly reduction: Reduction;
}
/** Saved by BinaryCrossEntropyWithLogitsBackward0, in the order of PyTorch's struct. */
export interface BceWithLogitsSaved {
  readonly self: SavedVariable;
  readonly target: SavedVariable;
  readonly weight: SavedVariable | null;
  readonly posWeight: SavedVariable | null;
  readonly reduction: Reduction;
}

const like = (data: GradValue['data'], v: SavedValue, g: GradValue): GradValue => ({
  data,
  shape: v.shape,
  dtype: g.dtype,
});
/**
 * `mse_loss_backward(grad, a, b)` runs one TensorIterator over a gradient like `a`,
 * `a` and `b`, which must share a dtype: an int64 target the forward promoted is
 * refused here, in backward.
 */
function mseGrad(g: GradValue, a: SavedValue, b: SavedValue, norm: number): GradValue {
  if (b.dtype !== a.dtype)
    throw runtimeError(`Found dtype ${scalarTypeName(b.dtype)} but expected ${scalarTypeName(a.dtype)}`);
  return like(mseBackward(g.data, a.data, b.data, norm), a, g);
}

const spread = (v: SavedValue | undefined, x: SavedValue) => (v ? expandTo(v.data, v.shape, x.shape) : null);

/** Gradient rules of the pointwise losses (engine/nn/pointwise-loss.ts). */
export const lossRules = {
  /** `mse_loss_backward(grad, self, target)` for self, the same with self and target swapped for target. */
  MseLossBackward0: {
    backward: (s: MseSaved, [g]: readonly (GradValue | null)[], needs) => {
      const x = s.self.unpack();
      const t = s.target.unpack();
      const norm = s.reduction === 'mean' ? 2 / x.data.length : 2;
      return [needs[0] ? mseGrad(g!, x, t, norm) : null, needs[1] ? mseGrad(g!, t, x, norm) : null];
    },
  } satisfies GradRule<MseSaved>,
  BinaryCrossEntropyWithLogitsBackward0: {
    backward: (s: BceWithLogitsSaved, [g]: readonly (GradValue | null)[], needs) => {
      const x = s.self.unpack();
      const t = s.target.unpack();
      const w = s.weight?.unpack();
      const pw = s.posWeight?.unpack();
      const args: BceGradArgs = {
        g: g!.data,
        x: x.data,
        t: t.data,
        pw: spread(pw, x),
        w: spread(w, x),
        divisor: s.reduction === 'mean' ? x.data.length : 1,
      };
      return [
        needs[0] ? like(bceWithLogitsBackwardInput(args), x, g!) : null,
        needs[1] ? like(bceWithLogitsBackwardTarget(args), t, g!) : null,
      ];
    },
  } satisfies GradRule<BceWithLogitsSaved>,
};
