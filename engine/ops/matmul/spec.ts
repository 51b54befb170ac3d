import { declareOp } from '../../protocol/op-spec';

export const MATMUL = declareOp({
  op: 'MatMul',
  torch: 'torch.matmul',
  category: 'math',
  ports: [
    { name: 'a', optional: false, doc: 'left operand (1-D or more)' },
    { name: 'b', optional: false, doc: 'right operand (1-D or more; batch dims broadcast)' },
  ],
  params: {},
  doc: 'Matrix product a @ b: dot, mv, mm or a batched bmm by the ranks, as torch.matmul.',
});
