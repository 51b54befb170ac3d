import { TorchError } from '../../core/errors';
import { clone } from '../../tensor/ops/view';
import { defineOp, derived, port, shapeOf, type PortMeta, type Ports } from '../define';
import { CLONE, DETACH, GRAD } from './spec';

/** A leaf that does not require grad, shaped like the input. */
function detached(ins: Ports<PortMeta>, name: string): PortMeta {
  const x = port(ins, name);
  return { shape: shapeOf(x), dtype: x.dtype, requiresGrad: false, isLeaf: true };
}

export const detachOp = defineOp(DETACH, {
  infer: (ins) => detached(ins, 'input'),
  execute: (_ctx, ins) => port(ins, 'input').detach(),
  python: (_py, x) => `${port(x, 'input')}.detach()`,
});

export const cloneOp = defineOp(CLONE, {
  infer: (ins) => {
    const x = port(ins, 'input');
    return derived(shapeOf(x), x.dtype ?? 'float32', [x]);
  },
  execute: (_ctx, ins) => clone(port(ins, 'input'), 'preserve'),
  python: (_py, x) => `${port(x, 'input')}.clone()`,
});

const noGrad = (id: string) =>
  `${id}.grad is None: backward did not give ${id} a gradient (only leaves that require grad, and ` +
  'non-leaves with retain_grad, keep one)';

/** Grad reads `of.grad` after backward: it and everything computed from it runs in the update phase. */
export const gradOp = defineOp(GRAD, {
  readsGrad: true,
  infer: (ins) => detached(ins, 'of'),
  execute: (ctx, ins) => {
    const of = port(ins, 'of');
    if (!of.isLeaf && !of.retainsGrad) {
      ctx.warn(
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be " +
          'populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf ' +
          'Tensor, use .retain_grad() on the non-leaf Tensor.',
      );
    }
    if (of.grad === null) throw new TorchError('RuntimeError', noGrad(ctx.sourceOf('of')));
    return of.grad;
  },
  python: (py, x) => {
    const of = port(x, 'of');
    const id = py.sourceOf('of');
    return {
      lines: [
        `if ${of}.grad is None:`,
        `    raise RuntimeError(`,
        `        ${py.str(`${id}.grad is None: backward did not give ${id} a gradient `)}`,
        `        "(only leaves that require grad, and non-leaves with retain_grad, keep one)")`,
      ],
      expr: `${of}.grad`,
    };
  },
});
