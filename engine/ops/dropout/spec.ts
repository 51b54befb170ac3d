import { declareOp, INPUT, param } from '../../protocol/op-spec';

export const DROPOUT = declareOp({
  op: 'Dropout',
  torch: 'nn.Dropout',
  category: 'layer',
  ports: [INPUT],
  params: {
    p: param('number', 0.5, 'probability of an element to be zeroed'),
    inplace: param('bool', false, 'overwrite the input (bumps its version counter)'),
    seed: param('int', 0, "seed of the engine's generator the masks are drawn from (one mask per iteration)"),
  },
  doc: 'In train mode zeroes each element with probability p and scales the rest by 1/(1-p); in eval mode the identity.',
});
