import { mean, reductionDims, sum } from '../../tensor/ops/reduce';
import type { Tensor } from '../../tensor/tensor';
import { defineOp, derived, port, shapeOf } from '../define';
import { MEAN, SUM } from './spec';

type Dims = number | readonly number[] | null;

const reduceOp = (
  decl: typeof SUM | typeof MEAN,
  method: 'sum' | 'mean',
  fn: (t: Tensor, dim: Dims, keepdim: boolean) => Tensor,
) =>
  defineOp(decl, {
    infer: (ins, p) => {
      const x = port(ins, 'input');
      const xs = shapeOf(x);
      let dims = reductionDims(p.dim, xs.length);
      if (dims === null || dims.length === 0) dims = xs.map((_, i) => i);
      const reduced = new Set(dims);
      const shape = p.keepdim ? xs.map((s, i) => (reduced.has(i) ? 1 : s)) : xs.filter((_, i) => !reduced.has(i));
      return derived(shape, method === 'sum' ? (x.dtype ?? 'float32') : 'float32', [x]);
    },
    execute: (_ctx, ins, p) => fn(port(ins, 'input'), p.dim, p.keepdim),
    python: (py, x, p) => {
      const i = port(x, 'input');
      if (p.dim === null && !p.keepdim) return `${i}.${method}()`;
      const dim = p.dim === null ? 'None' : typeof p.dim === 'number' ? String(p.dim) : py.tuple(p.dim);
      return `${i}.${method}(dim=${dim}${p.keepdim ? ', keepdim=True' : ''})`;
    },
  });

export const sumOp = reduceOp(SUM, 'sum', sum);
export const meanOp = reduceOp(MEAN, 'mean', mean);
