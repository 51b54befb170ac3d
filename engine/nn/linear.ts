import { runtimeError } from '../core/errors';
import { numel } from '../core/shape';
import type { DType } from '../core/dtype';
import type { Tensor } from '../tensor/tensor';
import { add_ } from '../tensor/ops/elementwise';
import { transpose2d, view } from '../tensor/ops/view';
import { matmul } from './matmul';
import { addmm, checkAddmmDtypes, checkMm, checkMmDtypes } from './mm';

const LINEAR_0D = 'both arguments to linear need to be at least 1D, but they are 0D and 2D';

/**
 * `F.linear(input, weight, bias)` with the exact op sequence of PyTorch 1.13, so
 * autograd shows the same functions: addmm for 2-D input with bias, a view
 * around addmm for contiguous 3-D input with bias, torch.matmul (unsqueeze, mm,
 * squeeze_; or reshape, mm, unsafe view; or bmm) then `add_` of the bias in place
 * otherwise. `weight.t()` comes first.
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  if (input.ndim === 0) throw runtimeError(LINEAR_0D);
  const wt = transpose2d(weight);
  if (input.ndim === 2 && bias) return addmm(bias, input, wt);
  if (input.ndim === 3 && bias && input.isContiguous) {
    const [a, b, k] = input.shape as [number, number, number];
    const out = addmm(bias, view(input, [a * b, k]), wt);
    return view(out, [a, b, out.shape[1]!]);
  }
  // `at::matmul(input, weight.t())`: a 3-D input with its last two dims transposed is not
  // folded into one mm but goes through bmm (Note [matmul's op sequence], matmul.ts)
  const out = matmul(input, wt);
  return bias ? add_(out, bias) : out; // `output.add_(bias)`
}

/** The dtypes of F.linear's operands, for {@link linearShape}'s checks (null: no bias). */
export interface LinearDtypes {
  readonly input: DType;
  readonly weight: DType;
  readonly bias: DType | null;
}

/**
 * The output shape of {@link linear} from shapes alone (shape inference): its
 * rank and matrix-product checks, and with `dtypes` its dtype checks (not those
 * of a wired weight that is not 2-D or a bias that does not broadcast).
 */
export function linearShape(xs: readonly number[], ws: readonly number[], dtypes?: LinearDtypes): number[] {
  if (xs.length === 0) throw runtimeError(LINEAR_0D);
  // the addmm path for 3-D input needs it contiguous, which inference assumes
  const viaAddmm = dtypes?.bias != null && (xs.length === 2 || xs.length === 3);
  if (dtypes && viaAddmm) checkAddmmDtypes(dtypes.bias!, dtypes.input, dtypes.weight);
  const k = xs[xs.length - 1]!;
  checkMm([xs.length === 1 ? 1 : numel(xs.slice(0, -1)), k], [ws[1]!, ws[0]!]);
  if (dtypes && !viaAddmm) checkMmDtypes(dtypes.input, dtypes.weight);
  return [...xs.slice(0, -1), ws[0]!];
}
