import { allocLike } from '../../core/dtype';
import { bmm, matmul } from '../../kernels/matmul';
import type { GradValue } from '../grad-value';
import type { GradRule } from '../node';
import type { SavedVariable } from '../saved';

type Grads = readonly (GradValue | null)[];

/** Saved by DotBackward0: each operand is saved when the other needs its gradient. */
export interface DotSaved {
  readonly self: SavedVariable | null;
  readonly other: SavedVariable | null;
}
/** Saved by MvBackward0 (`self` is `[m, k]`, `vec` is `[k]`). */
export interface MvSaved {
  readonly self: SavedVariable | null;
  readonly vec: SavedVariable | null;
  readonly m: number;
  readonly k: number;
}
/** Saved by BmmBackward0 (`self` is `[batch, m, k]`, `mat2` is `[batch, k, n]`). */
export interface BmmSaved {
  readonly self: SavedVariable | null;
  readonly mat2: SavedVariable | null;
  readonly batch: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

const like = (data: GradValue['data'], shape: readonly number[], g: GradValue): GradValue => ({
  data,
  shape,
  dtype: g.dtype,
});

/** `g * v` for a one-element gradient g. */
function scaled(g: GradValue, v: GradValue['data'], shape: readonly number[]): GradValue {
  const out = allocLike(g.data, v.length);
  const s = g.data[0]!;
  for (let i = 0; i < v.length; i++) out[i] = s * v[i]!;
  return like(out, shape, g);
}

/** Gradient rules of the vector and batched matrix products (mm and addmm are in nn.ts). */
export const linalgRules = {
  /** `dot(self, other)`: grad * other and grad * self. */
  DotBackward0: {
    backward: (s: DotSaved, [g]: Grads, needs) => {
      const other = needs[0] ? s.other!.unpack() : null;
      const self = needs[1] ? s.self!.unpack() : null;
      return [other ? scaled(g!, other.data, other.shape) : null, self ? scaled(g!, self.data, self.shape) : null];
    },
  } satisfies GradRule<DotSaved>,
  /** `mv(self, vec)`: the outer product grad ⊗ vec, and selfᵀ · grad. */
  MvBackward0: {
    backward: (s: MvSaved, [g]: Grads, needs) => [
      needs[0] ? like(matmul(g!.data, s.vec!.unpack().data, s.m, 1, s.k, false, false), [s.m, s.k], g!) : null,
      needs[1] ? like(matmul(s.self!.unpack().data, g!.data, s.k, s.m, 1, true, false), [s.k], g!) : null,
    ],
  } satisfies GradRule<MvSaved>,
  /** `bmm(self, mat2)`: grad · mat2ᵀ and selfᵀ · grad, batch by batch. */
  BmmBackward0: {
    backward: (s: BmmSaved, [g]: Grads, needs) => {
      const { batch, m, k, n } = s;
      const dSelf = needs[0] ? bmm(g!.data, s.mat2!.unpack().data, batch, m, n, k, false, true) : null;
      const dMat2 = needs[1] ? bmm(s.self!.unpack().data, g!.data, batch, k, m, n, true, false) : null;
      return [dSelf ? like(dSelf, [batch, m, k], g!) : null, dMat2 ? like(dMat2, [batch, k, n], g!) : null];
    },
  } satisfies GradRule<BmmSaved>,
};
