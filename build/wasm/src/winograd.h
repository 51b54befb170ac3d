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

/* True when none of the n floats at p is infinite or NaN (x - x is 0 exactly for the others). */
static inline int all_finite(const float *p, long n) {
  /* Sums of x - x: 0 while every x is finite, NaN from the first that is not (no branch per vector). */
  v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0;
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    const v128_t a = wasm_v128_load(p + i), b = wasm_v128_load(p + i + 4);
    s0 = wasm_f32x4_add(s0, wasm_f32x4_sub(a, a));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_sub(b, b));
  }
  const v128_t d = wasm_f32x4_add(s0, s1);
  int b = wasm_v128_any_true(wasm_f32x4_ne(d, d));
  for (; i < n; i++) b |= !(p[i] - p[i] == 0.0f);
  return !b;
}

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
  const int t0 = (pw + 1) / 2; /* the first column t with 2t - pw >= 0 */
  const v128_t z = wasm_f32x4_splat(0.0f);
  for (int c = 0; c < cing; c++) {
    const float *xc = x + (long)c * h * w;
    for (int r = 0; r < rows; r++) {
      float *e = eo + ((long)c * rows + r) * 2 * we, *o = e + we;
      const int ih = r - ph;
      for (int t = 0; t < 2 * we; t += 4) wasm_v128_store(e + t, z); /* we is a multiple of 4 */
      if (ih < 0 || ih >= h) continue;
      const float *xr = xc + (long)ih * w;
      for (int t = 0; t < t0; t++) {
        const int iw = 2 * t - pw;
        if (iw + 1 >= 0 && iw + 1 < w) o[t] = xr[iw + 1];
      }
      /* Blocks of 4 columns from the 8 floats at 2t - pw (zeros past the row's end; t + 3 < we). */
      for (int t = t0; 2 * t - pw < w; t += 4) {
        const int s = 2 * t - pw, n = w - s;
        const v128_t a = n >= 4 ? wasm_v128_load(xr + s) : load_partial(xr + s, n);
        const v128_t b = n >= 8 ? wasm_v128_load(xr + s + 4) : load_partial(xr + s + 4, n > 4 ? n - 4 : 0);
        wasm_v128_store(e + t, wasm_i32x4_shuffle(a, b, 0, 2, 4, 6));
        wasm_v128_store(o + t, wasm_i32x4_shuffle(a, b, 1, 3, 5, 7));
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

/*
 * Stores the two output rows of output channel i for panel px of tile row ty
 * from M (mm: lanes of row i), plus the channel's bias when bias is not 0.
 *
 * Note [Winograd bias]: the bias is added to each transformed value as it is
 * stored: the same single add (A^T M A, then + bias) as a separate pass over
 * the output after the transform (which the direct path, conv_gemm, still
 * makes), so the bits are the same, and one pass over the output is saved.
 * Without a bias nothing is added (adding 0 would turn a -0 output into +0).
 */
static void wino_output(float *out, const float *mm, long xs, const int *g, const float *bias, int i, int ty, int px) {
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
    if (bias) {
      const v128_t bv = wasm_f32x4_splat(bias[i]);
      y00 = wasm_f32x4_add(y00, bv);
      y01 = wasm_f32x4_add(y01, bv);
      y10 = wasm_f32x4_add(y10, bv);
      y11 = wasm_f32x4_add(y11, bv);
    }
    const int cols = wo - ox < 8 ? wo - ox : 8;
    float *o0 = out + (long)i * ho * wo + (long)(2 * ty) * wo + ox;
    v128_t lo = wasm_i32x4_shuffle(y00, y01, 0, 4, 1, 5), hi = wasm_i32x4_shuffle(y00, y01, 2, 6, 3, 7);
    if (cols == 8 && 2 * ty + 1 < ho) {
      wasm_v128_store(o0, lo);
      wasm_v128_store(o0 + 4, hi);
      wasm_v128_store(o0 + wo, wasm_i32x4_shuffle(y10, y11, 0, 4, 1, 5));
      wasm_v128_store(o0 + wo + 4, wasm_i32x4_shuffle(y10, y11, 2, 6, 3, 7));
      continue;
    }
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
 * out[m, HO*WO] = conv(x, kernel) (+ bias[m] unless bias is 0) for one
 * sample/group of `cing` planes at x, the kernel transformed by wino_kernel
 * into u; scratch: wino_scratch floats.
 * Returns 1, computing nothing, when the planes hold an infinite or NaN value.
 *
 * Note [Winograd and non-finite values]: the transforms add and subtract
 * inputs, so one infinity becomes inf - inf = NaN in outputs where the direct
 * sum (PyTorch's) gives +-inf. Samples with such values, and kernels with
 * them (all_finite), take the direct convolution; the choice depends on the
 * data only, never on the threads.
 */
static int wino_conv(float *out, const float *u, const float *bias, const float *x, const int *g, int cing, int m,
                     float *scratch) {
  const int mp = (m + MR - 1) / MR * MR, nty = wino_ty(g), npx = wino_px(g);
  float *tile = scratch;
  float *eo = tile + MR * NR;
  float *v = eo + (long)cing * (2 * nty + 2) * 2 * wino_we(g);
  float *mm = v + 16L * cing * WT;
  const long us = (long)mp * cing, ms = (long)mp * WT;
  if (!all_finite(x, (long)cing * g[G_H] * g[G_W])) return 1;
  wino_split(eo, x, g, cing);
  for (int ty = 0; ty < nty; ty++) {
    for (int px = 0; px < npx; px++) {
      wino_input(v, eo, g, cing, ty, px);
      for (int xi = 0; xi < 16; xi++)
        for (int i0 = 0; i0 < mp; i0 += MR)
          micro(mm + xi * ms + (long)i0 * WT, WT, u + xi * us + (long)i0 * cing, v + (long)xi * cing * WT, cing, MR, NR, 0,
                tile);
      for (int i = 0; i < m; i++) wino_output(out, mm + (long)i * WT, ms, g, bias, i, ty, px);
    }
  }
  return 0;
}
/*
 * Weight gradient by the same transform (the adjoint of the forward pass):
 *
 *   dU_xi[m, c] = sum over tiles of (A dY A^T)_xi[m] * (B^T d B)_xi[c],   dW = G^T dU G
 *
 * One unit is a panel of NR input channels of one group over one block of
 * samples (Note [Winograd weight gradient units]): it transforms, block of
 * tile rows by block, its input channels (B panels, lanes = channels) and its
 * samples' output gradient (A panels of MR output channels; every panel of a
 * group transforms it again, which costs less than a barrier between
 * threads), then adds the block's 16 products dU_xi[:, panel] += Gt_xi * V_xi
 * with the micro-kernel (tiles of the block in ascending order, the earlier
 * blocks' sum added last) into its sample block's own partial dU. Blocks run
 * in a fixed order (samples, then tile rows), so each partial dU element is
 * formed the same way whoever runs its unit. wgrad_finish then adds the
 * partials in sample-block order and applies G^T . G. 16 products per tile
 * replace 36 per 2x2 outputs. See Note [Winograd determinism].
 *
 * Note [Winograd weight gradient units]: a unit used to cover every sample, so
 * W2's conv2 (16 input channels) had two units, one per thread, and the
 * calling thread waited for the helper's whole unit whenever the helper
 * started late or ran slower (87-124 us per step of W2, up to 240 us per call
 * of W3). The samples are now cut into min(N, WG_SAMPLE_BLOCKS) blocks, each
 * with its own partial dU: 16 units for W2's conv2 and for W3. The blocks
 * depend on the geometry only, so the bits still do not depend on the
 * thread count; against one pass over all samples the sum is formed in a
 * different order (float32 rounding, inside the parity tolerance).
 */
#define WG_SAMPLE_BLOCKS 8

/* Padded channel counts: input channels in NR panels, output channels in MR panels. */
static inline int wg_cp(int cing) { return (cing + NR - 1) / NR * NR; }
static inline int wg_mp(int m) { return (m + MR - 1) / MR * MR; }
static inline int wg_tx(const int *g) { return (g[G_WOUT] + 1) / 2; }
/* Tile rows per block: about 64 tiles, so a block's panels stay in L2. */
static inline int wg_rows(const int *g) {
  const int r = (64 + wg_tx(g) - 1) / wg_tx(g);
  return r < wino_ty(g) ? r : wino_ty(g);
}

/* Units of the weight gradient (0 when it does not take Winograd). */
/* Sample blocks of the weight gradient (Note [Winograd weight gradient units]). */
static inline int wg_blocks(const int *g) { return g[G_N] < WG_SAMPLE_BLOCKS ? g[G_N] : WG_SAMPLE_BLOCKS; }
/* Floats of one sample block's partial dU (every group). */
static inline long wg_du_block(const int *g) {
  const int groups = g[G_GROUPS];
  return (long)groups * 16 * wg_mp(g[G_COUT] / groups) * wg_cp(g[G_CIN] / groups);
}

static inline int wgrad_units(const int *g) {
  const int groups = g[G_GROUPS], cing = g[G_CIN] / groups, m = g[G_COUT] / groups;
  if (g[G_N] <= 0 || !wino_ok(g, cing, m)) return 0;
  return groups * (wg_cp(cing) / NR) * wg_blocks(g);
}

/* Per-thread scratch: channels-last input and output gradient of a block, its V and Gt panels. */
static inline int wgrad_scratch(const int *g) {
  const int m = g[G_COUT] / g[G_GROUPS], br = wg_rows(g), tx = wg_tx(g), mp = wg_mp(m);
  const int bt = br * tx + 1;
  return MR * NR + (2 * br + 2) * (2 * tx + 2) * NR + 4 * bt * mp + 16 * bt * NR + 4 * bt * mp + 64;
}

/*
 * Writes the 4x4 block of 4 source rows s[k] (channels, 4 consecutive
 * columns each) channels last: d + k*ds gets column k's 4 channels.
 */
static inline void wg_t4(float *d, long ds, const float *s0, const float *s1, const float *s2, const float *s3) {
  v128_t r0 = wasm_v128_load(s0), r1 = wasm_v128_load(s1), r2 = wasm_v128_load(s2), r3 = wasm_v128_load(s3);
  v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
  v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  wasm_v128_store(d, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
  wasm_v128_store(d + ds, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
  wasm_v128_store(d + 2 * ds, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
  wasm_v128_store(d + 3 * ds, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
}

/*
 * Copies `rows` rows x `cols` columns of `ch` planes (plane stride ps, row
 * stride w) at src channels last into d (lanes per position: lanes >= ch,
 * the extra lanes 0; row stride dr floats). Pure data movement.
 */
static void wg_rows_last(float *d, long dr, int lanes, const float *src, long ps, int w, int ch, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    float *dd = d + r * dr;
    const float *sr = src + (long)r * w;
    int c = 0;
    for (; c + 4 <= ch; c += 4) {
      const float *s0 = sr + c * ps;
      int q = 0;
      for (; q + 4 <= cols; q += 4) wg_t4(dd + (long)q * lanes + c, lanes, s0 + q, s0 + ps + q, s0 + 2 * ps + q, s0 + 3 * ps + q);
      for (; q < cols; q++)
        for (int k = 0; k < 4; k++) dd[(long)q * lanes + c + k] = s0[k * ps + q];
    }
    for (; c < lanes; c++)
      for (int q = 0; q < cols; q++) dd[(long)q * lanes + c] = c < ch ? sr[c * ps + q] : 0.0f;
  }
}

/* Copies rows [r0, r0 + rows) of the padded input (channels [c0, c0+NR) of plane set xs) channels last. */
static void wg_copy_x(float *xt, const float *xs, const int *g, int c0, int cing, int r0, int rows, int qx) {
  const int h = g[G_H], w = g[G_W], ph = g[G_PH], pw = g[G_PW];
  const int ch = cing - c0 < NR ? cing - c0 : NR, cols = w < qx - pw ? w : qx - pw;
  for (long i = 0; i < (long)rows * qx * NR; i++) xt[i] = 0.0f;
  int lo = r0 - ph < 0 ? ph - r0 : 0, hi = h + ph - r0 < rows ? h + ph - r0 : rows;
  if (hi > lo && cols > 0)
    wg_rows_last(xt + ((long)lo * qx + pw) * NR, (long)qx * NR, NR, xs + (long)c0 * h * w + (long)(r0 + lo - ph) * w,
                 (long)h * w, w, ch, hi - lo, cols);
}

/* Copies output rows [r0, r0 + rows) of the m planes at gs channels last (mp lanes), zero past the output. */
static void wg_copy_g(float *gt, const float *gs, const int *g, int m, int mp, int r0, int rows, int gx) {
  const int ho = g[G_HOUT], wo = g[G_WOUT];
  const int hi = ho - r0 < rows ? ho - r0 : rows;
  if (wo < gx || hi < rows)
    for (long i = 0; i < (long)rows * gx * mp; i++) gt[i] = 0.0f;
  wg_rows_last(gt, (long)gx * mp, mp, gs + (long)r0 * wo, (long)ho * wo, wo, m, hi, wo);
}

/* V panels of a block: v[xi*bt*NR + t*NR + lane] from the channels-last input xt (qx columns). */
static void wg_input(float *v, const float *xt, int qx, int rows, int ntx, long bt) {
  const long xs = bt * NR;
  for (int ty = 0; ty < rows; ty++)
    for (int tx = 0; tx < ntx; tx++) {
      const long t = (long)ty * ntx + tx;
      for (int c4 = 0; c4 < NR; c4 += 4) {
        v128_t r[4][4];
        for (int k = 0; k < 4; k++) {
          const float *p = xt + ((long)(2 * ty + k) * qx + 2 * tx) * NR + c4;
          v128_t d0 = wasm_v128_load(p), d1 = wasm_v128_load(p + NR), d2 = wasm_v128_load(p + 2 * NR),
                 d3 = wasm_v128_load(p + 3 * NR);
          r[k][0] = wasm_f32x4_sub(d0, d2);
          r[k][1] = wasm_f32x4_add(d1, d2);
          r[k][2] = wasm_f32x4_sub(d2, d1);
          r[k][3] = wasm_f32x4_sub(d1, d3);
        }
        float *dst = v + t * NR + c4;
        for (int j = 0; j < 4; j++) {
          wasm_v128_store(dst + (0 * 4 + j) * xs, wasm_f32x4_sub(r[0][j], r[2][j]));
          wasm_v128_store(dst + (1 * 4 + j) * xs, wasm_f32x4_add(r[1][j], r[2][j]));
          wasm_v128_store(dst + (2 * 4 + j) * xs, wasm_f32x4_sub(r[2][j], r[1][j]));
          wasm_v128_store(dst + (3 * 4 + j) * xs, wasm_f32x4_sub(r[1][j], r[3][j]));
        }
      }
    }
}

/*
 * Row xr of the Gt panels of a block, the transform points xi = 4*xr + j:
 * a[(j*mp + m4)*bt + t*MR + lane] = (A dY A^T)_xi, A = [1 0; 1 1; 1 -1; 0 -1].
 */
static void wg_gout(float *a, const float *gt, int gx, int mp, int rows, int ntx, long bt, int xr) {
  const long xs = (long)mp * bt;
  for (int ty = 0; ty < rows; ty++)
    for (int tx = 0; tx < ntx; tx++) {
      const long t = (long)ty * ntx + tx;
      for (int m4 = 0; m4 < mp; m4 += 4) {
        const float *p = gt + ((long)(2 * ty) * gx + 2 * tx) * mp + m4;
        const v128_t y00 = wasm_v128_load(p), y01 = wasm_v128_load(p + mp);
        const v128_t y10 = wasm_v128_load(p + (long)gx * mp), y11 = wasm_v128_load(p + (long)gx * mp + mp);
        v128_t z0 = y00, z1 = y01;
        if (xr == 1) z0 = wasm_f32x4_add(y00, y10), z1 = wasm_f32x4_add(y01, y11);
        if (xr == 2) z0 = wasm_f32x4_sub(y00, y10), z1 = wasm_f32x4_sub(y01, y11);
        if (xr == 3) z0 = wasm_f32x4_neg(y10), z1 = wasm_f32x4_neg(y11);
        float *dst = a + (long)m4 * bt + t * MR;
        wasm_v128_store(dst, z0);
        wasm_v128_store(dst + xs, wasm_f32x4_add(z0, z1));
        wasm_v128_store(dst + 2 * xs, wasm_f32x4_sub(z0, z1));
        wasm_v128_store(dst + 3 * xs, wasm_f32x4_neg(z1));
      }
    }
}

/*
 * Unit u = pu * blocks + blk (group pu / panels, input channels
 * [NR*(pu % panels), +NR), samples of block blk): its columns of the block's
 * partial dU[gi] (du[blk*wg_du_block + gi*16*mp*cp + xi*mp*cp + i*cp + c]).
 * Returns 1 (dU unfinished) when its input or output gradient holds an
 * infinite or NaN value: the caller then takes the direct weight gradient
 * (Note [Winograd and non-finite values]).
 */
static int wgrad_unit(float *du, const float *gout, const float *x, const int *g, float *scratch, int u) {
  const int groups = g[G_GROUPS], cing = g[G_CIN] / groups, m = g[G_COUT] / groups;
  const int nb = wg_blocks(g), blk = u % nb, pu = u / nb, b0 = (int)((long)blk * g[G_N] / nb),
            b1 = (int)((long)(blk + 1) * g[G_N] / nb);
  const int cp = wg_cp(cing), mp = wg_mp(m), panels = cp / NR, gi = pu / panels, c0 = (pu % panels) * NR;
  const int nty = wino_ty(g), ntx = wg_tx(g), br = wg_rows(g), qx = 2 * ntx + 2, gx = 2 * ntx;
  /* Note [Winograd panel stride]: one spare tile per panel, so the 16 transform points' panels are not
   * a power of two apart (W3's 64-tile blocks were: their stores fought over the same cache sets, 3x slower). */
  const long hw = (long)g[G_H] * g[G_W], po = (long)g[G_HOUT] * g[G_WOUT], bt = (long)br * ntx + 1;
  float *tile = scratch, *xt = tile + MR * NR, *gt = xt + (long)(2 * br + 2) * qx * NR;
  float *v = gt + (long)2 * br * gx * mp, *a = v + 16 * bt * NR;
  float *dg = du + blk * wg_du_block(g) + (long)gi * 16 * mp * cp + c0;
  int first = 1;
  for (int b = b0; b < b1; b++) {
    const float *xs = x + ((long)b * g[G_CIN] + (long)gi * cing) * hw;
    const float *gs = gout + ((long)b * g[G_COUT] + (long)gi * m) * po;
    if (!all_finite(xs + (long)c0 * hw, (long)(cing - c0 < NR ? cing - c0 : NR) * hw) || !all_finite(gs, m * po)) return 1;
    for (int ty0 = 0; ty0 < nty; ty0 += br, first = 0) {
      const int rows = nty - ty0 < br ? nty - ty0 : br, kd = rows * ntx;
      wg_copy_x(xt, xs, g, c0, cing, 2 * ty0, 2 * rows + 2, qx);
      wg_copy_g(gt, gs, g, m, mp, 2 * ty0, 2 * rows, gx);
      wg_input(v, xt, qx, rows, ntx, bt);
      /* Four transform points at a time, so their Gt panels are still in L1 for the products. */
      for (int xr = 0; xr < 4; xr++) {
        wg_gout(a, gt, gx, mp, rows, ntx, bt, xr);
        for (int j = 0; j < 4; j++)
          for (int i0 = 0, xi = 4 * xr + j; i0 < mp; i0 += MR)
            micro(dg + ((long)xi * mp + i0) * cp, cp, a + ((long)j * mp + i0) * bt, v + xi * bt * NR, kd, MR, NR,
                  !first, tile);
      }
    }
  }
  return 0;
}

/* G^T x for four values: (x0 + (x1 + x2)/2, (x1 - x2)/2, (x1 + x2)/2 + x3). */
#define GT3(x0, x1, x2, x3, y0, y1, y2) \
  {                                     \
    const float s_ = (x1 + x2) * 0.5f;  \
    y0 = x0 + s_;                       \
    y1 = (x1 - x2) * 0.5f;              \
    y2 = s_ + x3;                       \
  }

/* dU at (group, output channel, input channel), transform point xi: the sample blocks' partials in block order. */
static inline float wg_du_sum(const float *src, long xs, int xi, int nb, long bs) {
  float s = src[xi * xs];
  for (int b = 1; b < nb; b++) s += src[b * bs + xi * xs];
  return s;
}

/* dW = G^T dU G for every (group, output channel, input channel), dU the sum of the sample blocks' partials. */
static void wgrad_finish(const float *du, float *gw, const int *g) {
  const int groups = g[G_GROUPS], cing = g[G_CIN] / groups, m = g[G_COUT] / groups;
  const int cp = wg_cp(cing), mp = wg_mp(m), nb = wg_blocks(g);
  const long bs = wg_du_block(g);
  for (int gi = 0; gi < groups; gi++)
    for (int i = 0; i < m; i++)
      for (int c = 0; c < cing; c++) {
        const float *src = du + (long)gi * 16 * mp * cp + (long)i * cp + c;
        const long xs = (long)mp * cp;
        float d[16], t[3][4];
        for (int xi = 0; xi < 16; xi++) d[xi] = wg_du_sum(src, xs, xi, nb, bs);
        for (int j = 0; j < 4; j++)
          GT3(d[0 * 4 + j], d[1 * 4 + j], d[2 * 4 + j], d[3 * 4 + j], t[0][j], t[1][j], t[2][j])
        float *dst = gw + ((long)(gi * m + i) * cing + c) * 9;
        for (int a = 0; a < 3; a++) GT3(t[a][0], t[a][1], t[a][2], t[a][3], dst[a * 3], dst[a * 3 + 1], dst[a * 3 + 2])
      }
}
#undef GT3
#endif
