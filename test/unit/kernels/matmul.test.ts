import { describe, it, expect } from 'vitest';
import { matmul, addmm } from '../../../engine/kernels/matmul';
import type { FloatArray } from '../../../engine/core/dtype';
import { mulberry32, randInt, randArr } from '../../helpers/mulberry';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Row-major transpose of a [rows, cols] matrix. */
function transpose(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
  return t;
}

/** Naive reference on logical (untransposed) A [m,k], B [k,n]. */
function refMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
  return c;
}

function expectClose(actual: FloatArray, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(err <= worst)) worst = err;
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Stores logical A/B in the layout the flags ask for. */
function store(a: Float64Array, b: Float64Array, m: number, k: number, n: number, tA: boolean, tB: boolean) {
  return { sa: tA ? transpose(a, m, k) : a, sb: tB ? transpose(b, k, n) : b };
}

describe('matmul hand-computed cases', () => {
  // [[1,2],[3,4]] · [[5,6],[7,8]] = [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]] = [[19,22],[43,50]]
  const a = Float64Array.from([1, 2, 3, 4]);
  const b = Float64Array.from([5, 6, 7, 8]);
  it('2x2 with every transpose combination', () => {
    expect(Array.from(matmul(a, b, 2, 2, 2, false, false))).toEqual([19, 22, 43, 50]);
    // aᵀ = [[1,3],[2,4]]: aᵀ·b = [[5+21, 6+24], [10+28, 12+32]] = [[26,30],[38,44]]
    expect(Array.from(matmul(a, b, 2, 2, 2, true, false))).toEqual([26, 30, 38, 44]);
    // bᵀ = [[5,7],[6,8]]: a·bᵀ = [[5+12, 7+16], [15+24, 21+32]] = [[17,23],[39,53]]
    expect(Array.from(matmul(a, b, 2, 2, 2, false, true))).toEqual([17, 23, 39, 53]);
    // aᵀ·bᵀ = (b·a)ᵀ; b·a = [[5+18, 10+24], [7+24, 14+32]] = [[23,34],[31,46]]
    expect(Array.from(matmul(a, b, 2, 2, 2, true, true))).toEqual([23, 31, 34, 46]);
  });
  it('addmm adds the bias to every row', () => {
    // [1,2,3] · [[1],[1],[1]] ... as [1,3]·[3,2] with B = [[1,0],[0,1],[1,1]]: [1+3, 2+3] = [4,5]; + [10,20]
    const out = addmm(
      Float64Array.of(10, 20),
      Float64Array.of(1, 2, 3),
      Float64Array.of(1, 0, 0, 1, 1, 1),
      1,
      3,
      2,
      false,
      false,
    );
    expect(Array.from(out)).toEqual([14, 25]);
  });
  it('degenerate sizes', () => {
    expect(matmul(new Float32Array(0), new Float32Array(6), 2, 0, 3, false, false)).toEqual(new Float32Array(6));
    expect(
      Array.from(addmm(Float64Array.of(1, 2), new Float64Array(0), new Float64Array(0), 2, 0, 2, false, false)),
    ).toEqual([1, 2, 1, 2]);
    expect(matmul(new Float64Array(0), new Float64Array(0), 0, 3, 0, false, false).length).toBe(0);
  });
});

describe('matmul vs naive reference (random shapes)', () => {
  it('float64 and float32, all transpose flags', () => {
    const r = mulberry32(42);
    for (let t = 0; t < 200; t++) {
      const m = randInt(r, 1, 9),
        k = randInt(r, 1, 11),
        n = randInt(r, 1, 9);
      const tA = r() < 0.5,
        tB = r() < 0.5;
      const a = randArr(r, m * k),
        b = randArr(r, k * n),
        bias = randArr(r, n);
      const { sa, sb } = store(a, b, m, k, n, tA, tB);
      const ref = refMatmul(a, b, m, k, n);
      const c = matmul(sa, sb, m, k, n, tA, tB);
      expect(c).toBeInstanceOf(Float64Array);
      expectClose(c, ref, 1e-14);
      const refB = ref.map((v, i) => v + bias[i % n]);
      expectClose(addmm(bias, sa, sb, m, k, n, tA, tB), refB, 1e-14);

      const c32 = matmul(Float32Array.from(sa), Float32Array.from(sb), m, k, n, tA, tB);
      expect(c32).toBeInstanceOf(Float32Array);
      const ref32 = refMatmul(Float32Array.from(a), Float32Array.from(b), m, k, n);
      expectClose(c32, ref32, 1e-6);
      const d32 = addmm(Float32Array.from(bias), Float32Array.from(sa), Float32Array.from(sb), m, k, n, tA, tB);
      expect(d32).toBeInstanceOf(Float32Array);
      expectClose(
        d32,
        ref32.map((v, i) => v + Math.fround(bias[i % n])),
        1e-6,
      );
    }
  });

  it('large shapes exercise the blocking (k > 64, n > 512)', () => {
    const r = mulberry32(5);
    for (const [m, k, n] of [
      [7, 131, 530],
      [3, 200, 1100],
      [65, 67, 9],
    ] as const) {
      for (const tA of [false, true])
        for (const tB of [false, true]) {
          const a = randArr(r, m * k),
            b = randArr(r, k * n);
          const { sa, sb } = store(a, b, m, k, n, tA, tB);
          const c = matmul(sa, sb, m, k, n, tA, tB);
          // blocking keeps the ascending-k summation order: bit-identical to the naive loop
          expect(Array.from(c)).toEqual(Array.from(refMatmul(a, b, m, k, n)));
        }
    }
  });
});

describe('matmul gradients (finite differences, float64)', () => {
  it('dA = dC·Bᵀ and dB = Aᵀ·dC via the transpose flags', () => {
    const r = mulberry32(77);
    const eps = 1e-4;
    for (let t = 0; t < 30; t++) {
      const m = randInt(r, 1, 5),
        k = randInt(r, 1, 6),
        n = randInt(r, 1, 5);
      const a = randArr(r, m * k),
        b = randArr(r, k * n),
        bias = randArr(r, n),
        R = randArr(r, m * n);
      const loss = (): number => dot(addmm(bias, a, b, m, k, n, false, false), R);
      const dA = matmul(R, b, m, n, k, false, true);
      const dB = matmul(a, R, k, m, n, true, false);
      // d/dbias = column sums of R
      const dBias = new Float64Array(n);
      for (let i = 0; i < m * n; i++) dBias[i % n] += R[i];
      for (const [v, g] of [
        [a, dA],
        [b, dB],
        [bias, dBias],
      ] as const) {
        for (let i = 0; i < v.length; i++) {
          const old = v[i];
          v[i] = old + eps;
          const lp = loss();
          v[i] = old - eps;
          const lm = loss();
          v[i] = old;
          expect(Math.abs(g[i] - (lp - lm) / (2 * eps))).toBeLessThanOrEqual(1e-9);
        }
      }
    }
  });
});
