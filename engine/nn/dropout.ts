/**
 * F.dropout as PyTorch 1.13 computes it on the CPU (ATen's `_dropout_impl`,
 * the non-fused path): in training, `input * noise` with
 * `noise = bernoulli_(1 - p) / (1 - p)` (MulBackward0); `p == 0`, eval mode
 * or an empty input return the input itself; `p == 1` multiplies by a 0-d zero.
 *
 * Note [Dropout masks]
 * ~~~~~~~~~~~~~~~~~~~~
 * PyTorch's bernoulli_ draws from its global generator, which the engine does
 * not reproduce. The mask comes from the engine's own generator instead
 * (engine/core/random.ts, mulberry32), seeded with the node's `seed`: iteration
 * k of a run uses draws k·n to (k+1)·n − 1 (n = the input's numel), one per
 * element in row-major order, and keeps an element when its draw u satisfies
 * u < 1 − p (bernoulli(1 − p)). So the masks differ per iteration and depend on
 * nothing but (seed, k, n, p): build/torch/runner.py draws the same ones in
 * Python, and the exported script carries them.
 */
import { Random } from '../core/random';
import { TorchError } from '../core/errors';
import { Tensor } from '../tensor/tensor';
import { mul } from '../tensor/ops/elementwise';
import { inPlace } from '../tensor/ops/inplace';
import { save } from '../tensor/record';

/** nn.Dropout's and F.dropout's check of p. */
export function checkDropoutP(p: number): void {
  if (p < 0 || p > 1) {
    throw new TorchError('ValueError', `dropout probability has to be between 0 and 1, but got ${pyFloatText(p)}`);
  }
}

/** Python's str() of a float (`1.5`, `-0.1`, `2.0`). */
function pyFloatText(p: number): string {
  return Number.isInteger(p) ? `${p}.0` : String(p);
}

/** The kept elements (1) of iteration `k`'s mask for `n` elements. See Note [Dropout masks]. */
export function dropoutKeep(seed: number, k: number, n: number, p: number): Uint8Array {
  const r = new Random(seed).skip(k * n);
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) keep[i] = r.next() < 1 - p ? 1 : 0;
  return keep;
}

/** F.dropout(x, p, training, inplace) with the mask of iteration `k` (See Note [Dropout masks]). */
export function dropout(x: Tensor, p: number, training: boolean, inplace: boolean, seed: number, k: number): Tensor {
  checkDropoutP(p);
  if (p === 0 || !training || x.numel === 0) return x;
  const noise = Tensor.zeros(p === 1 ? [] : x.shape, x.dtype);
  if (p !== 1) {
    if (x.dtype === 'int64')
      throw new TorchError('RuntimeError', "result type Float can't be cast to the desired output type Long");
    const keep = dropoutKeep(seed, k, x.numel, p);
    // noise.div_(1 - p): the scalar is cast to the tensor's dtype first.
    const scale = x.dtype === 'float32' ? Math.fround(1 / Math.fround(1 - p)) : 1 / (1 - p);
    const d = noise.storage.data;
    for (let i = 0; i < keep.length; i++) d[i] = keep[i]! * scale;
  }
  if (!inplace) return mul(x, noise);
  const z = noise.contiguousData();
  return inPlace(
    x,
    (v) => v.map((e, i) => e * z[z.length === 1 ? 0 : i]!),
    'MulBackward0',
    () => ({ a: null, b: save(noise) }),
  );
}
