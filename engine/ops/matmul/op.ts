import { matmul, matmulShape } from '../../nn/matmul';
import { defineOp, derived, port, pyCall, shapeOf } from '../define';
import { MATMUL } from './spec';

export const matmulOp = defineOp(MATMUL, {
  infer: (ins) => {
    const a = port(ins, 'a');
    const b = port(ins, 'b');
    const dtype = a.dtype ?? 'float32';
    return derived(matmulShape(shapeOf(a), shapeOf(b), dtype, b.dtype ?? 'float32'), dtype, [a, b]);
  },
  execute: (_ctx, ins) => matmul(port(ins, 'a'), port(ins, 'b')),
  python: (_py, x) => pyCall('torch.matmul', port(x, 'a'), port(x, 'b')),
});
