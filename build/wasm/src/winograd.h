/*
 * Winograd F(2x2, 3x3) for 3x3 convolutions with stride 1 and dilation 1
 * (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks"):
 *
 *   Y = A^T [ (G g G^T) (.) (B^T d B) ] A      per 2x2 output tile
 *
 * with the 4x4 input tile d (rows 2ty-ph .. +3, columns 2tx-pw .. +3) and the
 * 3x3 kernel g. Per point xi = (i, j) of the 4x4 transform the channel sum is
 * a matrix product M_xi[m, tile] = U_xi[m, c] * V_xi[c, tile], done by the
 * 4x8 micro-kernel of gemm.h over panels of 8 tiles of one tile row. 16
 * products of C terms replace 36 per output tile (2.25x fewer multiply-adds).
 *
 * Note [Winograd determinism]: every output element is formed by the same
 * operations in the same order whatever the thread count and the split:
 * one sample is never shared between threads, the transforms are fixed
 * sequences of float32 adds (and exact halvings), and each product M_xi sums
 * its channels in ascending order from 0 (micro()). The result differs from
 * the direct convolution by float32 rounding only (a few ulp of the sum of
 * |terms|), well inside the parity tolerance; the TypeScript kernels stay
 * direct.
 */
#ifndef AS_WINOGRAD_H
#define AS_WINOGRAD_H
#include "conv.h"

/* Tiles per panel: one micro-kernel column block. */
#define WT NR

/*
 * True for geometries Winograd takes: 3x3, stride 1, dilation 1, padding >= 0,
 * and enough channels on both sides for the transforms to pay (m output
 * channels, cing input channels of one group).
 */
static inline int wino_ok(const int *g, int cing, int m) {
  return g[G_KH] == 3 && g[G_KW] == 3 && g[G_SH] == 1 && g[G_SW] == 1 && g[G_DH] == 1 && g[G_DW] == 1 &&
         g[G_PH] >= 0 && g[G_PW] >= 0 && g[G_HOUT] > 0 && g[G_WOUT] > 0 && cing >= 4 && m >= 8;
}

/* Tile rows, panels of WT tiles per tile row, and the length of one even/odd row (see wino_split). */
static inline int wino_ty(const int *g) { return (g[G_HOUT] + 1) / 2; }
static inline int wino_px_of(int wo) { return ((wo + 1) / 2 + WT - 1) / WT; }
static inline int wino_px(const int *g) { return wino_px_of(g[G_WOUT]); }
static inline int wino_we(const int *g) { return wino_px(g) * WT + 4; }

/* Floats of the transformed kernel U (16 points x m rows padded to MR x cing). */
static inline int wino_u_floats(int m, int cing) { return 16 * ((m + MR - 1) / MR * MR) * cing; }

/* Scratch floats of wino_conv (U excluded) for an ho x wo output: tile, even/odd planes, V and M of one panel. */
static inline int wino_scratch(int ho, int wo, int cing, int m) {
  const int mp = (m + MR - 1) / MR * MR, we = wino_px_of(wo) * WT + 4;
  return MR * NR + cing * (2 * ((ho + 1) / 2) + 2) * 2 * we + 16 * cing * WT + 16 * mp * WT + 16;
}

/*
 * U_xi = G g G^T for every output row i < m and channel c of the kernel
 * packed by conv_pack_a (K = cing*9 taps, tap = c*9 + kh*3 + kw), as A panels:
 * u[xi*mp*cing + (i/MR)*MR*cing + c*MR + i%MR]; rows past m are 0.
 * G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1].
 */
static void wino_kernel(float *u, const float *pa, int m, int cing) {
  const int mp = (m + MR - 1) / MR * MR, K = cing * 9;
  for (int i = 0; i < mp; i++) {
    for (int c = 0; c < cing; c++) {
      const float *src = pa + (long)(i / MR) * MR * K + (long)c * 9 * MR + i % MR;
      float k[9], t[4][3];
      for (int q = 0; q < 9; q++) k[q] = src[q * MR];
      for (int col = 0; col < 3; col++) {
        const float a = k[col], b = k[3 + col], d = k[6 + col];
        t[0][col] = a;
        t[1][col] = (a + b + d) * 0.5f;
        t[2][col] = (a - b + d) * 0.5f;
        t[3][col] = d;
      }
      float *dst = u + (long)(i / MR) * MR * cing + (long)c * MR + i % MR;
      const long xs = (long)mp * cing;
      for (int r = 0; r < 4; r++) {
        const float a = t[r][0], b = t[r][1], d = t[r][2];
        dst[(r * 4 + 0) * xs] = a;
        dst[(r * 4 + 1) * xs] = (a + b + d) * 0.5f;
        dst[(r * 4 + 2) * xs] = (a - b + d) * 0.5f;
        dst[(r * 4 + 3) * xs] = d;
      }
    }
  }
}

/*
 * Copies `cing` planes of x into even/odd rows with the padding made
 * explicit: for padded row r (input row r - ph) and t < we,
 * eo[(c*rows + r)*2*we + t] = x at column 2t - pw, and at + we the column
 * 2t + 1 - pw; 0 outside the input.
 */
static void wino_split(float *eo, const float *x, const int *g, int cing) {
  const int h = g[G_H], w = g[G_W], ph = g[G_PH], pw = g[G_PW];
  const int rows = 2 * wino_ty(g) + 2, we = wino_we(g);
  for (int c = 0; c < cing; c++) {
    const float *xc = x + (long)c * h * w;
    for (int r = 0; r < rows; r++) {
      float *e = eo + ((long)c * rows + r) * 2 * we, *o = e + we;
      const int ih = r - ph;
      if (ih < 0 || ih >= h) {
        for (int t = 0; t < 2 * we; t++) e[t] = 0.0f;
        continue;
      }
      const float *xr = xc + (long)ih * w;
      for (int t = 0; t < we; t++) {
        const int iw = 2 * t - pw;
        e[t] = iw >= 0 && iw < w ? xr[iw] : 0.0f;
        o[t] = iw + 1 >= 0 && iw + 1 < w ? xr[iw + 1] : 0.0f;
      }
    }
  }
}

/* B^T x for the four values of a tile's row or column: (x0 - x2, x1 + x2, x2 - x1, x1 - x3). */
#define BT(x0, x1, x2, x3, y0, y1, y2, y3) \
  y0 = wasm_f32x4_sub(x0, x2);              \
  y1 = wasm_f32x4_add(x1, x2);              \
  y2 = wasm_f32x4_sub(x2, x1);              \
  y3 = wasm_f32x4_sub(x1, x3);

/*
 * V_xi for the WT tiles of panel px in tile row ty, every channel:
 * v[xi*cing*WT + c*WT + lane] (B^T d B, rows first), lanes = tiles.
 */
static void wino_input(float *v, const float *eo, const int *g, int cing, int ty, int px) {
  const int rows = 2 * wino_ty(g) + 2, we = wino_we(g);
  for (int c = 0; c < cing; c++) {
    for (int hf = 0; hf < WT; hf += 4) {
      const int t0 = px * WT + hf;
      v128_t r[4][4];
      for (int k = 0; k < 4; k++) {
        const float *e = eo + ((long)c * rows + 2 * ty + k) * 2 * we + t0, *o = e + we;
        v128_t d0 = wasm_v128_load(e), d1 = wasm_v128_load(o), d2 = wasm_v128_load(e + 1), d3 = wasm_v128_load(o + 1);
        BT(d0, d1, d2, d3, r[k][0], r[k][1], r[k][2], r[k][3])
      }
      float *dst = v + (long)c * WT + hf;
      const long xs = (long)cing * WT;
      for (int j = 0; j < 4; j++) {
        v128_t y0, y1, y2, y3;
        BT(r[0][j], r[1][j], r[2][j], r[3][j], y0, y1, y2, y3)
        wasm_v128_store(dst + (0 * 4 + j) * xs, y0);
        wasm_v128_store(dst + (1 * 4 + j) * xs, y1);
        wasm_v128_store(dst + (2 * 4 + j) * xs, y2);
        wasm_v128_store(dst + (3 * 4 + j) * xs, y3);
      }
    }
  }
}
#undef BT

/* A^T x for a tile's four values: (x0 + x1 + x2, x1 - x2 - x3). */
#define AT(x0, x1, x2, x3, y0, y1)                     \
  y0 = wasm_f32x4_add(wasm_f32x4_add(x0, x1), x2);   \
  y1 = wasm_f32x4_sub(wasm_f32x4_sub(x1, x2), x3);

/* Stores the two output rows of output channel i for panel px of tile row ty from M (mm: lanes of row i). */
static void wino_output(float *out, const float *mm, long xs, const int *g, int i, int ty, int px) {
  const int ho = g[G_HOUT], wo = g[G_WOUT];
  for (int hf = 0; hf < WT; hf += 4) {
    const int ox = 2 * (px * WT + hf);
    if (ox >= wo) return;
    v128_t s0[4], s1[4];
    for (int j = 0; j < 4; j++) {
      v128_t m0 = wasm_v128_load(mm + (0 * 4 + j) * xs + hf), m1 = wasm_v128_load(mm + (1 * 4 + j) * xs + hf);
      v128_t m2 = wasm_v128_load(mm + (2 * 4 + j) * xs + hf), m3 = wasm_v128_load(mm + (3 * 4 + j) * xs + hf);
      AT(m0, m1, m2, m3, s0[j], s1[j])
    }
    v128_t y00, y01, y10, y11;
    AT(s0[0], s0[1], s0[2], s0[3], y00, y01)
    AT(s1[0], s1[1], s1[2], s1[3], y10, y11)
    const int cols = wo - ox < 8 ? wo - ox : 8;
    float *o0 = out + (long)i * ho * wo + (long)(2 * ty) * wo + ox;
    v128_t lo = wasm_i32x4_shuffle(y00, y01, 0, 4, 1, 5), hi = wasm_i32x4_shuffle(y00, y01, 2, 6, 3, 7);
    store_partial(o0, lo, cols < 4 ? cols : 4);
    store_partial(o0 + 4, hi, cols > 4 ? cols - 4 : 0);
    if (2 * ty + 1 < ho) {
      lo = wasm_i32x4_shuffle(y10, y11, 0, 4, 1, 5);
      hi = wasm_i32x4_shuffle(y10, y11, 2, 6, 3, 7);
      store_partial(o0 + wo, lo, cols < 4 ? cols : 4);
      store_partial(o0 + wo + 4, hi, cols > 4 ? cols - 4 : 0);
    }
  }
}
#undef AT

/*
 * out[m, HO*WO] = conv(x, kernel) for one sample/group of `cing` planes at x,
 * the kernel transformed by wino_kernel into u; scratch: wino_scratch floats.
 */
static void wino_conv(float *out, const float *u, const float *x, const int *g, int cing, int m, float *scratch) {
  const int mp = (m + MR - 1) / MR * MR, nty = wino_ty(g), npx = wino_px(g);
  float *tile = scratch;
  float *eo = tile + MR * NR;
  float *v = eo + (long)cing * (2 * nty + 2) * 2 * wino_we(g);
  float *mm = v + 16L * cing * WT;
  const long us = (long)mp * cing, ms = (long)mp * WT;
  wino_split(eo, x, g, cing);
  for (int ty = 0; ty < nty; ty++) {
    for (int px = 0; px < npx; px++) {
      wino_input(v, eo, g, cing, ty, px);
      for (int xi = 0; xi < 16; xi++)
        for (int i0 = 0; i0 < mp; i0 += MR)
          micro(mm + xi * ms + (long)i0 * WT, WT, u + xi * us + (long)i0 * cing, v + (long)xi * cing * WT, cing, MR, NR, 0,
                tile);
      for (int i = 0; i < m; i++) wino_output(out, mm + (long)i * WT, ms, g, i, ty, px);
    }
  }
}
#endif
