import { pow, powDtype } from '../../tensor/ops/activation';
import { defineOp, derived, port, shapeOf } from '../define';
import { POW } from './spec';

export const powOp = defineOp(POW, {
  infer: (ins, p) => {
    const x = port(ins, 'input');
    return derived(shapeOf(x), powDtype(x.dtype ?? 'float32', p.exponent), [x]);
  },
  execute: (_ctx, ins, p) => pow(port(ins, 'input'), p.exponent),
  python: (py, x, p) => `torch.pow(${port(x, 'input')}, ${py.number(p.exponent)})`,
});
