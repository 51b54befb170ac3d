import { declareOp, INPUT, param, required } from '../../protocol/op-spec';

export const MAX_POOL2D = declareOp({
  op: 'MaxPool2d',
  torch: 'nn.MaxPool2d',
  category: 'layer',
  ports: [INPUT],
  params: {
    kernel_size: required('int2', 'window size'),
    stride: param('int2|null', null, 'window stride (default: kernel_size)'),
    padding: param('int2nn', 0, 'implicit -inf padding per side'),
    dilation: param('int2', 1, 'spacing between window elements'),
    ceil_mode: param('bool', false, 'use ceil instead of floor for the output size'),
  },
  doc: 'Max over each window; the gradient goes to the first maximum.',
});

export const AVG_POOL2D = declareOp({
  op: 'AvgPool2d',
  torch: 'nn.AvgPool2d',
  category: 'layer',
  ports: [INPUT],
  params: {
    kernel_size: required('int2', 'window size'),
    stride: param('int2|null', null, 'window stride (default: kernel_size)'),
    padding: param('int2nn', 0, 'implicit zero padding per side'),
    ceil_mode: param('bool', false, 'use ceil instead of floor for the output size'),
    count_include_pad: param('bool', true, 'count padding zeros in the divisor'),
    divisor_override: param(
      'integer|null',
      null,
      'use this divisor instead (0 raises when the node runs, as in PyTorch)',
    ),
  },
  doc: 'Mean over each window.',
});

export const ADAPTIVE_AVG_POOL2D = declareOp({
  op: 'AdaptiveAvgPool2d',
  torch: 'nn.AdaptiveAvgPool2d',
  category: 'layer',
  ports: [INPUT],
  params: {
    output_size: required('output_size', 'the output [H, W]; null keeps that input size'),
  },
  doc: 'Mean over windows sized to give output_size whatever the input size.',
});
