import { choice, declareOp, INPUT, type PortSpec } from '../../protocol/op-spec';

const reduction = choice(['mean', 'sum', 'none'], 'mean', 'how to reduce the per-element losses');
const TARGET: PortSpec = { name: 'target', optional: false, doc: 'the values the input should take' };

export const MSE_LOSS = declareOp({
  op: 'MSELoss',
  torch: 'nn.MSELoss',
  category: 'loss',
  ports: [INPUT, TARGET],
  params: { reduction },
  doc: 'Mean squared error (input - target)^2; a target of another shape is broadcast, with a warning.',
});

export const L1_LOSS = declareOp({
  op: 'L1Loss',
  torch: 'nn.L1Loss',
  category: 'loss',
  ports: [INPUT, TARGET],
  params: { reduction },
  doc: 'Mean absolute error |input - target|; autograd shows it as Sub, Abs and Mean.',
});

export const BCE_WITH_LOGITS_LOSS = declareOp({
  op: 'BCEWithLogitsLoss',
  torch: 'nn.BCEWithLogitsLoss',
  category: 'loss',
  ports: [
    { name: 'input', optional: false, doc: 'logits (unnormalized scores)' },
    { name: 'target', optional: false, doc: 'probabilities between 0 and 1, the same shape as input' },
    { name: 'weight', optional: true, doc: "a rescaling weight, broadcast to input's shape" },
    { name: 'pos_weight', optional: true, doc: 'a weight of positive examples per class (last dim)' },
  ],
  params: { reduction },
  doc: 'Sigmoid then binary cross entropy in one numerically stable step.',
});
