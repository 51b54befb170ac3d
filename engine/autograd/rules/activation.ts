import { runtimeError } from '../../core/errors';
import {
  geluBackward,
  leakyReluBackward,
  powBackward,
  sigmoidBackward,
  tanhBackward,
  type GeluApproximate,
} from '../../kernels/activation';
import type { FloatArray } from '../../core/dtype';
import type { GradValue } from '../grad-value';
import type { GradRule } from '../node';
import type { SavedVariable } from '../saved';

type Grads = readonly (GradValue | null)[];

/** The gradient `f(g, saved values)`, shaped as g. */
function from(g: GradValue, saved: SavedVariable, f: (g: FloatArray, v: FloatArray) => FloatArray): GradValue[] {
  return [{ data: f(g.data, saved.unpack().data), shape: g.shape, dtype: g.dtype }];
}

/** What the in-place leaky_relu_'s backward says of a negative slope (ATen's `leaky_relu_backward`). */
const NEGATIVE_SLOPE_IN_PLACE =
  'In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. ' +
  'This is caused by calling in-place forward function with a negative slope, please call out-of-place ' +
  'version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting ' +
  'in-place leakRelu backward calculation with negative slope';

/** Gradient rules of the activations (sigmoid, tanh, leaky_relu, gelu) and of pow with a number exponent. */
export const activationRules = {
  SigmoidBackward0: {
    backward: (s: { result: SavedVariable }, [g]: Grads) => from(g!, s.result, sigmoidBackward),
  } satisfies GradRule<{ result: SavedVariable }>,
  TanhBackward0: {
    backward: (s: { result: SavedVariable }, [g]: Grads) => from(g!, s.result, tanhBackward),
  } satisfies GradRule<{ result: SavedVariable }>,
  LeakyReluBackward0: {
    backward: (s: { self: SavedVariable; negativeSlope: number }, [g]: Grads) =>
      from(g!, s.self, (gd, x) => leakyReluBackward(gd, x, s.negativeSlope)),
  } satisfies GradRule<{ self: SavedVariable; negativeSlope: number }>,
  /** The in-place form: the same formula on the saved result (its sign is the input's only for a slope >= 0). */
  LeakyReluBackward1: {
    backward: (s: { result: SavedVariable; negativeSlope: number }, [g]: Grads) => {
      if (s.negativeSlope < 0) throw runtimeError(NEGATIVE_SLOPE_IN_PLACE);
      return from(g!, s.result, (gd, y) => leakyReluBackward(gd, y, s.negativeSlope));
    },
  } satisfies GradRule<{ result: SavedVariable; negativeSlope: number }>,
  GeluBackward0: {
    backward: (s: { self: SavedVariable; approximate: GeluApproximate }, [g]: Grads) =>
      from(g!, s.self, (gd, x) => geluBackward(gd, x, s.approximate)),
  } satisfies GradRule<{ self: SavedVariable; approximate: GeluApproximate }>,
  PowBackward0: {
    backward: (s: { self: SavedVariable; exponent: number }, [g]: Grads) =>
      from(g!, s.self, (gd, x) => powBackward(gd, x, s.exponent)),
  } satisfies GradRule<{ self: SavedVariable; exponent: number }>,
};
