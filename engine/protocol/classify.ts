/**
 * What a classifier predicted, shared by the engine (a batch's accuracy,
 * evaluation) and the app (the batch grid's labels, what the chart says of a
 * loss): `scores.argmax(dim=1)`, or `logits > 0` for binary classification.
 */

/** The losses whose input holds one score per class, so `input.argmax(1)` is the prediction. */
export const CLASSIFICATION_LOSSES: readonly string[] = ['CrossEntropyLoss', 'NLLLoss'];

/**
 * The losses of binary classification: the input holds one logit per example,
 * the prediction is `logits > 0` (`sigmoid(logits) > 0.5`) and the class the
 * target's `target > 0.5`.
 */
export const BINARY_LOSSES: readonly string[] = ['BCEWithLogitsLoss'];

/** The losses of regression (a value to match, not a class): their runs have no accuracy. */
export const REGRESSION_LOSSES: readonly string[] = ['MSELoss', 'L1Loss'];

/** `((logits > 0) == (targets > 0.5)).float().mean()` of two arrays of one length (null when empty). */
export function binaryAccuracy(logits: ArrayLike<number>, targets: ArrayLike<number>): number | null {
  if (logits.length === 0) return null;
  let right = 0;
  for (let i = 0; i < logits.length; i++) right += logits[i]! > 0 === targets[i]! > 0.5 ? 1 : 0;
  return right / logits.length;
}

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
