import { declareOp, param, required } from '../../protocol/op-spec';

/** Tensor: a leaf made at setup. See Note [An op is one folder] (engine/ops/define.ts). */
export const TENSOR = declareOp({
  op: 'Tensor',
  torch: 'torch.tensor',
  category: 'tensor',
  ports: [],
  params: {
    shape: required('shape', 'the tensor shape'),
    dtype: param('dtype', 'float32', 'float32, or int64 for class targets'),
    requires_grad: param('bool', false, 'does `t.requires_grad = True` at setup'),
    init: param('init', { kind: 'zeros' }, 'initial values'),
  },
  doc: 'A leaf tensor, like a variable defined before a Python loop.',
});
