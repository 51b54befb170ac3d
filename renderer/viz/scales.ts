/**
 * Colour scales shared by the tensor views and the canvas: values on a
 * sequential scale normalised per image, gradients on a diverging scale
 * centred on zero (blue negative, red positive).
 */
import { interpolateRdBu, interpolateViridis, scaleDiverging, scaleLog, scaleSequential } from 'd3';

/** A colour for a number. */
export type ColourFn = (v: number) => string;

/** Colour of NaN / infinite values. */
export const NAN_COLOUR = '#ff00ff';

/** Min and max of finite values (0..0 when there are none). */
export function extent(data: ArrayLike<number>, from = 0, to = data.length): [number, number] {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = from; i < to; i++) {
    const v = data[i]!;
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo === Infinity ? [0, 0] : [lo, hi];
}

/** Largest finite |value|. */
export function absMax(data: ArrayLike<number>, from = 0, to = data.length): number {
  const [lo, hi] = extent(data, from, to);
  return Math.max(Math.abs(lo), Math.abs(hi));
}

/** Diverging scale for gradients: -m blue, 0 white, +m red. */
export function divergingColour(m: number): ColourFn {
  const s = scaleDiverging((t: number) => interpolateRdBu(1 - t)).domain([-(m || 1), 0, m || 1]);
  return (v) => (Number.isFinite(v) ? s(v) : NAN_COLOUR);
}

/** Sequential scale for values, normalised to [lo, hi]. */
export function sequentialColour(lo: number, hi: number): ColourFn {
  const s = scaleSequential(interpolateViridis).domain(lo === hi ? [lo - 1, hi + 1] : [lo, hi]);
  return (v) => (Number.isFinite(v) ? s(v) : NAN_COLOUR);
}

/** Width in pixels of an edge that carried a gradient of L2 norm `norm`, on a log scale over `[min, max]`. */
export function gradWidthScale(min: number, max: number): (norm: number) => number {
  const lo = Math.max(min, 1e-12);
  const hi = Math.max(max, lo * 10);
  const s = scaleLog().domain([lo, hi]).range([1.5, 9]).clamp(true);
  return (n) => (n > 0 ? s(n) : 1);
}

/** Formats a number for the screen: short, exact on demand. */
export function fmt(v: number, digits = 4): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(digits - 1) : Number(v.toPrecision(digits)).toString();
}
