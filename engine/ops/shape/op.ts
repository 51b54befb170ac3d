import { numel } from '../../core/shape';
import { flatten, flattenShape, inferShape, reshape } from '../../tensor/ops/view';
import { defineOp, derived, port, pyCall, shapeOf } from '../define';
import { FLATTEN, RESHAPE } from './spec';

export const flattenOp = defineOp(FLATTEN, {
  infer: (ins, p) => {
    const x = port(ins, 'input');
    return derived(flattenShape(shapeOf(x), p.start_dim, p.end_dim), x.dtype ?? 'float32', [x]);
  },
  execute: (_ctx, ins, p) => flatten(port(ins, 'input'), p.start_dim, p.end_dim),
  python: (_py, x, p) =>
    pyCall('torch.flatten', port(x, 'input'), String(p.start_dim), p.end_dim === -1 ? null : String(p.end_dim)),
});

export const reshapeOp = defineOp(RESHAPE, {
  infer: (ins, p) => {
    const x = port(ins, 'input');
    return derived(inferShape(p.shape, numel(shapeOf(x))), x.dtype ?? 'float32', [x]);
  },
  execute: (_ctx, ins, p) => reshape(port(ins, 'input'), p.shape),
  python: (_py, x, p) => `${port(x, 'input')}.reshape(${p.shape.length === 0 ? '()' : p.shape.join(', ')})`,
});
