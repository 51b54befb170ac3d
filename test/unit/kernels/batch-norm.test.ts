/**
 * BatchNorm2d's float32 numbers are PyTorch 1.13's bit for bit (Note [Batch norm
 * roundings], engine/kernels/batch-norm.ts), stricter than the parity tolerance:
 * in the fixtures whose only other ops are element-wise, the batch norm's output,
 * its weight's and bias's gradients, its buffers and the input's gradient equal
 * the expected values exactly, in train and eval mode, with 25 values per image
 * (three vectors of 8 lanes and a partial one) and with 6 (fewer than the lanes).
 */
import { describe, expect, it } from 'vitest';
import { runDocument } from '../../../engine/graph/index';
import { LOCAL_PARITY_DIR, readJson } from '../../helpers/fixtures';

interface T {
  data: number[];
  grad: { data: number[] } | null;
}

const CASES = [
  'batchnorm_train',
  'batchnorm_train_small_images',
  'batchnorm_eval',
  'batchnorm_affine_false',
  'batchnorm_no_running_stats_eval',
  'batchnorm_eps_momentum',
  'batchnorm_backward_order',
];

describe('batch norm kernels: bit for bit', () => {
  for (const name of CASES) {
    it(name, () => {
      const expected = readJson(`${LOCAL_PARITY_DIR}/${name}.expected.json`) as { tensors: Record<string, T> };
      const r = runDocument(readJson(`${LOCAL_PARITY_DIR}/${name}.graph.json`));
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      const got = r.result.tensors as Record<string, T>;
      const names = Object.keys(expected.tensors).filter((k) => k === 'x' || k.startsWith('bn'));
      expect(names.length).toBeGreaterThan(2);
      for (const k of names) {
        expect(got[k]!.data, k).toEqual(expected.tensors[k]!.data);
        expect(got[k]!.grad?.data ?? null, `${k}.grad`).toEqual(expected.tensors[k]!.grad?.data ?? null);
      }
    });
  }
});
