import { relu, relu_ } from '../../tensor/ops/elementwise';
import { defineOp, derived, port, pyCall, shapeOf } from '../define';
import { RELU } from './spec';

export const reluOp = defineOp(RELU, {
  infer: (ins) => {
    const x = port(ins, 'input');
    return derived(shapeOf(x), x.dtype ?? 'float32', [x]);
  },
  execute: (_ctx, ins, p) => (p.inplace ? relu_(port(ins, 'input')) : relu(port(ins, 'input'))),
  python: (_py, x, p) => pyCall('F.relu', port(x, 'input'), p.inplace ? 'inplace=True' : null),
});
