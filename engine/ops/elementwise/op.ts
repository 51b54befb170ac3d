import { broadcastShapes } from '../../core/shape';
import * as E from '../../tensor/ops/elementwise';
import type { Tensor } from '../../tensor/tensor';
import type { OpDeclaration } from '../../protocol/op-spec';
import { defineOp, derived, port, pyCall, shapeOf } from '../define';
import { ADD, CLAMP, DIV, EXP, LOG, MUL, NEG, SIGN, SUB } from './spec';

type NoParams = OpDeclaration<Record<string, never>>;

const unary = (decl: NoParams, fn: (t: Tensor) => Tensor, python: (x: string) => string) =>
  defineOp(decl, {
    infer: (ins) => {
      const x = port(ins, 'input');
      return derived(shapeOf(x), 'float32', [x]);
    },
    execute: (_ctx, ins) => fn(port(ins, 'input')),
    python: (_py, x) => python(port(x, 'input')),
  });

const binary = (decl: NoParams, fn: (a: Tensor, b: Tensor) => Tensor, sym: string, intStaysInt: boolean) =>
  defineOp(decl, {
    infer: (ins) => {
      const a = port(ins, 'a');
      const b = port(ins, 'b');
      const dtype = intStaysInt && a.dtype === 'int64' && b.dtype === 'int64' ? 'int64' : 'float32';
      return derived(broadcastShapes(shapeOf(a), shapeOf(b)), dtype, [a, b]);
    },
    execute: (_ctx, ins) => fn(port(ins, 'a'), port(ins, 'b')),
    python: (_py, x) => `${port(x, 'a')} ${sym} ${port(x, 'b')}`,
  });

export const logOp = unary(LOG, E.log, (x) => `torch.log(${x})`);
export const expOp = unary(EXP, E.exp, (x) => `torch.exp(${x})`);
export const negOp = unary(NEG, E.neg, (x) => `-${x}`);
export const signOp = unary(SIGN, E.sign, (x) => `torch.sign(${x})`);
export const addOp = binary(ADD, E.add, '+', true);
export const subOp = binary(SUB, E.sub, '-', true);
export const mulOp = binary(MUL, E.mul, '*', true);
export const divOp = binary(DIV, E.div, '/', false);

export const clampOp = defineOp(CLAMP, {
  infer: (ins, p) => {
    const x = port(ins, 'input');
    return derived(shapeOf(x), E.clampDtype(x.dtype ?? 'float32', p.min, p.max), [x]);
  },
  execute: (_ctx, ins, p) => E.clamp(port(ins, 'input'), p.min, p.max),
  python: (py, x, p) => {
    const lo = p.min === null ? null : `min=${py.number(p.min)}`;
    const hi = p.max === null ? null : `max=${py.number(p.max)}`;
    const i = port(x, 'input');
    return lo === null && hi === null ? `torch.clamp(${i}, min=None, max=None)` : pyCall('torch.clamp', i, lo, hi);
  },
});
