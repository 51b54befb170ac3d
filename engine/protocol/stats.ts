/**
 * Statistics of a tensor's values as the app shows them, computed once for both
 * sides of the engine boundary: the engine's summaries (engine/host/summaries.ts)
 * and the renderer's view of a run result (renderer/state/engine-state.ts).
 */
import type { Stats } from './messages';

/**
 * Min, max, mean and largest magnitude of the values that are not NaN, and the
 * NaN count (`null`, as a NaN arrives in JSON, counts as NaN). When every value
 * is NaN (or there are none), min, max, mean and absMax are NaN, never ±Infinity.
 */
export function stats(data: ArrayLike<number | null>): Stats {
  let min = Infinity;
  let max = -Infinity;
  let absMax = 0;
  let sum = 0;
  let nan = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === null || v === undefined || v !== v) {
      nan++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    const a = v < 0 ? -v : v;
    if (a > absMax) absMax = a;
    sum += v;
  }
  const n = data.length - nan;
  return n === 0 ? { min: NaN, max: NaN, mean: NaN, absMax: NaN, nan } : { min, max, mean: sum / n, absMax, nan };
}
