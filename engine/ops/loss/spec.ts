import { choice, declareOp, INPUT, param, type PortSpec } from '../../protocol/op-spec';

const PORTS: readonly PortSpec[] = [
  INPUT,
  { name: 'target', optional: false, doc: 'class indices (int64) or, for CrossEntropyLoss, class probabilities' },
  { name: 'weight', optional: true, doc: 'a manual rescaling weight per class' },
];
const reduction = choice(['mean', 'sum', 'none'], 'mean', 'how to reduce the per-element losses');
const ignoreIndex = param('integer', -100, 'target value that contributes no loss and no gradient');

export const NLL_LOSS = declareOp({
  op: 'NLLLoss',
  torch: 'nn.NLLLoss',
  category: 'loss',
  ports: PORTS,
  params: { reduction, ignore_index: ignoreIndex },
  doc: 'Negative log likelihood of log-probabilities.',
});

export const CROSS_ENTROPY_LOSS = declareOp({
  op: 'CrossEntropyLoss',
  torch: 'nn.CrossEntropyLoss',
  category: 'loss',
  ports: PORTS,
  params: {
    reduction,
    ignore_index: ignoreIndex,
    label_smoothing: param('number', 0, 'amount of smoothing in [0, 1]'),
  },
  doc: 'LogSoftmax followed by NLLLoss, as autograd shows.',
});
