/**
 * Shape inference raises what execution raises (issue 12, item 1): each op infers with
 * the checks its execution runs, on shapes alone, so the problem the canvas shows before a
 * run is, word for word, the error the run ends with. One faulty graph per check.
 */
import { describe, expect, it } from 'vitest';
import { load, runDocument } from '../../../engine/graph/index';
import { doc, edge, node, tensor, type Obj } from '../../helpers/docs';

/** x (of `shape`) -> `op`; the op's node is `n`. */
const one = (shape: number[], op: string, params: Obj): Obj =>
  doc([tensor('x', shape), node('n', op, params)], [edge('x', 'n', 'input')]);

const CASES: [string, Obj, RegExp][] = [
  ['conv2d channels', one([1, 2, 5, 5], 'Conv2d', { in_channels: 3, out_channels: 1, kernel_size: 3 }), /channels/],
  [
    'conv2d kernel too large',
    one([1, 1, 2, 2], 'Conv2d', { in_channels: 1, out_channels: 1, kernel_size: 3 }),
    /Kernel size can't be greater than actual input size/,
  ],
  [
    'conv2d 2-D input',
    one([4, 4], 'Conv2d', { in_channels: 1, out_channels: 1, kernel_size: 3 }),
    /Expected 3D \(unbatched\) or 4D/,
  ],
  [
    'conv2d circular on 3-D input',
    one([1, 5, 5], 'Conv2d', { in_channels: 1, out_channels: 1, kernel_size: 3, padding: 1, padding_mode: 'circular' }),
    /Invalid padding size/,
  ],
  [
    'conv2d groups',
    one([1, 3, 5, 5], 'Conv2d', { in_channels: 3, out_channels: 2, kernel_size: 1, groups: 2 }),
    /in_channels must be divisible by groups/,
  ],
  ['max_pool2d output too small', one([1, 1, 2, 2], 'MaxPool2d', { kernel_size: 3 }), /Output size is too small/],
  [
    'avg_pool2d padding',
    one([1, 1, 6, 6], 'AvgPool2d', { kernel_size: 2, padding: 2 }),
    /pad should be at most half of kernel size/,
  ],
  ['max_pool2d 2-D input', one([4, 4], 'MaxPool2d', { kernel_size: 2 }), /non-empty 3D or 4D/],
  [
    'linear features',
    one([2, 3], 'Linear', { in_features: 4, out_features: 2 }),
    /mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x2\)/,
  ],
  ['linear 0-D input', one([], 'Linear', { in_features: 1, out_features: 2 }), /at least 1D/],
  ['flatten dims', one([2, 3, 4], 'Flatten', { start_dim: 2, end_dim: 1 }), /start_dim cannot come after end_dim/],
  ['reshape size', one([2, 3], 'Reshape', { shape: [4] }), /is invalid for input of size 6/],
  ['softmax dim', one([2, 3], 'Softmax', { dim: 2 }), /Dimension out of range/],
  [
    'batch_norm running_mean',
    one([2, 4, 3, 3], 'BatchNorm2d', { num_features: 3 }),
    /^running_mean should contain 4 elements not 3$/,
  ],
  [
    'batch_norm weight without running stats',
    one([2, 3, 2, 2], 'BatchNorm2d', { num_features: 4, track_running_stats: false }),
    /^weight should contain 3 elements not 4$/,
  ],
  [
    'batch_norm int64 input',
    doc(
      [tensor('x', [2, 3, 2, 2], { dtype: 'int64' }), node('n', 'BatchNorm2d', { num_features: 3 })],
      [edge('x', 'n', 'input')],
    ),
    /^"batch_norm" not implemented for 'Long'$/,
  ],
  ['batch_norm 3-D input', one([2, 3, 4], 'BatchNorm2d', { num_features: 3 }), /^expected 4D input \(got 3D input\)$/],
  [
    'batch_norm one value per channel (train mode)',
    one([1, 3, 1, 1], 'BatchNorm2d', { num_features: 3 }),
    /^Expected more than 1 value per channel when training, got input size torch\.Size\(\[1, 3, 1, 1\]\)$/,
  ],
];

describe('an inferred problem is the run’s error', () => {
  for (const [name, d, pattern] of CASES) {
    it(name, () => {
      const l = load(d);
      if (!l.ok) throw new Error(JSON.stringify(l.issues));
      const problem = l.shapes.problems.get('n');
      const r = runDocument(d);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      expect(problem).toMatch(pattern);
      expect(r.result.error?.message).toBe(problem);
    });
  }
});

describe('BatchNorm2d infers in run.mode', () => {
  it('one value per channel is fine in eval mode with running statistics (no batch statistics)', () => {
    const d = { ...one([1, 3, 1, 1], 'BatchNorm2d', { num_features: 3 }), run: { mode: 'eval' } };
    const l = load(d);
    if (!l.ok) throw new Error(JSON.stringify(l.issues));
    expect(l.shapes.problems.get('n')).toBeUndefined();
    const r = runDocument(d);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.result.error).toBeNull();
    expect(r.result.tensors.n!.shape).toEqual([1, 3, 1, 1]);
  });
});
