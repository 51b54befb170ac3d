import { declareOp, INPUT, param } from '../../protocol/op-spec';

const unary = <const O extends string>(op: O, torch: string, doc: string) =>
  declareOp({ op, torch, category: 'math', ports: [INPUT], params: {}, doc });

const binary = <const O extends string>(op: O, sym: string) =>
  declareOp({
    op,
    torch: `a ${sym} b`,
    category: 'math',
    ports: [
      { name: 'a', optional: false, doc: 'left operand' },
      { name: 'b', optional: false, doc: 'right operand (broadcast as PyTorch does)' },
    ],
    params: {},
    doc: `Elementwise a ${sym} b with broadcasting.`,
  });

export const LOG = unary('Log', 'torch.log', 'Natural logarithm.');
export const EXP = unary('Exp', 'torch.exp', 'Exponential.');
export const NEG = unary('Neg', 'torch.neg', '-x.');
export const SIGN = unary('Sign', 'torch.sign', '-1, 0 or 1; its gradient is zero everywhere.');
export const ADD = binary('Add', '+');
export const SUB = binary('Sub', '-');
export const MUL = binary('Mul', '*');
export const DIV = binary('Div', '/');

export const CLAMP = declareOp({
  op: 'Clamp',
  torch: 'torch.clamp',
  category: 'math',
  ports: [INPUT],
  params: { min: param('number|null', null, 'lower bound'), max: param('number|null', null, 'upper bound') },
  doc: 'Limits values to [min, max]; no gradient where clamped.',
});
