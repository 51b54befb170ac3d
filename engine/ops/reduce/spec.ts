import { declareOp, INPUT, param } from '../../protocol/op-spec';

const reduction = <const O extends string>(op: O, torch: string, doc: string) =>
  declareOp({
    op,
    torch,
    category: 'reduce',
    ports: [INPUT],
    params: {
      dim: param('dims|null', null, 'dims to reduce (null: all)'),
      keepdim: param('bool', false, 'keep reduced dims as size 1'),
    },
    doc,
  });

export const SUM = reduction('Sum', 'Tensor.sum', 'Sum of elements.');
export const MEAN = reduction('Mean', 'Tensor.mean', 'Mean of elements.');
