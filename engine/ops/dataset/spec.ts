import { choice, declareOp, param } from '../../protocol/op-spec';
import { DATASET_NAMES } from '../../protocol/datasets';

/** Dataset: batches of a bundled dataset, the first op with two outputs. See Note [An op is one folder] (engine/ops/define.ts). */
export const DATASET = declareOp({
  op: 'Dataset',
  torch: 'torch.utils.data.DataLoader',
  category: 'tensor',
  ports: [],
  outputs: [
    { name: 'images', doc: 'the batch of images, float32 [B, C, H, W]' },
    { name: 'labels', doc: 'their class labels, int64 [B]' },
  ],
  params: {
    name: choice(DATASET_NAMES, 'digits', 'the bundled dataset: 8x8 digits or 28x28 Fashion-MNIST'),
    split: choice(['train', 'test'], 'train', 'which part of the dataset'),
    batch_size: param('posint', 32, 'images per batch (the last batch of an epoch may be smaller)'),
    shuffle: param('bool', true, 'a new order every epoch (drawn from seed), as DataLoader(shuffle=True)'),
    seed: param('int', 0, 'seeds the order of every epoch'),
    normalize: param('mean_std|null', null, 'Normalize(mean, std) after scaling pixels to [0, 1]; null: none'),
  },
  doc: 'Iteration k takes batch k of the epoch order, like `next(iter(loader))` inside the training loop.',
});
