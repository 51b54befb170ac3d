import { declareOp, INPUT, param } from '../../protocol/op-spec';

const softmaxDecl = <const O extends string>(op: O, torch: string, doc: string) =>
  declareOp({
    op,
    torch,
    category: 'activation',
    ports: [INPUT],
    params: { dim: param('dim|null', null, 'dimension to normalise over') },
    doc,
  });

export const LOG_SOFTMAX = softmaxDecl('LogSoftmax', 'nn.LogSoftmax', 'log(softmax(x)), computed stably.');
export const SOFTMAX = softmaxDecl('Softmax', 'nn.Softmax', 'exp(x) / sum(exp(x)) along dim.');
