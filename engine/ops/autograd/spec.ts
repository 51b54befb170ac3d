import { declareOp, INPUT } from '../../protocol/op-spec';

export const DETACH = declareOp({
  op: 'Detach',
  torch: 'Tensor.detach',
  category: 'autograd',
  ports: [INPUT],
  params: {},
  doc: 'Shares storage with its input; a leaf that does not require grad.',
});

export const CLONE = declareOp({
  op: 'Clone',
  torch: 'Tensor.clone',
  category: 'autograd',
  ports: [INPUT],
  params: {},
  doc: 'Copies into new storage; stays in the graph.',
});

export const GRAD = declareOp({
  op: 'Grad',
  torch: 'Tensor.grad',
  category: 'autograd',
  ports: [{ name: 'of', optional: false, doc: 'the tensor whose .grad to read after backward' }],
  params: {},
  doc: 'Reads of.grad after backward (update phase).',
});
