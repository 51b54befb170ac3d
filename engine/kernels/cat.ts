import type { FloatArray } from '../core/dtype';
import type { Shape } from '../core/shape';

/** Product of `shape[from..to)`. */
function span(shape: Shape, from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i]!;
  return n;
}

/**
 * Row-major tensors of equal shape but along `dim`, laid one after another
 * along `dim` into `out` (of the concatenated shape `outShape`); values are
 * converted to `out`'s element type.
 */
export function catInto(
  out: FloatArray,
  outShape: Shape,
  parts: readonly { data: FloatArray; shape: Shape }[],
  dim: number,
): void {
  const outer = span(outShape, 0, dim);
  const inner = span(outShape, dim + 1, outShape.length);
  const row = outShape[dim]! * inner;
  let at = 0;
  for (const p of parts) {
    const block = p.shape[dim]! * inner;
    for (let o = 0; o < outer; o++) out.set(p.data.subarray(o * block, (o + 1) * block), o * row + at);
    at += block;
  }
}
