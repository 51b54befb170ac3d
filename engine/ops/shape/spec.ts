import { declareOp, INPUT, param, required } from '../../protocol/op-spec';

export const FLATTEN = declareOp({
  op: 'Flatten',
  torch: 'nn.Flatten',
  category: 'shape',
  ports: [INPUT],
  params: { start_dim: param('dim', 1, 'first dim to flatten'), end_dim: param('dim', -1, 'last dim to flatten') },
  doc: 'Merges dims start_dim..end_dim into one.',
});

export const RESHAPE = declareOp({
  op: 'Reshape',
  torch: 'Tensor.reshape',
  category: 'shape',
  ports: [INPUT],
  params: { shape: required('reshape', 'the new shape; one entry may be -1') },
  doc: 'Same elements, new shape (a view when possible).',
});
