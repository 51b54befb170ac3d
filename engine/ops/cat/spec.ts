import { declareOp, param } from '../../protocol/op-spec';

export const CAT = declareOp({
  op: 'Cat',
  torch: 'torch.cat',
  category: 'shape',
  ports: [
    { name: 'a', optional: false, doc: 'first tensor' },
    { name: 'b', optional: false, doc: 'second tensor' },
    { name: 'c', optional: true, doc: 'third tensor' },
    { name: 'd', optional: true, doc: 'fourth tensor' },
  ],
  params: { dim: param('dim', 0, 'the dim to join along') },
  doc: 'Joins the wired tensors (a, b, then c, d) along dim; the others must match in every other dim.',
});
