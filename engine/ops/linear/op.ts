import { linear, linearShape } from '../../nn/linear';
import { defineOp, derived, port, shapeOf } from '../define';
import { LINEAR } from './spec';

export const linearOp = defineOp(LINEAR, {
  layer: (p) => ({
    shapes: { weight: [p.out_features, p.in_features], bias: p.bias ? [p.out_features] : null, fanIn: p.in_features },
    requiresGrad: p.requires_grad,
    init: p.init,
    check: () => {},
    module: () => `nn.Linear(${p.in_features}, ${p.out_features}${p.bias ? '' : ', bias=False'})`,
  }),
  infer: (ins) => {
    const x = port(ins, 'input');
    const w = port(ins, 'weight');
    const b = ins.get('bias');
    const dtypes =
      x.dtype && w.dtype && (!b || b.dtype) ? { input: x.dtype, weight: w.dtype, bias: b?.dtype ?? null } : undefined;
    return derived(linearShape(shapeOf(x), shapeOf(w), dtypes), x.dtype ?? 'float32', b ? [x, w, b] : [x, w]);
  },
  execute: (_ctx, ins) => linear(port(ins, 'input'), port(ins, 'weight'), ins.get('bias') ?? null),
  python: (py, x, p) => {
    const input = port(x, 'input');
    if (!x.has('weight') && !x.has('bias')) return `${py.layer}(${input})`;
    const w = x.get('weight') ?? `${py.layer}.weight`;
    const b = x.get('bias') ?? (p.bias ? `${py.layer}.bias` : null);
    return `F.linear(${input}, ${w}${b ? `, ${b}` : ''})`;
  },
});
