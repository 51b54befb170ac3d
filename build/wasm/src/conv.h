/*
 * Convolution-specific packing for the GEMM of gemm.h, so that no column
 * matrix (im2col) is ever written: the packers read the input planes directly.
 *
 * Output positions are grouped into panels of NR consecutive positions of
 * one output row (the last panel of a row may be narrower), so a panel of a
 * stride-1 convolution reads NR consecutive input values per kernel tap.
 */
#ifndef AS_CONV_H
#define AS_CONV_H
#include "gemm.h"

/* Geometry, as an int array (same order as the engine's Conv2dGeometry). */
enum { G_N, G_CIN, G_H, G_W, G_COUT, G_KH, G_KW, G_SH, G_SW, G_PH, G_PW, G_DH, G_DW, G_GROUPS, G_HOUT, G_WOUT };

/* Panels per output row. */
static inline int conv_ppr(const int *g) { return (g[G_WOUT] + NR - 1) / NR; }

/*
 * Packs output panels [q0, q0+nq) of the column matrix of `cing` input planes
 * at x: pb[q*K*NR + r*NR + j] = input value under tap r = (c, kh, kw) for the
 * j-th position of panel q, 0 outside the input (or past the row's end).
 */
static void pack_b_conv(float *pb, const float *x, const int *g, int cing, int q0, int nq) {
  const int h = g[G_H], w = g[G_W], kh_ = g[G_KH], kw_ = g[G_KW], sh = g[G_SH], sw = g[G_SW];
  const int ph = g[G_PH], pw = g[G_PW], dh = g[G_DH], dw = g[G_DW], wo = g[G_WOUT];
  const int ppr = conv_ppr(g);
  for (int q = 0; q < nq; q++) {
    const int id = q0 + q, oh = id / ppr, ow0 = (id % ppr) * NR;
    const int width = wo - ow0 < NR ? wo - ow0 : NR;
    float *dst = pb + (long)q * cing * kh_ * kw_ * NR;
    for (int c = 0; c < cing; c++) {
      const float *xc = x + (long)c * h * w;
      for (int kh = 0; kh < kh_; kh++) {
        const int ih = oh * sh + kh * dh - ph;
        const int rowok = ih >= 0 && ih < h;
        const float *xr = xc + (long)ih * w;
        for (int kw = 0; kw < kw_; kw++, dst += NR) {
          const int iw0 = ow0 * sw + kw * dw - pw;
          if (!rowok) {
            wasm_v128_store(dst, wasm_f32x4_splat(0.0f));
            wasm_v128_store(dst + 4, wasm_f32x4_splat(0.0f));
          } else if (sw == 1 && iw0 >= 0 && iw0 + NR <= w) {
            wasm_v128_store(dst, wasm_v128_load(xr + iw0));
            wasm_v128_store(dst + 4, wasm_v128_load(xr + iw0 + 4));
          } else {
            for (int j = 0; j < NR; j++) {
              const int iw = iw0 + j * sw;
              dst[j] = (j < width && iw >= 0 && iw < w) ? xr[iw] : 0.0f;
            }
          }
        }
      }
    }
  }
}

/* Floats of a padded copy of `cing` planes (see pad_planes); 0 when none is made. */
static inline int padded_floats(const int *g, int cing) {
  if (g[G_SW] != 1 || g[G_PH] < 0 || g[G_PW] < 0) return 0;
  return cing * (g[G_H] + 2 * g[G_PH]) * (g[G_W] + 2 * g[G_PW] + NR) + 16;
}

/*
 * For stride-1 geometries: copies `cing` planes into dst with the padding
 * made explicit (zeros) plus NR zero columns on the right, and writes into
 * g2 the geometry of that copy (padding 0), so every panel of pack_b_conv
 * and pack_a_conv takes the vector path. Returns x (and copies g into g2)
 * when no copy is made.
 */
static const float *pad_planes(float *dst, int *g2, const float *x, const int *g, int cing) {
  for (int i = 0; i < 16; i++) g2[i] = g[i];
  if (!padded_floats(g, cing)) return x;
  const int h = g[G_H], w = g[G_W], ph = g[G_PH], pw = g[G_PW];
  const int hp = h + 2 * ph, wp = w + 2 * pw + NR;
  for (int c = 0; c < cing; c++) {
    float *d = dst + (long)c * hp * wp;
    const float *s = x + (long)c * h * w;
    for (int i = 0; i < ph * wp; i++) d[i] = 0.0f;
    for (int i = (ph + h) * wp; i < hp * wp; i++) d[i] = 0.0f;
    for (int r = 0; r < h; r++) {
      float *dr = d + (long)(r + ph) * wp;
      for (int j = 0; j < pw; j++) dr[j] = 0.0f;
      for (int j = 0; j < w; j++) dr[pw + j] = s[(long)r * w + j];
      for (int j = pw + w; j < wp; j++) dr[j] = 0.0f;
    }
  }
  g2[G_H] = hp;
  g2[G_W] = wp;
  g2[G_PH] = 0;
  g2[G_PW] = 0;
  return dst;
}

/* Floats of an A panel set for m rows and K taps (see conv_pack_a). */
static inline int conv_pa_floats(int m, int K) { return (m + MR - 1) / MR * MR * K; }

/* Packs A[m, K] (A(i, p) = a[i*ars + p*acs]) as MR-row panels at pa. */
static void conv_pack_a(float *pa, const float *a, int ars, int acs, int m, int K) {
  for (int i0 = 0; i0 < m; i0 += MR) pack_a(pa + (long)i0 * K, a, ars, acs, i0, m, K);
}

/* Scratch floats of conv_gemm (after the packed A). */
static inline int conv_gemm_scratch(const int *g, int cing) {
  int K = cing * g[G_KH] * g[G_KW];
  return MR * NR + gemm_nc(K) * K + 16 + padded_floats(g, cing) + 16;
}

#define DSTEP(r, av)                                        \
  c##r##0 = MADD(av, b0, c##r##0);                           \
  c##r##1 = MADD(av, b1, c##r##1);

/*
 * 4x8 micro-kernel reading B straight from a padded input: B(p, j) =
 * xb[off[p] + j]. Same arithmetic and order as micro(); no accumulation.
 */
static void micro_direct(float *c, int ldc, const float *pa, const float *xb, const int *off, int kd, int rows, int cols) {
  v128_t z = wasm_f32x4_splat(0.0f);
  v128_t c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  for (int p = 0; p < kd; p++) {
    const float *bp = xb + off[p];
    v128_t b0 = wasm_v128_load(bp);
    v128_t b1 = wasm_v128_load(bp + 4);
    v128_t a0 = wasm_v128_load32_splat(pa);
    v128_t a1 = wasm_v128_load32_splat(pa + 1);
    v128_t a2 = wasm_v128_load32_splat(pa + 2);
    v128_t a3 = wasm_v128_load32_splat(pa + 3);
    DSTEP(0, a0) DSTEP(1, a1) DSTEP(2, a2) DSTEP(3, a3)
    pa += MR;
  }
#define DPUT(r)                                                         \
  if (rows > r) {                                                       \
    float *cr = c + (long)r * ldc;                                      \
    if (cols == NR) {                                                   \
      wasm_v128_store(cr, c##r##0);                                     \
      wasm_v128_store(cr + 4, c##r##1);                                 \
    } else if (cols >= 4) {                                             \
      wasm_v128_store(cr, c##r##0);                                     \
      store_partial(cr + 4, c##r##1, cols - 4);                         \
    } else {                                                            \
      store_partial(cr, c##r##0, cols);                                 \
    }                                                                   \
  }
  DPUT(0) DPUT(1) DPUT(2) DPUT(3)
#undef DPUT
}
#undef DSTEP

/*
 * conv_gemm for a padded input with unit horizontal stride (g: padding 0, NR
 * slack columns):
 * no packing of B; panel by panel, every row panel of A reads the same
 * input lines, which stay in L1.
 */
static void conv_gemm_direct(float *out, const float *pa, const float *x, const int *g, int cing, int m, int *off) {
  const int kh_ = g[G_KH], kw_ = g[G_KW], w = g[G_W], hw = g[G_H] * w;
  const int K = cing * kh_ * kw_, wo = g[G_WOUT], P = g[G_HOUT] * wo;
  int r = 0;
  for (int c = 0; c < cing; c++)
    for (int kh = 0; kh < kh_; kh++)
      for (int kw = 0; kw < kw_; kw++) off[r++] = c * hw + kh * g[G_DH] * w + kw * g[G_DW];
  for (int oh = 0; oh < g[G_HOUT]; oh++) {
    for (int ow0 = 0; ow0 < wo; ow0 += NR) {
      const int width = wo - ow0 < NR ? wo - ow0 : NR;
      const float *xb = x + (long)oh * g[G_SH] * w + ow0;
      for (int i0 = 0; i0 < m; i0 += MR) {
        const int rows = m - i0 < MR ? m - i0 : MR;
        micro_direct(out + (long)i0 * P + oh * wo + ow0, P, pa + (long)i0 * K, xb, off, K, rows, width);
      }
    }
  }
}

/*
 * out[M, P] (row stride P) = A[M, K] * col(x), A packed by conv_pack_a, for
 * one sample/group with `cing` planes at x. scratch: conv_gemm_scratch floats.
 */
static void conv_gemm(float *out, const float *pa, const float *x, const int *g0, int cing, int m, float *scratch) {
  const int K = cing * g0[G_KH] * g0[G_KW], wo = g0[G_WOUT], P = g0[G_HOUT] * wo;
  const int ppr = conv_ppr(g0), npan = g0[G_HOUT] * ppr;
  float *tile = scratch;
  float *pb = scratch + MR * NR;
  int *g = (int *)(pb + (long)gemm_nc(K) * K);
  x = pad_planes((float *)g + 16, g, x, g0, cing);
  if (g[G_SW] == 1 && g[G_PH] == 0 && g[G_PW] == 0 && g[G_W] >= g0[G_W] + NR) {
    conv_gemm_direct(out, pa, x, g, cing, m, (int *)pb);
    return;
  }
  int nq = gemm_nc(K) / NR;
  for (int q0 = 0; q0 < npan; q0 += nq) {
    const int cnt = npan - q0 < nq ? npan - q0 : nq;
    pack_b_conv(pb, x, g, cing, q0, cnt);
    for (int i0 = 0; i0 < m; i0 += MR) {
      const int rows = m - i0 < MR ? m - i0 : MR;
      const float *pai = pa + (long)i0 * K;
      for (int q = 0; q < cnt; q++) {
        const int id = q0 + q, oh = id / ppr, ow0 = (id % ppr) * NR;
        const int width = wo - ow0 < NR ? wo - ow0 : NR;
        micro(out + (long)i0 * P + oh * wo + ow0, P, pai, pb + (long)q * K * NR, K, rows, width, 0, tile);
      }
    }
  }
}

/*
 * 4x8 micro-kernel of the weight gradient: A row i is read from the padded
 * input stream xa[i] at output position (oh, ow) -> xa[i][oh*rs + ow]; B is a
 * packed panel over all P positions. Writes ct (row stride ldc), adding the
 * old value when acc. Same arithmetic and order as micro().
 */
static void micro_wgrad(float *ct, int ldc, const float *xa0, const float *xa1, const float *xa2, const float *xa3,
                        int rs, int ho, int wo, const float *pb, int rows, int cols, int acc) {
  v128_t z = wasm_f32x4_splat(0.0f);
  v128_t c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  for (int oh = 0; oh < ho; oh++) {
    const float *p0 = xa0 + (long)oh * rs, *p1 = xa1 + (long)oh * rs, *p2 = xa2 + (long)oh * rs, *p3 = xa3 + (long)oh * rs;
    for (int ow = 0; ow < wo; ow++) {
      v128_t b0 = wasm_v128_load(pb);
      v128_t b1 = wasm_v128_load(pb + 4);
      v128_t a0 = wasm_v128_load32_splat(p0 + ow);
      v128_t a1 = wasm_v128_load32_splat(p1 + ow);
      v128_t a2 = wasm_v128_load32_splat(p2 + ow);
      v128_t a3 = wasm_v128_load32_splat(p3 + ow);
      c00 = MADD(a0, b0, c00); c01 = MADD(a0, b1, c01);
      c10 = MADD(a1, b0, c10); c11 = MADD(a1, b1, c11);
      c20 = MADD(a2, b0, c20); c21 = MADD(a2, b1, c21);
      c30 = MADD(a3, b0, c30); c31 = MADD(a3, b1, c31);
      pb += NR;
    }
  }
  PART_ROW(ct, 0) PART_ROW(ct, 1) PART_ROW(ct, 2) PART_ROW(ct, 3)
}

/*
 * Packs rows [r0, r0+rows) (rows <= MR; zero rows after) of the column
 * matrix of the planes at x as an A panel over all P positions:
 * pa[p*MR + i] = value of tap r0+i at position p.
 */
static void pack_a_conv(float *pa, const float *x, const int *g, int r0, int rows) {
  const int h = g[G_H], w = g[G_W], kh_ = g[G_KH], kw_ = g[G_KW], sh = g[G_SH], sw = g[G_SW];
  const int ph = g[G_PH], pw = g[G_PW], dh = g[G_DH], dw = g[G_DW], ho = g[G_HOUT], wo = g[G_WOUT];
  for (int i = 0; i < MR; i++) {
    float *dst = pa + i;
    if (i >= rows) {
      for (int p = 0; p < ho * wo; p++) dst[p * MR] = 0.0f;
      continue;
    }
    const int r = r0 + i, c = r / (kh_ * kw_), t = r % (kh_ * kw_), kh = t / kw_, kw = t % kw_;
    const float *xc = x + (long)c * h * w;
    for (int oh = 0; oh < ho; oh++, dst += wo * MR) {
      const int ih = oh * sh + kh * dh - ph;
      if (ih < 0 || ih >= h) {
        for (int ow = 0; ow < wo; ow++) dst[ow * MR] = 0.0f;
        continue;
      }
      const float *xr = xc + (long)ih * w;
      const int iwb = kw * dw - pw;
      int ow0 = 0;
      if (sw == 1 && iwb >= 0) {
        /* In-bounds run: 4-wide loads, strided scalar stores. */
        int hi = w - iwb < wo ? w - iwb : wo;
        for (; ow0 + 4 <= hi; ow0 += 4) {
          v128_t v = wasm_v128_load(xr + iwb + ow0);
          dst[ow0 * MR] = wasm_f32x4_extract_lane(v, 0);
          dst[(ow0 + 1) * MR] = wasm_f32x4_extract_lane(v, 1);
          dst[(ow0 + 2) * MR] = wasm_f32x4_extract_lane(v, 2);
          dst[(ow0 + 3) * MR] = wasm_f32x4_extract_lane(v, 3);
        }
      }
      for (int ow = ow0; ow < wo; ow++) {
        const int iw = ow * sw + iwb;
        dst[ow * MR] = (iw >= 0 && iw < w) ? xr[iw] : 0.0f;
      }
    }
  }
}

/* Packs the transpose of rows [0, m) of a (row stride lda, P columns) as NR-wide B panels: pb[(j/NR)*P*NR + p*NR + j%NR] = a[j*lda + p]. */
static void pack_b_t(float *pb, const float *a, int lda, int m, int P) {
  for (int j0 = 0; j0 < m; j0 += NR) {
    float *dst = pb + (long)(j0 / NR) * P * NR;
    for (int h = 0; h < NR; h += 4) {
      int p = 0;
      if (j0 + h + 4 <= m) {
        /* Four source rows at once: 4x4 blocks transposed with shuffles (pure data movement). */
        const float *s0 = a + (long)(j0 + h) * lda, *s1 = s0 + lda, *s2 = s1 + lda, *s3 = s2 + lda;
        for (; p + 4 <= P; p += 4) {
          v128_t r0 = wasm_v128_load(s0 + p), r1 = wasm_v128_load(s1 + p);
          v128_t r2 = wasm_v128_load(s2 + p), r3 = wasm_v128_load(s3 + p);
          v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
          v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
          float *d = dst + (long)p * NR + h;
          wasm_v128_store(d, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
          wasm_v128_store(d + NR, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
          wasm_v128_store(d + 2 * NR, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
          wasm_v128_store(d + 3 * NR, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
        }
      }
      for (int j = h; j < h + 4; j++) {
        if (j0 + j < m) {
          const float *src = a + (long)(j0 + j) * lda;
          for (int q = p; q < P; q++) dst[q * NR + j] = src[q];
        } else {
          for (int q = p; q < P; q++) dst[q * NR + j] = 0.0f;
        }
      }
    }
  }
}
#endif
