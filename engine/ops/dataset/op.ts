import { datasetArrays } from '../../core/datasets';
import { DATASETS } from '../../protocol/datasets';
import type { MeanStd } from '../../protocol/op-spec';
import { Tensor } from '../../tensor/tensor';
import { defineOp, type PortMeta } from '../define';
import { batchLength, batchRows, type BatchPlan } from './batches';
import { DATASET } from './spec';

type Info = (typeof DATASETS)[keyof typeof DATASETS];

const planOf = (info: Info, split: 'train' | 'test', batchSize: number, shuffle: boolean, seed: number): BatchPlan => ({
  count: info.count[split],
  batchSize,
  shuffle,
  seed,
});

/**
 * The float32 images of `rows`: each value divided by the dataset's scale
 * (ToTensor), then `(x - mean) / std` (Normalize), each step rounded to float32
 * as PyTorch computes it.
 */
export function batchImages(info: Info, u8: Uint8Array, rows: Int32Array, normalize: MeanStd | null): Float32Array {
  const size = info.image[0] * info.image[1] * info.image[2];
  const out = new Float32Array(rows.length * size);
  const mean = Math.fround(normalize?.mean ?? 0);
  const std = Math.fround(normalize?.std ?? 1);
  rows.forEach((r, b) => {
    for (let i = 0; i < size; i++) {
      const x = Math.fround(u8[r * size + i]! / info.scale);
      out[b * size + i] = normalize ? Math.fround(x - mean) / std : x;
    }
  });
  return out;
}

const meta = (shape: readonly number[], dtype: 'float32' | 'int64'): PortMeta => ({
  shape,
  dtype,
  requiresGrad: false,
  isLeaf: true,
});

/** Batches of a bundled dataset; the host provides the data (engine/core/datasets.ts). */
export const datasetOp = defineOp(DATASET, {
  dataset: (p) => ({
    name: p.name,
    split: p.split,
    batchSize: p.batch_size,
    shuffle: p.shuffle,
    seed: p.seed,
    normalize: p.normalize,
  }),
  // The first batch's shapes (the canvas shows iteration 0; only an epoch's last batch may be smaller).
  inferOutputs: (_ins, p) => {
    const info = DATASETS[p.name];
    const b = batchLength(planOf(info, p.split, p.batch_size, p.shuffle, p.seed), 0);
    return new Map([
      ['images', meta([b, ...info.image], 'float32')],
      ['labels', meta([b], 'int64')],
    ]);
  },
  executeOutputs: (ctx, _ins, p) => {
    const info = DATASETS[p.name];
    const data = datasetArrays(p.name, p.split);
    const rows = batchRows(planOf(info, p.split, p.batch_size, p.shuffle, p.seed), ctx.iteration);
    const images = batchImages(info, data.images, rows, p.normalize);
    const labels = Float64Array.from(rows, (r) => data.labels[r]!);
    return new Map([
      ['images', Tensor.fromData(images, [rows.length, ...info.image], 'float32')],
      ['labels', Tensor.fromData(labels, [rows.length], 'int64')],
    ]);
  },
});

export { planOf as datasetBatchPlan };
