import { numel } from '../../core/shape';
import { normalizeDim } from '../../core/shape';
import { flatten, flattenShape, inferShape, permute, permuteDims, reshape, transpose } from '../../tensor/ops/view';
import { defineOp, derived, port, pyCall, shapeOf } from '../define';
import { FLATTEN, PERMUTE, RESHAPE, TRANSPOSE } from './spec';

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

export const transposeOp = defineOp(TRANSPOSE, {
  infer: (ins, p) => {
    const x = port(ins, 'input');
    const s = [...shapeOf(x)];
    const [a, b] = [normalizeDim(p.dim0, s.length), normalizeDim(p.dim1, s.length)];
    if (s.length > 0) [s[a], s[b]] = [s[b]!, s[a]!]; // a 0-d tensor takes dims -1 and 0 and stays 0-d
    return derived(s, x.dtype ?? 'float32', [x]);
  },
  execute: (_ctx, ins, p) => transpose(port(ins, 'input'), p.dim0, p.dim1),
  python: (_py, x, p) => `${port(x, 'input')}.transpose(${p.dim0}, ${p.dim1})`,
});

export const permuteOp = defineOp(PERMUTE, {
  infer: (ins, p) => {
    const x = port(ins, 'input');
    const s = shapeOf(x);
    return derived(
      permuteDims(s.length, p.dims).map((d) => s[d]!),
      x.dtype ?? 'float32',
      [x],
    );
  },
  execute: (_ctx, ins, p) => permute(port(ins, 'input'), p.dims),
  python: (_py, x, p) => `${port(x, 'input')}.permute(${p.dims.join(', ')})`,
});
