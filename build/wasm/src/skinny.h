/*
 * Skinny matrix products: the shapes of a Linear layer with few outputs
 * (W2's Linear(1568, 10) on a batch of 32), where the packed 4x8 GEMM of
 * gemm.h spends more time packing and on edges than multiplying.
 *
 *   skinny_dot:   C[M, N] = A[M, K] * B^T, B stored [N, K] (the forward,
 *                 N small, K long): dot products over K, 4 rows x 2 columns
 *                 of C at a time, K in the SIMD lanes.
 *   skinny_rankk: C[M, N] = A * B, B row-major [K, N] (the input and weight
 *                 gradients, K short): K rank-1 updates of 4 rows x 8
 *                 columns of C held in registers, N in the SIMD lanes, no
 *                 packing.
 *
 * A(i, p) = a[i*ars + p*acs] as in gemm.h (skinny_dot needs acs == 1).
 *
 * Note [Skinny product order]: every element of C is formed the same way
 * whatever its position in a tile, so neither the tile edges nor the split of
 * rows between threads change a bit.
 *   - skinny_rankk adds the products one by one in ascending p to an
 *     accumulator that starts at 0 (MADD: multiply then add, or one fused
 *     multiply-add in the FMA build): exactly the arithmetic of gemm.h's
 *     micro-kernel, so these products keep their bits.
 *   - skinny_dot keeps four partial sums per element: lane l adds the
 *     products of p = l, l+4, l+8, ... in ascending order (MADD, from 0; the
 *     last group of fewer than four is padded with zeros), and the element is
 *     (s0 + s1) + (s2 + s3). That is a different order from gemm.h's single
 *     ascending sum (so the forward's bits change, within float32 rounding;
 *     four shorter sums round less).
 */
#ifndef AS_SKINNY_H
#define AS_SKINNY_H
#include "gemm.h"

/* (s0 + s1) + (s2 + s3) of the lanes of v. */
static inline float sk_hsum(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

/* One element of skinny_dot: rows a and b of length k (Note [Skinny product order]). */
static float sk_dot1(const float *a, const float *b, int k) {
  v128_t s = wasm_f32x4_splat(0.0f);
  int p = 0;
  for (; p + 4 <= k; p += 4) s = MADD(wasm_v128_load(a + p), wasm_v128_load(b + p), s);
  if (p < k) s = MADD(load_partial(a + p, k - p), load_partial(b + p, k - p), s);
  return sk_hsum(s);
}

#define SK_ROW(r) const float *a##r = a + (long)(r) * ars;
#define SK_STEP(r, LOAD)          \
  {                               \
    v128_t x = LOAD(a##r + p);    \
    s##r##0 = MADD(x, w0, s##r##0); \
    s##r##1 = MADD(x, w1, s##r##1); \
  }
#define SK_FULL(q) wasm_v128_load(q)
#define SK_PART(q) load_partial(q, k - p)
#define SK_OUT(r)                            \
  c[(long)(r) * ldc] = sk_hsum(s##r##0);     \
  c[(long)(r) * ldc + 1] = sk_hsum(s##r##1);

/* Rows [0, 4) x columns [0, 2) of skinny_dot's C at c: the same sums as sk_dot1. */
static void sk_dot42(float *c, int ldc, const float *a, int ars, const float *b, int ldb, int k) {
  SK_ROW(0) SK_ROW(1) SK_ROW(2) SK_ROW(3)
  const float *b0 = b, *b1 = b + ldb;
  v128_t z = wasm_f32x4_splat(0.0f);
  v128_t s00 = z, s01 = z, s10 = z, s11 = z, s20 = z, s21 = z, s30 = z, s31 = z;
  int p = 0;
  for (; p + 4 <= k; p += 4) {
    v128_t w0 = wasm_v128_load(b0 + p), w1 = wasm_v128_load(b1 + p);
    SK_STEP(0, SK_FULL) SK_STEP(1, SK_FULL) SK_STEP(2, SK_FULL) SK_STEP(3, SK_FULL)
  }
  if (p < k) {
    v128_t w0 = load_partial(b0 + p, k - p), w1 = load_partial(b1 + p, k - p);
    SK_STEP(0, SK_PART) SK_STEP(1, SK_PART) SK_STEP(2, SK_PART) SK_STEP(3, SK_PART)
  }
  SK_OUT(0) SK_OUT(1) SK_OUT(2) SK_OUT(3)
}
#undef SK_ROW
#undef SK_STEP
#undef SK_FULL
#undef SK_PART
#undef SK_OUT

/* C[m, n] (row stride ldc) = A * B^T with B stored [n, k] (row stride ldb), A rows contiguous (acs == 1). */
static void skinny_dot(float *c, int ldc, const float *a, int ars, const float *b, int ldb, int m, int k, int n) {
  int m4 = m & ~3, n2 = n & ~1;
  for (int i = 0; i < m4; i += 4)
    for (int j = 0; j < n2; j += 2) sk_dot42(c + (long)i * ldc + j, ldc, a + (long)i * ars, ars, b + (long)j * ldb, ldb, k);
  for (int i = 0; i < m; i++)
    for (int j = i < m4 ? n2 : 0; j < n; j++) c[(long)i * ldc + j] = sk_dot1(a + (long)i * ars, b + (long)j * ldb, k);
}

/*
 * Rows [0, rows) x columns [0, cols) of skinny_rankk's C at c (rows <= 4,
 * cols <= 8): K rank-1 updates in ascending p. Missing rows read row 0 and
 * are not stored; missing columns are zeros of B and are not stored.
 */
static inline __attribute__((always_inline)) void sk_rankk48(float *c, int ldc, const float *a, int ars, int acs,
                                                             const float *b, int ldb, int k, int rows, int cols) {
  const long o1 = rows > 1 ? ars : 0, o2 = rows > 2 ? 2L * ars : 0, o3 = rows > 3 ? 3L * ars : 0;
  v128_t z = wasm_f32x4_splat(0.0f);
  v128_t c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  for (int p = 0; p < k; p++) {
    const float *bp = b + (long)p * ldb;
    v128_t b0, b1;
    if (cols == NR) {
      b0 = wasm_v128_load(bp);
      b1 = wasm_v128_load(bp + 4);
    } else {
      b0 = load_partial(bp, cols < 4 ? cols : 4);
      b1 = load_partial(bp + 4, cols > 4 ? cols - 4 : 0);
    }
    const float *ap = a + (long)p * acs;
    v128_t x0 = wasm_v128_load32_splat(ap), x1 = wasm_v128_load32_splat(ap + o1);
    v128_t x2 = wasm_v128_load32_splat(ap + o2), x3 = wasm_v128_load32_splat(ap + o3);
    c00 = MADD(x0, b0, c00);
    c01 = MADD(x0, b1, c01);
    c10 = MADD(x1, b0, c10);
    c11 = MADD(x1, b1, c11);
    c20 = MADD(x2, b0, c20);
    c21 = MADD(x2, b1, c21);
    c30 = MADD(x3, b0, c30);
    c31 = MADD(x3, b1, c31);
  }
  const int acc = 0;
  PART_ROW(c, 0) PART_ROW(c, 1) PART_ROW(c, 2) PART_ROW(c, 3)
}

/*
 * C[m, n] (row stride ldc) = A * B with B row-major [k, n] (row stride ldb):
 * skinny_rankk (see the header). Panels of 8 columns outside, so a panel of B
 * (k rows of 32 bytes) stays in L1 while every row of A passes; full tiles
 * take sk_rankk48 with constant sizes (no lane stores by count).
 */
static void skinny_rankk(float *c, int ldc, const float *a, int ars, int acs, const float *b, int ldb, int m, int k,
                         int n) {
  for (int j = 0; j < n; j += NR) {
    int cols = n - j < NR ? n - j : NR;
    for (int i = 0; i < m; i += MR) {
      int rows = m - i < MR ? m - i : MR;
      float *ct = c + (long)i * ldc + j;
      const float *at = a + (long)i * ars;
      if (rows == MR && cols == NR) sk_rankk48(ct, ldc, at, ars, acs, b + j, ldb, k, MR, NR);
      else sk_rankk48(ct, ldc, at, ars, acs, b + j, ldb, k, rows, cols);
    }
  }
}

/*
 * Rows [i0, i1) of C[m, n] = A * B: skinny_dot when bt (B stored [n, k];
 * needs acs == 1), else skinny_rankk (B row-major [k, n]). k >= 1. Needs the
 * EXPORT macro of kernels.c.
 */
EXPORT(skinny_matmul)
void skinny_matmul(float *c, const float *a, int ars, int acs, const float *b, int bt, int m, int k, int n, int i0,
                   int i1) {
  (void)m;
  if (i1 <= i0) return;
  float *ci = c + (long)i0 * n;
  const float *ai = a + (long)i0 * ars;
  if (bt) skinny_dot(ci, n, ai, ars, b, k, i1 - i0, k, n);
  else skinny_rankk(ci, n, ai, ars, acs, b, n, i1 - i0, k, n);
}

/* skinny_matmul in chunks of step rows from a shared counter (see the *_dyn twins in kernels.c). */
EXPORT(skinny_matmul_dyn)
void skinny_matmul_dyn(float *c, const float *a, int ars, int acs, const float *b, int bt, int m, int k, int n,
                       int *counter, int total, int step) {
  for (int ch = __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); ch * step < total;
       ch = __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED)) {
    int lo = ch * step, hi = lo + step < total ? lo + step : total;
    skinny_matmul(c, a, ars, acs, b, bt, m, k, n, lo, hi);
  }
}
#endif
