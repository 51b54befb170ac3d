import { choice, declareOp, LAYER_PORTS, param, required } from '../../protocol/op-spec';

export const CONV2D = declareOp({
  op: 'Conv2d',
  torch: 'nn.Conv2d',
  category: 'layer',
  ports: LAYER_PORTS,
  params: {
    in_channels: required('posint', 'channels of the input'),
    out_channels: required('posint', 'channels produced'),
    kernel_size: required('int2', 'size of the kernel'),
    stride: param('int2', 1, 'stride of the convolution'),
    padding: param('conv_padding', 0, "zero padding per side, or 'same' / 'valid'"),
    dilation: param('int2', 1, 'spacing between kernel elements'),
    groups: param('posint', 1, 'blocked connections from input to output channels'),
    bias: param('bool', true, 'adds a learnable bias'),
    padding_mode: choice(['zeros', 'reflect', 'replicate', 'circular'], 'zeros', 'how the border is padded'),
    requires_grad: param('bool', true, 'whether the owned parameters require grad'),
    init: param('param_init', {}, 'initial weight and bias (default: PyTorch’s kaiming-uniform init)'),
  },
  doc: 'A 2-D convolution that owns <id>.weight and <id>.bias.',
});
