import { cat, catDtype, catShape } from '../../tensor/ops/cat';
import { defineOp, derived, shapeOf, type Ports } from '../define';
import { CAT } from './spec';

/** The wired inputs in list order: a, b, then c and d when wired. */
const wired = <T>(ins: Ports<T>): T[] => ['a', 'b', 'c', 'd'].flatMap((p) => (ins.has(p) ? [ins.get(p)!] : []));

export const catOp = defineOp(CAT, {
  infer: (ins, p) => {
    const xs = wired(ins);
    const dtype = catDtype(xs.map((x) => x.dtype ?? 'float32'));
    return derived(catShape(xs.map(shapeOf), p.dim).shape, dtype === 'int64' ? 'int64' : 'float32', xs);
  },
  execute: (_ctx, ins, p) => cat(wired(ins), p.dim),
  python: (_py, x, p) => `torch.cat([${wired(x).join(', ')}]${p.dim === 0 ? '' : `, dim=${p.dim}`})`,
});
