/**
 * What a classifier predicted, shared by the engine (a batch's accuracy,
 * evaluation) and the app (the batch grid's labels): `scores.argmax(dim=1)`.
 */

/** The losses whose input holds one score per class, so `input.argmax(1)` is the prediction. */
export const CLASSIFICATION_LOSSES: readonly string[] = ['CrossEntropyLoss', 'NLLLoss'];

/**
 * `scores.argmax(dim=1)` of `[rows, cols]` values, as torch.argmax gives it:
 * the first maximum wins a tie, and a NaN counts as larger than any number
 * (the first NaN wins).
 */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let v = values[r * cols]!;
    for (let c = 1; c < cols && !Number.isNaN(v); c++) {
      const x = values[r * cols + c]!;
      if (x > v || Number.isNaN(x)) [best, v] = [c, x];
    }
    out[r] = best;
  }
  return out;
}
