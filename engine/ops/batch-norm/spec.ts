import { declareOp, INPUT, param, required } from '../../protocol/op-spec';

export const BATCH_NORM2D = declareOp({
  op: 'BatchNorm2d',
  torch: 'nn.BatchNorm2d',
  category: 'layer',
  ports: [INPUT],
  params: {
    num_features: required('posint', 'channels C of the [N, C, H, W] input'),
    eps: param('number', 1e-5, 'added to the variance for numerical stability'),
    momentum: param('number|null', 0.1, 'weight of the batch statistics in the running ones; null: cumulative average'),
    affine: param('bool', true, 'owns a learnable weight (ones) and bias (zeros)'),
    track_running_stats: param('bool', true, 'keeps running_mean, running_var and num_batches_tracked'),
    requires_grad: param('bool', true, 'whether the owned parameters require grad'),
    init: param('param_init', {}, 'initial weight and bias (default: PyTorch’s ones and zeros)'),
  },
  doc: 'Normalises each channel with the batch’s statistics in train mode (updating the running ones) and the running statistics in eval mode; owns <id>.weight, <id>.bias and the buffers <id>.running_mean, <id>.running_var, <id>.num_batches_tracked.',
});
