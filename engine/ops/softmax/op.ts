import { normalizeDim } from '../../core/shape';
import { checkSoftmaxDtype, implicitSoftmaxDim, logSoftmax, softmax } from '../../nn/softmax';
import type { Tensor } from '../../tensor/tensor';
import { defineOp, derived, port, pyCall, shapeOf, type OpContext } from '../define';
import { LOG_SOFTMAX, SOFTMAX } from './spec';

/** `dim`, or PyTorch's deprecated implicit choice with its warning. */
function softmaxDim(ctx: OpContext, t: Tensor, dim: number | null, name: string): number {
  if (dim !== null) return dim;
  ctx.warn(
    `Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`,
  );
  return implicitSoftmaxDim(t.ndim);
}

const softmaxOp = (
  decl: typeof SOFTMAX | typeof LOG_SOFTMAX,
  name: 'softmax' | 'log_softmax',
  fn: (t: Tensor, dim: number) => Tensor,
) =>
  defineOp(decl, {
    infer: (ins, p) => {
      const x = port(ins, 'input');
      const ndim = shapeOf(x).length;
      if (p.dim !== null) normalizeDim(p.dim, ndim);
      checkSoftmaxDtype(name, x.dtype ?? 'float32', ndim, p.dim ?? implicitSoftmaxDim(ndim));
      return derived(shapeOf(x), 'float32', [x]);
    },
    execute: (ctx, ins, p) => {
      const x = port(ins, 'input');
      return fn(x, softmaxDim(ctx, x, p.dim, name));
    },
    python: (_py, x, p) => pyCall(`F.${name}`, port(x, 'input'), p.dim === null ? null : `dim=${p.dim}`),
  });

export const logSoftmaxOp = softmaxOp(LOG_SOFTMAX, 'log_softmax', logSoftmax);
export const softmaxOpModule = softmaxOp(SOFTMAX, 'softmax', softmax);
