/*
 * Single-precision GEMM with WebAssembly SIMD (128-bit, f32x4).
 *
 *   C[M, N] (+)= A[M, Kd] * B[Kd, N]
 *
 * A is addressed by strides (A(i, p) = a[i*ars + p*acs]) so a transposed A
 * costs nothing; B is row-major with row stride ldb; C has row stride ldc.
 * Both operands are packed (A into 4-row panels, B into 8-column panels) and a
 * 4x8 register-blocked micro-kernel runs over the whole reduction.
 *
 * Every element of C is formed the same way whatever its position: products
 * are added one by one, in ascending p, to an accumulator that starts at 0
 * (f32 multiply, then f32 add; WebAssembly has no fused multiply-add); the old
 * value of C is added last when accumulating. So results do not depend on how
 * callers split M or N between threads.
 *
 * No function here uses the shadow stack: the module may run in several
 * instances over one shared memory.
 */
#ifndef AS_GEMM_H
#define AS_GEMM_H
#include <wasm_simd128.h>

/*
 * c + a*b on four lanes: relaxed SIMD's fused multiply-add in the FMA build
 * (kernels-fma.wasm, -DUSE_FMA: one rounding), else a multiply and an add.
 */
#ifdef USE_FMA
typedef float f32x4_t __attribute__((__vector_size__(16), __aligned__(16)));
#define MADD(a, b, c) ((v128_t)__builtin_wasm_relaxed_madd_f32x4((f32x4_t)(a), (f32x4_t)(b), (f32x4_t)(c)))
#else
#define MADD(a, b, c) wasm_f32x4_add((c), wasm_f32x4_mul((a), (b)))
#endif

#define MR 4
#define NR 8
/* Budget (floats) of one packed B block: about 192 KiB, inside L2. */
#define PACKB_BUDGET 49152

static inline int gemm_nc(int kd) {
  int nc = (PACKB_BUDGET / (kd > 0 ? kd : 1)) & ~(NR - 1);
  if (nc < NR) nc = NR;
  if (nc > 1024) nc = 1024;
  return nc;
}

/* Floats of scratch that gemm() needs for these sizes. */
static inline int gemm_scratch(int m, int kd) {
  int mp = (m + MR - 1) / MR * MR;
  return MR * NR + mp * kd + gemm_nc(kd) * kd;
}

/* Packs rows [i0, i0+MR) of A (zero rows past M) as pa[p*MR + r]. */
static void pack_a(float *pa, const float *a, int ars, int acs, int i0, int m, int kd) {
  int rows = m - i0 < MR ? m - i0 : MR;
  if (acs == 1) {
    for (int r = 0; r < MR; r++) {
      if (r < rows) {
        const float *src = a + (long)(i0 + r) * ars;
        for (int p = 0; p < kd; p++) pa[p * MR + r] = src[p];
      } else {
        for (int p = 0; p < kd; p++) pa[p * MR + r] = 0.0f;
      }
    }
  } else {
    for (int p = 0; p < kd; p++) {
      const float *src = a + (long)p * acs + (long)i0 * ars;
      for (int r = 0; r < MR; r++) pa[p * MR + r] = r < rows ? src[r * ars] : 0.0f;
    }
  }
}

/* Packs columns [j0, j0+nb) of B into NR-wide panels: pb[(j/NR)*kd*NR + p*NR + j%NR]. */
static void pack_b(float *pb, const float *b, int ldb, int j0, int nb, int kd) {
  for (int jp = 0; jp < nb; jp += NR) {
    int cols = nb - jp < NR ? nb - jp : NR;
    float *dst = pb + (long)(jp / NR) * kd * NR;
    const float *src = b + j0 + jp;
    if (cols == NR) {
      for (int p = 0; p < kd; p++) {
        const float *s = src + (long)p * ldb;
        wasm_v128_store(dst + p * NR, wasm_v128_load(s));
        wasm_v128_store(dst + p * NR + 4, wasm_v128_load(s + 4));
      }
    } else {
      for (int p = 0; p < kd; p++) {
        const float *s = src + (long)p * ldb;
        for (int j = 0; j < NR; j++) dst[p * NR + j] = j < cols ? s[j] : 0.0f;
      }
    }
  }
}

/* Stores lanes [0, n) of v at p (0 <= n <= 4). */
static inline void store_partial(float *p, v128_t v, int n) {
  switch (n) {
    case 4: wasm_v128_store(p, v); break;
    case 3: wasm_v128_store64_lane(p, v, 0); wasm_v128_store32_lane(p + 2, v, 2); break;
    case 2: wasm_v128_store64_lane(p, v, 0); break;
    case 1: wasm_v128_store32_lane(p, v, 0); break;
    default: break;
  }
}

/* Loads n floats at p into lanes [0, n), zeros elsewhere (0 <= n <= 4). */
static inline v128_t load_partial(const float *p, int n) {
  switch (n) {
    case 4: return wasm_v128_load(p);
    case 3: return wasm_v128_load32_lane(p + 2, wasm_v128_load64_zero(p), 2);
    case 2: return wasm_v128_load64_zero(p);
    case 1: return wasm_v128_load32_zero(p);
    default: return wasm_f32x4_splat(0.0f);
  }
}

#define STEP(r, av)                           \
  c##r##0 = MADD(av, b0, c##r##0);            \
  c##r##1 = MADD(av, b1, c##r##1);

/*
 * Row r of a partial tile (rows x cols inside C, at base with row stride ldc),
 * from the accumulators c<r>0 and c<r>1, adding the old value when acc:
 * lane stores of what lies inside C. Shared by the 4x8 micro-kernels.
 */
#define PART_ROW(base, r)                                                          \
  if (rows > r) {                                                                 \
    float *cr = (base) + (long)r * ldc;                                           \
    v128_t lo = c##r##0, hi = c##r##1;                                            \
    if (cols >= 4) {                                                              \
      if (acc) lo = wasm_f32x4_add(wasm_v128_load(cr), lo);                       \
      wasm_v128_store(cr, lo);                                                    \
      if (acc) hi = wasm_f32x4_add(load_partial(cr + 4, cols - 4), hi);           \
      store_partial(cr + 4, hi, cols - 4);                                        \
    } else {                                                                      \
      if (acc) lo = wasm_f32x4_add(load_partial(cr, cols), lo);                   \
      store_partial(cr, lo, cols);                                                \
    }                                                                             \
  }

/*
 * 4x8 micro-kernel over packed panels; writes rows [0, rows) and columns
 * [0, cols) of the tile at c (row stride ldc), adding the old value when acc.
 * tile is MR*NR floats of 16-byte aligned scratch.
 */
static void micro(float *c, int ldc, const float *pa, const float *pb, int kd, int rows, int cols, int acc, float *tile) {
  v128_t z = wasm_f32x4_splat(0.0f);
  v128_t c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  for (int p = 0; p < kd; p++) {
    v128_t b0 = wasm_v128_load(pb);
    v128_t b1 = wasm_v128_load(pb + 4);
    v128_t a0 = wasm_v128_load32_splat(pa);
    v128_t a1 = wasm_v128_load32_splat(pa + 1);
    v128_t a2 = wasm_v128_load32_splat(pa + 2);
    v128_t a3 = wasm_v128_load32_splat(pa + 3);
    STEP(0, a0) STEP(1, a1) STEP(2, a2) STEP(3, a3)
    pa += MR;
    pb += NR;
  }
  if (rows == MR && cols == NR) {
#define STORE(r)                                                                         \
  {                                                                                      \
    float *cr = c + (long)r * ldc;                                                       \
    if (acc) {                                                                           \
      c##r##0 = wasm_f32x4_add(wasm_v128_load(cr), c##r##0);                             \
      c##r##1 = wasm_f32x4_add(wasm_v128_load(cr + 4), c##r##1);                         \
    }                                                                                    \
    wasm_v128_store(cr, c##r##0);                                                        \
    wasm_v128_store(cr + 4, c##r##1);                                                    \
  }
    STORE(0) STORE(1) STORE(2) STORE(3)
#undef STORE
    return;
  }
  /* Partial tile: lane stores of what lies inside C. */
  (void)tile;
  PART_ROW(c, 0) PART_ROW(c, 1) PART_ROW(c, 2) PART_ROW(c, 3)
}
#undef STEP

/*
 * C[M, N] (+)= A * B (see the header). scratch holds gemm_scratch(M, Kd)
 * floats. With Kd == 0 the product is 0.
 */
static void gemm(float *c, int ldc, const float *a, int ars, int acs, const float *b, int ldb, int m, int kd, int n,
                 int acc, float *scratch) {
  if (m <= 0 || n <= 0) return;
  int mp = (m + MR - 1) / MR * MR;
  float *tile = scratch;
  float *pa = scratch + MR * NR;
  float *pb = pa + (long)mp * kd;
  for (int i0 = 0; i0 < m; i0 += MR) pack_a(pa + (long)i0 * kd, a, ars, acs, i0, m, kd);
  int nc = gemm_nc(kd);
  for (int j0 = 0; j0 < n; j0 += nc) {
    int nb = n - j0 < nc ? n - j0 : nc;
    pack_b(pb, b, ldb, j0, nb, kd);
    for (int i0 = 0; i0 < m; i0 += MR) {
      int rows = m - i0 < MR ? m - i0 : MR;
      const float *pai = pa + (long)i0 * kd;
      for (int jp = 0; jp < nb; jp += NR) {
        int cols = nb - jp < NR ? nb - jp : NR;
        micro(c + (long)i0 * ldc + j0 + jp, ldc, pai, pb + (long)(jp / NR) * kd * NR, kd, rows, cols, acc, tile);
      }
    }
  }
}
#endif
