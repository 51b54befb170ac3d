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

export const TRANSPOSE = declareOp({
  op: 'Transpose',
  torch: 'Tensor.transpose',
  category: 'shape',
  ports: [INPUT],
  params: { dim0: required('dim', 'the first dim to swap'), dim1: required('dim', 'the second dim to swap') },
  doc: 'Swaps two dims: a view sharing the input storage (no copy).',
});

export const PERMUTE = declareOp({
  op: 'Permute',
  torch: 'Tensor.permute',
  category: 'shape',
  ports: [INPUT],
  params: { dims: required('dims', 'the new order of the dims, e.g. [0, 2, 3, 1]') },
  doc: 'Reorders the dims: a view sharing the input storage (no copy).',
});
