/**
 * The comparison strip's arithmetic: which pinned tensors are compared, their
 * difference and its largest magnitude. Pure functions (tested without a browser).
 */
import type { Pin } from '../state/store';

/** A pin's label as PyTorch code spells it: `x1` or `x1.grad`. */
export const pinLabel = (p: Pin): string => (p.which === 'grad' ? `${p.tensor}.grad` : p.tensor);

/** Same tensor and buffer. */
export const samePin = (a: Pin, b: Pin): boolean => a.tensor === b.tensor && a.which === b.which;

/**
 * For each pin, the index of the pin it is compared with: the first earlier pin
 * of the same kind (value or grad) and shape, or -1. So `x1.grad, x2.grad, ce, nll`
 * compares x2.grad with x1.grad and nll with ce.
 */
export function comparedWith(pins: readonly Pin[], shapes: readonly (readonly number[] | null)[]): number[] {
  return pins.map((p, i) => {
    const shape = shapes[i];
    if (!shape) return -1;
    return pins.findIndex((q, j) => j < i && q.which === p.which && sameShape(shapes[j], shape));
  });
}

function sameShape(a: readonly number[] | null | undefined, b: readonly number[]): boolean {
  return !!a && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** a − b, element by element (float64, so the difference itself adds no rounding). */
export function difference(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! - b[i]!;
  return out;
}

/** max |d| (NaN if any element is NaN: a NaN is never "equal"). */
export function maxAbs(d: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) {
    const v = Math.abs(d[i]!);
    if (Number.isNaN(v)) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/** Adds a pin (once); returns the new list. */
export function withPin(pins: readonly Pin[], p: Pin): Pin[] {
  return pins.some((q) => samePin(p, q)) ? [...pins] : [...pins, p];
}

/** The pins a document asks for under its top-level `"compare"` key (the bundled examples use it). */
export function documentPins(extra: Readonly<Record<string, unknown>>): Pin[] {
  const c = extra.compare as { pins?: unknown } | undefined;
  if (!c || !Array.isArray(c.pins)) return [];
  return c.pins.flatMap((p: unknown) => {
    const q = p as { tensor?: unknown; which?: unknown };
    if (typeof q?.tensor !== 'string') return [];
    return [{ tensor: q.tensor, which: q.which === 'grad' ? ('grad' as const) : ('value' as const) }];
  });
}
