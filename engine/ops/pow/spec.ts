import { declareOp, INPUT, required } from '../../protocol/op-spec';

export const POW = declareOp({
  op: 'Pow',
  torch: 'torch.pow',
  category: 'math',
  ports: [INPUT],
  params: { exponent: required('number', 'the power each element is raised to') },
  doc: 'x ** exponent; its gradient is exponent * x ** (exponent - 1) (zero for exponent 0).',
});
