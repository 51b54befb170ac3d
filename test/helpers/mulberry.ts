/**
 * The small seeded generators the kernel tests share: mulberry32 and a few
 * helpers on top of it (uniform integers, arrays in [-1, 1)).
 */

/** mulberry32: a uniform generator on [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [lo, hi], both inclusive. */
export const randInt = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** `len` float64 values in [-1, 1). */
export const randArr = (r: () => number, len: number): Float64Array =>
  Float64Array.from({ length: len }, () => r() * 2 - 1);

/** `n` float32 values in [-1, 1). */
export const randF32 = (r: () => number, n: number): Float32Array =>
  Float32Array.from({ length: n }, () => r() * 2 - 1);
