import { declareOp, LAYER_PORTS, param, required } from '../../protocol/op-spec';

export const LINEAR = declareOp({
  op: 'Linear',
  torch: 'nn.Linear',
  category: 'layer',
  ports: LAYER_PORTS,
  params: {
    in_features: required('posint', 'size of each input sample'),
    out_features: required('posint', 'size of each output sample'),
    bias: param('bool', true, 'adds a learnable bias'),
    requires_grad: param('bool', true, 'whether the owned parameters require grad'),
    init: param('param_init', {}, 'initial weight and bias (default: PyTorch’s kaiming-uniform init)'),
  },
  doc: 'y = x Wᵀ + b, owning <id>.weight and <id>.bias.',
});
