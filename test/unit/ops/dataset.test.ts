/**
 * The Dataset node: the committed data equals its sources (images and labels read by
 * test/fixtures/gen/dataset_samples.py from scikit-learn and the Fashion-MNIST files),
 * batches and per-epoch shuffling (Note [Dataset batch order]), the result's
 * `<id>.images` / `<id>.labels`, and the document issues of `sourceHandle` and `name`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetArrays, installDatasets } from '../../../engine/core/datasets';
import { runDocument, validateDocument } from '../../../engine/graph/index';
import { installNodeDatasets } from '../../../engine/host/node/datasets';
import { batchRows, epochOrder } from '../../../engine/ops/dataset/batches';
import { DATASETS } from '../../../engine/protocol/datasets';
import { doc, edge, node, tensor, type Obj } from '../../helpers/docs';
import { REPO_ROOT } from '../../helpers/fixtures';

interface Sample {
  name: string;
  split: string;
  row: number;
  image: number[];
  label: number;
}
const SAMPLES = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'datasets', 'samples.json'), 'utf8'),
) as Sample[];

afterAll(() => installNodeDatasets());

const dataset = (params: Obj = {}) => node('data', 'Dataset', params);
const from = (handle: string | null, target: string, port: string): Obj => ({
  source: 'data',
  ...(handle === null ? {} : { sourceHandle: handle }),
  target,
  targetHandle: port,
});

describe('the bundled data', () => {
  it('holds every image and label of each split (the sizes of engine/protocol/datasets.ts)', () => {
    for (const [name, info] of Object.entries(DATASETS)) {
      for (const split of ['train', 'test'] as const) {
        const d = datasetArrays(name, split);
        expect(d.labels.length).toBe(info.count[split]);
        expect(d.images.length).toBe(info.count[split] * info.image[1] * info.image[2]);
        expect(Math.max(...d.labels)).toBe(9);
      }
    }
  });

  it("offers as Normalize(mean, std) its train split's pixel mean and std (torch.std: n - 1)", () => {
    for (const [name, info] of Object.entries(DATASETS)) {
      const px = Array.from(datasetArrays(name, 'train').images, (v) => v / info.scale);
      const mean = px.reduce((a, v) => a + v, 0) / px.length;
      const std = Math.sqrt(px.reduce((a, v) => a + (v - mean) ** 2, 0) / (px.length - 1));
      if (name === 'digits') {
        expect([info.normalize.mean, info.normalize.std]).toEqual([Number(mean.toFixed(4)), Number(std.toFixed(4))]);
      } else {
        // Fashion-MNIST: the full training set's values, which these 6,000 images are within 0.001 of
        expect(Math.abs(info.normalize.mean - mean)).toBeLessThan(0.001);
        expect(Math.abs(info.normalize.std - std)).toBeLessThan(0.001);
      }
    }
  });

  it.each(SAMPLES.map((s) => [`${s.name} ${s.split} row ${s.row}`, s] as const))('%s equals its source', (_, s) => {
    const d = datasetArrays(s.name, s.split);
    const size = s.image.length;
    expect(Array.from(d.images.subarray(s.row * size, (s.row + 1) * size))).toEqual(s.image);
    expect(d.labels[s.row]).toBe(s.label);
  });

  it('a host without the data raises a RuntimeError naming the dataset', () => {
    installDatasets(null);
    const r = runDocument(doc([dataset()]));
    expect(r.ok && r.result.error).toEqual({
      type: 'RuntimeError',
      message: 'the train split of dataset "digits" is not available in this engine',
      node: 'data',
      phase: 'forward',
      iteration: 0,
    });
    installNodeDatasets();
  });
});

describe('batches (Note [Dataset batch order])', () => {
  const plan = { count: 10, batchSize: 4, shuffle: false, seed: 0 };

  it('without shuffle: file order, the last batch keeps the remainder, then the next epoch starts', () => {
    expect([0, 1, 2, 3].map((k) => Array.from(batchRows(plan, k)))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
      [0, 1, 2, 3],
    ]);
  });

  it('with shuffle: every epoch is a permutation, a new one each epoch, the same for the same seed', () => {
    const e0 = Array.from(epochOrder(1437, true, 0, 0));
    const e1 = Array.from(epochOrder(1437, true, 0, 1));
    const sorted = Array.from({ length: 1437 }, (_, i) => i);
    expect([...e0].sort((a, b) => a - b)).toEqual(sorted);
    expect([...e1].sort((a, b) => a - b)).toEqual(sorted);
    expect(e0).not.toEqual(e1);
    expect(e0).not.toEqual(sorted);
    expect(Array.from(epochOrder(1437, true, 1, 0))).not.toEqual(e0);
    const shuffled = { ...plan, shuffle: true };
    expect([0, 1, 2].flatMap((k) => Array.from(batchRows(shuffled, k)))).toEqual(
      Array.from(epochOrder(10, true, 0, 0)),
    );
  });

  it('a run reports both outputs as <id>.images and <id>.labels, iteration k taking batch k', () => {
    const d = doc([dataset({ split: 'test', batch_size: 5, shuffle: false })], [], { iterations: 2 });
    const r = runDocument(d);
    if (!r.ok) throw new Error('refused');
    const { 'data.images': images, 'data.labels': labels } = r.result.tensors;
    expect(images!.shape).toEqual([5, 1, 8, 8]);
    expect(images!.dtype).toBe('float32');
    expect(labels).toMatchObject({ shape: [5], dtype: 'int64', is_leaf: true, requires_grad: false, grad_fn: null });
    const test0 = SAMPLES.find((s) => s.name === 'digits' && s.split === 'test' && s.row === 0)!;
    // iteration 1 takes rows 5-9: labels from the data, pixels / 16 (hand check against row 5 itself)
    const raw = datasetArrays('digits', 'test');
    expect(labels!.data).toEqual(Array.from(raw.labels.subarray(5, 10)));
    expect(images!.data.slice(0, 64)).toEqual(Array.from(raw.images.subarray(320, 384), (v) => v / 16));
    expect(test0.image.length).toBe(64);
  });
});

describe('document issues', () => {
  const linear = node('fc', 'Linear', { in_features: 64, out_features: 10 });
  const flat = node('flat', 'Flatten');

  it('an edge from a Dataset must name its output', () => {
    const v = validateDocument(doc([dataset(), flat], [from(null, 'flat', 'input')]));
    expect(v.issues).toEqual([
      {
        path: 'edges[0].sourceHandle',
        message: 'Dataset has several outputs: sourceHandle must name one ("images", "labels")',
        node: 'data',
      },
    ]);
  });

  it('an unknown output is refused with the outputs the op has', () => {
    const v = validateDocument(
      doc(
        [dataset(), flat, tensor('x', [2, 64]), linear],
        [from('image', 'flat', 'input'), { ...edge('x', 'fc', 'input'), sourceHandle: 'y' }],
      ),
    );
    expect(v.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'edges[0].sourceHandle: Dataset has no output "image" (outputs: "images", "labels")',
      'edges[1].sourceHandle: Tensor has no output "y" (outputs: "out")',
    ]);
  });

  it('an unknown dataset name or split is a parameter issue', () => {
    const v = validateDocument(doc([dataset({ name: 'mnist', split: 'val', normalize: { mean: 0 } })]));
    expect(v.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'nodes[0].params.name: expected one of "digits", "fashion-mnist"',
      'nodes[0].params.split: expected one of "train", "test"',
      'nodes[0].params.normalize: expected null or {"mean": number, "std": positive number}',
    ]);
  });
});
