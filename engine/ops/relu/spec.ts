import { declareOp, INPUT, param } from '../../protocol/op-spec';

export const RELU = declareOp({
  op: 'ReLU',
  torch: 'nn.ReLU',
  category: 'activation',
  ports: [INPUT],
  params: { inplace: param('bool', false, 'overwrite the input (bumps its version counter)') },
  doc: 'max(x, 0).',
});
