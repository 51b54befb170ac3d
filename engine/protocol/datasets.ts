/**
 * The datasets bundled with the app (data/datasets/<name>/, made by
 * build/scripts/gen-datasets.py): what shape inference, the canvas and the
 * exporter need to know about each without loading its data. The data itself
 * reaches the engine through the host's dataset provider (engine/core/datasets.ts).
 */

import type { MeanStd } from './op-spec';

/** A split of a bundled dataset. */
export type DatasetSplit = 'train' | 'test';

/** One bundled dataset. */
export interface DatasetInfo {
  readonly name: string;
  /** Channels, height, width of one image. */
  readonly image: readonly [number, number, number];
  /** The largest stored value: a pixel becomes `value / scale` (ToTensor's 1/255 for 8-bit images). */
  readonly scale: number;
  /** Images in each split. */
  readonly count: { readonly [S in DatasetSplit]: number };
  /** The class of each label, in label order. */
  readonly classes: readonly string[];
  /** Where it comes from, one line. */
  readonly source: string;
  /**
   * The `Normalize(mean, std)` usually used with it: the mean and std of the
   * train split's pixels in [0, 1] (Fashion-MNIST: the values tutorials use, of
   * its full 60,000 training images).
   */
  readonly normalize: MeanStd;
}

export const DATASETS = {
  digits: {
    name: 'digits',
    image: [1, 8, 8],
    scale: 16,
    count: { train: 1437, test: 360 },
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    source: "UCI optical recognition of handwritten digits as in scikit-learn's load_digits (CC BY 4.0)",
    normalize: { mean: 0.3054, std: 0.3755 },
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    image: [1, 28, 28],
    scale: 255,
    count: { train: 6000, test: 1000 },
    classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    source: 'Fashion-MNIST by Zalando Research, the first 6,000 train and 1,000 test images (MIT)',
    normalize: { mean: 0.286, std: 0.353 },
  },
} as const satisfies Record<string, DatasetInfo>;

/** The name of a bundled dataset. */
export type DatasetName = keyof typeof DATASETS;

/** The dataset names, in the order the inspector lists them. */
export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

/** The file of a split, relative to data/datasets/ (gzip of images [N, C, H, W] then labels, all uint8). */
export function datasetFile(name: DatasetName, split: DatasetSplit): string {
  return `${name}/${split}.u8.gz`;
}
