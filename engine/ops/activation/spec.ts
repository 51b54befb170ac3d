import { choice, declareOp, INPUT, param } from '../../protocol/op-spec';

export const SIGMOID = declareOp({
  op: 'Sigmoid',
  torch: 'nn.Sigmoid',
  category: 'activation',
  ports: [INPUT],
  params: {},
  doc: '1 / (1 + exp(-x)); its gradient y * (1 - y) is at most 0.25, so deep stacks of it shrink gradients.',
});

export const TANH = declareOp({
  op: 'Tanh',
  torch: 'nn.Tanh',
  category: 'activation',
  ports: [INPUT],
  params: {},
  doc: 'tanh(x), between -1 and 1; its gradient 1 - y * y vanishes where it saturates.',
});

export const LEAKY_RELU = declareOp({
  op: 'LeakyReLU',
  torch: 'nn.LeakyReLU',
  category: 'activation',
  ports: [INPUT],
  params: {
    negative_slope: param('number', 0.01, 'multiplies negative inputs (and their gradient)'),
    inplace: param('bool', false, 'overwrite the input (bumps its version counter; grad_fn LeakyReluBackward1)'),
  },
  doc: 'x for x > 0, negative_slope * x otherwise: negative inputs keep a small gradient.',
});

export const GELU = declareOp({
  op: 'GELU',
  torch: 'nn.GELU',
  category: 'activation',
  ports: [INPUT],
  params: {
    approximate: choice(['none', 'tanh'], 'none', "'none': x * Phi(x) with erf; 'tanh': the tanh approximation"),
  },
  doc: 'x * Phi(x), Phi the standard normal CDF: a smooth ReLU.',
});
