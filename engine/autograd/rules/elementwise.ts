import { allocLike } from '../../core/dtype';
import type { Shape } from '../../core/shape';
import {
  binaryBroadcast,
  binaryOp,
  divScalarArray,
  expandTo,
  negArray,
  reluBackward,
  scalarOp,
  type BinaryOp,
} from '../../kernels/elementwise';
import type { GradValue } from '../grad-value';
import type { GradRule } from '../node';
import type { SavedVariable } from '../saved';

type Grads = readonly (GradValue | null)[];
const gv = (data: GradValue['data'], shape: Shape, like: GradValue): GradValue => ({ data, shape, dtype: like.dtype });

/** Saved state of a binary op on tensors `a` and `b` (null when not needed). */
export interface BinarySaved {
  readonly a: SavedVariable | null;
  readonly b: SavedVariable | null;
}

function times(g: GradValue, x: SavedVariable, f: (gx: number, v: number) => number): GradValue {
  const v = x.unpack();
  return gv(binaryBroadcast(g.data, g.shape, v.data, v.shape, g.shape, f, g.data), g.shape, g);
}

/** `g op x` broadcast to g's shape, e.g. `g * b` (the fast kernels take large float32 ones). */
function arith(g: GradValue, op: BinaryOp, x: SavedVariable): GradValue {
  const v = x.unpack();
  return gv(binaryOp(op, g.data, g.shape, v.data, v.shape, g.shape, g.data), g.shape, g);
}

/** Gradient rules of the elementwise ops. Broadcast gradients are summed down by the engine. */
export const elementwiseRules = {
  AddBackward0: {
    backward: (_s: null, [g]: Grads) => [g!, g!],
  } satisfies GradRule<null>,
  SubBackward0: {
    backward: (_s: null, [g]: Grads, needs) => [g!, needs[1] ? gv(negArray(g!.data), g!.shape, g!) : null],
  } satisfies GradRule<null>,
  MulBackward0: {
    backward: (s: BinarySaved, [g]: Grads, needs) => [
      needs[0] ? arith(g!, 'mul', s.b!) : null,
      needs[1] ? arith(g!, 'mul', s.a!) : null,
    ],
  } satisfies GradRule<BinarySaved>,
  DivBackward0: {
    backward: (s: BinarySaved, [g]: Grads, needs) => {
      const b = s.b!.unpack();
      const ga = needs[0] ? arith(g!, 'div', s.b!) : null;
      let gb: GradValue | null = null;
      if (needs[1]) {
        const a = s.a!.unpack();
        const outShape = g!.shape;
        const ab = binaryBroadcast(a.data, a.shape, b.data, b.shape, outShape, (x, y) => x / (y * y), g!.data);
        gb = gv(
          binaryBroadcast(g!.data, outShape, ab, outShape, outShape, (x, y) => -x * y),
          outShape,
          g!,
        );
      }
      return [ga, gb];
    },
  } satisfies GradRule<BinarySaved>,
  /** `t + scalar`. */
  AddBackward1: {
    backward: (_s: null, [g]: Grads) => [g!],
  } satisfies GradRule<null>,
  /** `t * scalar`. */
  MulBackward1: {
    backward: (s: { scalar: number }, [g]: Grads) => [gv(scalarOp('mul', g!.data, s.scalar), g!.shape, g!)],
  } satisfies GradRule<{ scalar: number }>,
  /** `t / scalar`. */
  DivBackward1: {
    backward: (s: { scalar: number }, [g]: Grads) => [gv(scalarOp('div', g!.data, s.scalar), g!.shape, g!)],
  } satisfies GradRule<{ scalar: number }>,
  NegBackward0: {
    backward: (_s: null, [g]: Grads) => [gv(negArray(g!.data), g!.shape, g!)],
  } satisfies GradRule<null>,
  ExpBackward0: {
    backward: (s: { result: SavedVariable }, [g]: Grads) => [arith(g!, 'mul', s.result)],
  } satisfies GradRule<{ result: SavedVariable }>,
  LogBackward0: {
    backward: (s: { self: SavedVariable }, [g]: Grads) => [arith(g!, 'div', s.self)],
  } satisfies GradRule<{ self: SavedVariable }>,
  SignBackward0: {
    backward: (_s: null, [g]: Grads) => [gv(allocLike(g!.data, g!.data.length), g!.shape, g!)],
  } satisfies GradRule<null>,
  AbsBackward0: {
    backward: (s: { self: SavedVariable }, [g]: Grads) => [
      times(g!, s.self, (x, v) => x * (v > 0 ? 1 : v < 0 ? -1 : 0)),
    ],
  } satisfies GradRule<{ self: SavedVariable }>,
  ReluBackward0: {
    backward: (s: { result: SavedVariable }, [g]: Grads) => [
      gv(reluBackward(g!.data, s.result.unpack().data), g!.shape, g!),
    ],
  } satisfies GradRule<{ result: SavedVariable }>,
  ClampBackward1: {
    backward: (s: { self: SavedVariable; min: number | null; max: number | null }, [g]: Grads) => {
      const lo = s.min ?? -Infinity;
      const hi = s.max ?? Infinity;
      return [times(g!, s.self, (x, v) => (v >= lo && v <= hi ? x : 0))];
    },
  } satisfies GradRule<{ self: SavedVariable; min: number | null; max: number | null }>,
  SumBackward0: {
    backward: (s: { shape: Shape }, [g]: Grads) => [gv(expandTo(g!.data, [], s.shape), s.shape, g!)],
  } satisfies GradRule<{ shape: Shape }>,
  SumBackward1: {
    backward: (s: { shape: Shape; keptShape: Shape }, [g]: Grads) => [
      gv(expandTo(g!.data, s.keptShape, s.shape), s.shape, g!),
    ],
  } satisfies GradRule<{ shape: Shape; keptShape: Shape }>,
  MeanBackward0: {
    backward: (s: { shape: Shape; count: number }, [g]: Grads) => [
      gv(divScalarArray(expandTo(g!.data, [], s.shape), s.count), s.shape, g!),
    ],
  } satisfies GradRule<{ shape: Shape; count: number }>,
  /** Saves `self` only to check its version (see reduce.ts). */
  MeanBackward1: {
    backward: (s: { self: SavedVariable; shape: Shape; keptShape: Shape; count: number }, [g]: Grads) => [
      gv(divScalarArray(expandTo(g!.data, s.keptShape, s.shape), s.count), s.shape, g!),
    ],
  } satisfies GradRule<{ self: SavedVariable; shape: Shape; keptShape: Shape; count: number }>,
};
