/*
 * Float32 kernels of Autograd Studio in WebAssembly SIMD: 2-D convolution
 * (forward, input gradient, weight gradient) by im2col + GEMM, and a plain
 * matrix product. Built by build/wasm/build.mjs; loaded by
 * engine/kernels/fast. Tensors are NCHW / OIHW, row-major, contiguous.
 *
 * Every export takes a work range ([b0, b1) samples, [r0, r1) rows) so two
 * threads can share one call; each output element is always computed by one
 * thread with the same arithmetic, so results do not depend on the split.
 * Scratch is per thread; sizes come from the *_scratch exports.
 */
#include "winograd.h"
#include "conv1.h"

#define EXPORT(name) __attribute__((export_name(#name)))
#include "skinny.h"


static inline int ceil_div(int a, int b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

/* [lo, hi) of output positions o with o*stride + base inside [0, size), clamped to [0, out). */
static inline void valid_range(int base, int stride, int size, int out, int *lo, int *hi) {
  int l = base >= 0 ? 0 : ceil_div(-base, stride);
  int h = ceil_div(size - base, stride);
  if (l > out) l = out;
  if (h > out) h = out;
  if (h < l) h = l;
  *lo = l;
  *hi = h;
}

/* Scatter-adds the column matrix of one sample/group into its input planes (dst pre-filled). */
static void col2im(const float *col, float *dst, const int *g, int cing) {
  const int h = g[G_H], w = g[G_W], kh_ = g[G_KH], kw_ = g[G_KW], sh = g[G_SH], sw = g[G_SW];
  const int ph = g[G_PH], pw = g[G_PW], dh = g[G_DH], dw = g[G_DW], ho = g[G_HOUT], wo = g[G_WOUT];
  const int P = ho * wo;
  int r = 0;
  for (int c = 0; c < cing; c++) {
    float *dc = dst + (long)c * h * w;
    for (int kh = 0; kh < kh_; kh++) {
      for (int kw = 0; kw < kw_; kw++, r++) {
        int ihb = kh * dh - ph, iwb = kw * dw - pw;
        int lo, hi;
        valid_range(iwb, sw, w, wo, &lo, &hi);
        const float *src = col + (long)r * P;
        for (int oh = 0; oh < ho; oh++) {
          int ih = oh * sh + ihb;
          if (ih < 0 || ih >= h) continue;
          float *d = dc + (long)ih * w + iwb;
          const float *s = src + oh * wo;
          if (sw == 1) {
            for (int ow = lo; ow < hi; ow++) d[ow] += s[ow];
          } else {
            for (int ow = lo; ow < hi; ow++) d[ow * sw] += s[ow];
          }
        }
      }
    }
  }
}

/** Scratch floats per thread of conv_forward. */
EXPORT(conv_forward_scratch) int conv_forward_scratch(const int *g) {
  int cing = g[G_CIN] / g[G_GROUPS], coutg = g[G_COUT] / g[G_GROUPS];
  int rest = conv_gemm_scratch(g, cing);
  if (c1_ok(g) && c1_fwd_scratch(g) > rest) rest = c1_fwd_scratch(g);
  if (wino_ok(g, cing, coutg)) {
    const int ws = wino_scratch(g[G_HOUT], g[G_WOUT], cing, coutg);
    rest = wino_u_floats(coutg, cing) + (ws > rest ? ws : rest);
  }
  return conv_pa_floats(coutg, cing * g[G_KH] * g[G_KW]) + rest + 8;
}

/*
 * Packs group gi's kernel for conv_fwd_samples (A panels, and Winograd's U
 * when it applies; with one input channel (c1_ok) a plain copy).
 */
static void conv_fwd_prep(const float *wt, const int *g, float *scratch, int gi) {
  const int cing = g[G_CIN] / g[G_GROUPS], coutg = g[G_COUT] / g[G_GROUPS], K = cing * g[G_KH] * g[G_KW];
  if (c1_ok(g)) {
    for (int i = 0; i < coutg * K; i++) scratch[i] = wt[(long)gi * coutg * K + i];
    return;
  }
  conv_pack_a(scratch, wt + (long)gi * coutg * K, K, 1, coutg, K);
  if (wino_ok(g, cing, coutg)) wino_kernel(scratch + conv_pa_floats(coutg, K), scratch, coutg, cing);
}

/* Forward of group gi for samples [b0, b1), its kernel packed by conv_fwd_prep into scratch. */
static void conv_fwd_samples(const float *x, const float *bias, float *out, const int *g, float *scratch, int gi, int b0,
                             int b1) {
  const int cin = g[G_CIN], cout = g[G_COUT], cing = cin / g[G_GROUPS], coutg = cout / g[G_GROUPS];
  const int K = cing * g[G_KH] * g[G_KW], hw = g[G_H] * g[G_W], P = g[G_HOUT] * g[G_WOUT];
  float *pa = scratch;
  float *gs = scratch + conv_pa_floats(coutg, K);
  const int wino = wino_ok(g, cing, coutg) && all_finite(pa, conv_pa_floats(coutg, K));
  float *ws = gs + (wino_ok(g, cing, coutg) ? wino_u_floats(coutg, cing) : 0);
  const float *bg = bias ? bias + (long)gi * coutg : 0;
  for (int b = b0; b < b1; b++) {
    const float *xg = x + ((long)b * cin + (long)gi * cing) * hw;
    float *o = out + ((long)b * cout + (long)gi * coutg) * P;
    if (c1_ok(g)) {
      c1_conv(o, pa, bg, xg, g, coutg, ws);
      continue;
    }
    /* Note [Winograd bias]; Note [Winograd and non-finite values]: else the direct convolution (scratch past U). */
    if (wino && !wino_conv(o, gs, bg, xg, g, cing, coutg, ws)) continue;
    conv_gemm(o, pa, xg, g, cing, coutg, ws);
    if (bg) {
      for (int oc = 0; oc < coutg; oc++) {
        float bv = bg[oc];
        float *orow = o + (long)oc * P;
        for (int p = 0; p < P; p++) orow[p] += bv;
      }
    }
  }
}

/** Forward for samples [b0, b1): out = conv(x, w) + bias (bias may be 0). */
EXPORT(conv_forward)
void conv_forward(const float *x, const float *wt, const float *bias, float *out, const int *g, float *scratch, int b0, int b1) {
  for (int gi = 0; gi < g[G_GROUPS]; gi++) {
    conv_fwd_prep(wt, g, scratch, gi);
    conv_fwd_samples(x, bias, out, g, scratch, gi, b0, b1);
  }
}

/*
 * True when the geometry lets the input gradient be computed as a stride-1
 * convolution of the output gradient (enough input channels per group to
 * amortise its packing).
 */
static int flippable(const int *g) { return g[G_SH] == 1 && g[G_SW] == 1 && g[G_CIN] / g[G_GROUPS] >= 4; }

/*
 * Note [Flipped input gradient and non-finite weights]
 * The flipped convolution reads the output gradient zero-padded by
 * dil*(k-1)-pad, so every weight also meets padding zeros that stand for
 * output positions which do not exist. An infinite or NaN weight times such a
 * zero is NaN, where PyTorch (and col2im, which only scatters the products of
 * real output positions) gives +-inf or a finite value: a 3x3 kernel with
 * w[0][0] = inf, padding 1, all-ones output gradient, gives the input
 * gradient [[inf, inf, 4], [inf, inf, 6], [4, 6, 4]] per 3x3 plane (torch
 * 1.13). So weights holding a non-finite value take the col2im path.
 */
static int flipped(const int *g, const float *wt) {
  const long nw = (long)g[G_COUT] * (g[G_CIN] / g[G_GROUPS]) * g[G_KH] * g[G_KW];
  return flippable(g) && all_finite(wt, nw);
}

/* The geometry of that convolution: input gout (coutg planes), output the input gradient. */
static void flipped_geometry(int *g2, const int *g) {
  const int kh_ = g[G_KH], kw_ = g[G_KW];
  g2[G_N] = 1; g2[G_CIN] = g[G_COUT] / g[G_GROUPS]; g2[G_H] = g[G_HOUT]; g2[G_W] = g[G_WOUT];
  g2[G_COUT] = g[G_CIN] / g[G_GROUPS]; g2[G_KH] = kh_; g2[G_KW] = kw_; g2[G_SH] = 1; g2[G_SW] = 1;
  g2[G_PH] = g[G_DH] * (kh_ - 1) - g[G_PH]; g2[G_PW] = g[G_DW] * (kw_ - 1) - g[G_PW];
  g2[G_DH] = g[G_DH]; g2[G_DW] = g[G_DW]; g2[G_GROUPS] = 1; g2[G_HOUT] = g[G_H]; g2[G_WOUT] = g[G_W];
}

/** Scratch floats per thread of conv_backward_input. */
EXPORT(conv_backward_input_scratch) int conv_backward_input_scratch(const int *g) {
  int cing = g[G_CIN] / g[G_GROUPS], coutg = g[G_COUT] / g[G_GROUPS];
  int K = cing * g[G_KH] * g[G_KW], P = g[G_HOUT] * g[G_WOUT], kk = g[G_KH] * g[G_KW];
  int col = K * P + gemm_scratch(K, coutg) + 8;
  if (flippable(g)) { /* flipped, or col2im when a weight is not finite (Note [Flipped input gradient...]) */
    /* conv_gemm_scratch of the flipped geometry, without building it. */
    int ph2 = g[G_DH] * (g[G_KH] - 1) - g[G_PH], pw2 = g[G_DW] * (g[G_KW] - 1) - g[G_PW];
    int padded = ph2 < 0 || pw2 < 0 ? 0 : coutg * (g[G_HOUT] + 2 * ph2) * (g[G_WOUT] + 2 * pw2 + NR) + 16;
    int rest = MR * NR + gemm_nc(coutg * kk) * coutg * kk + 32 + padded;
    int ws = wino_scratch(g[G_H], g[G_W], coutg, cing);
    int w2 = wino_u_floats(cing, coutg) + (ws > rest ? ws : rest);
    if (rest < w2) rest = w2;
    int flip = 16 + cing * coutg * kk + conv_pa_floats(cing, coutg * kk) + rest + 8;
    return flip > col ? flip : col;
  }
  return col;
}

/* Flips, transposes and packs group gi's kernel for bwd_in_samples (and Winograd's U when it applies). */
static void bwd_in_prep(const float *wt, const int *g, float *scratch, int gi) {
  const int cing = g[G_CIN] / g[G_GROUPS], coutg = g[G_COUT] / g[G_GROUPS], kk = g[G_KH] * g[G_KW];
  int *g2 = (int *)scratch;
  float *wf = scratch + 16;
  float *pa = wf + (long)cing * coutg * kk;
  flipped_geometry(g2, g);
  /* wf[c][oc][t'] = w[gi*coutg + oc][c][kk-1-t'] */
  for (int c = 0; c < cing; c++)
    for (int oc = 0; oc < coutg; oc++) {
      const float *src = wt + ((long)(gi * coutg + oc) * cing + c) * kk;
      float *dst = wf + ((long)c * coutg + oc) * kk;
      for (int t = 0; t < kk; t++) dst[t] = src[kk - 1 - t];
    }
  conv_pack_a(pa, wf, coutg * kk, 1, cing, coutg * kk);
  if (wino_ok(g2, coutg, cing)) wino_kernel(pa + conv_pa_floats(cing, coutg * kk), pa, cing, coutg);
}

/* Input gradient of group gi for samples [b0, b1) (flipped(g, wt)), the kernel packed by bwd_in_prep. */
static void bwd_in_samples(const float *gout, float *gin, const int *g, float *scratch, int gi, int b0, int b1) {
  const int cin = g[G_CIN], cout = g[G_COUT], cing = cin / g[G_GROUPS], coutg = cout / g[G_GROUPS];
  const int kk = g[G_KH] * g[G_KW], hw = g[G_H] * g[G_W], P = g[G_HOUT] * g[G_WOUT];
  const int *g2 = (const int *)scratch;
  const float *pa = scratch + 16 + (long)cing * coutg * kk;
  float *gs = (float *)pa + conv_pa_floats(cing, coutg * kk);
  const int wino = wino_ok(g2, coutg, cing) && all_finite(pa, conv_pa_floats(cing, coutg * kk));
  float *ws = gs + (wino_ok(g2, coutg, cing) ? wino_u_floats(cing, coutg) : 0);
  for (int b = b0; b < b1; b++) {
    const float *go = gout + ((long)b * cout + (long)gi * coutg) * P;
    float *dst = gin + ((long)b * cin + (long)gi * cing) * hw;
    /* Note [Winograd and non-finite values]: else the direct convolution (scratch past U). */
    if (!wino || wino_conv(dst, gs, 0, go, g2, coutg, cing, ws)) conv_gemm(dst, pa, go, g2, coutg, cing, ws);
  }
}

/*
 * Input gradient for samples [b0, b1). With stride 1 it is the forward
 * convolution of the output gradient with the flipped, transposed kernel and
 * padding dil*(k-1)-pad (no column matrix, no scatter); otherwise, and when a
 * weight is not finite (Note [Flipped input gradient and non-finite weights]),
 * the column matrix W^T * gout is scattered back (col2im).
 */
EXPORT(conv_backward_input)
void conv_backward_input(const float *gout, const float *wt, float *gin, const int *g, float *scratch, int b0, int b1) {
  const int groups = g[G_GROUPS], cin = g[G_CIN], cout = g[G_COUT];
  const int cing = cin / groups, coutg = cout / groups, K = cing * g[G_KH] * g[G_KW];
  const int hw = g[G_H] * g[G_W], P = g[G_HOUT] * g[G_WOUT];
  if (flipped(g, wt)) {
    for (int gi = 0; gi < groups; gi++) {
      bwd_in_prep(wt, g, scratch, gi);
      bwd_in_samples(gout, gin, g, scratch, gi, b0, b1);
    }
    return;
  }
  float *col = scratch;
  float *gs = scratch + (long)K * P;
  for (int b = b0; b < b1; b++) {
    float *gb = gin + (long)b * cin * hw;
    for (long i = 0; i < (long)cin * hw; i++) gb[i] = 0.0f;
    for (int gi = 0; gi < groups; gi++) {
      const float *go = gout + ((long)b * cout + (long)gi * coutg) * P;
      gemm(col, P, wt + (long)gi * coutg * K, 1, K, go, P, K, coutg, P, 0, gs);
      col2im(col, gb + (long)gi * cing * hw, g, cing);
    }
  }
}

/** Floats of the packed output gradient that conv_backward_weight reads (see pack_gout). */
EXPORT(pack_gout_floats) int pack_gout_floats(const int *g) {
  int coutg = g[G_COUT] / g[G_GROUPS], cp = (coutg + NR - 1) / NR * NR;
  return g[G_GROUPS] * g[G_N] * cp * g[G_HOUT] * g[G_WOUT];
}

/**
 * Packs the output gradient of units [u0, u1) (unit = group * n + sample) as
 * transposed NR-wide B panels, read by every thread of conv_backward_weight.
 */
EXPORT(pack_gout) void pack_gout(const float *gout, float *packed, const int *g, int u0, int u1) {
  const int groups = g[G_GROUPS], n = g[G_N], coutg = g[G_COUT] / groups, P = g[G_HOUT] * g[G_WOUT];
  const int cp = (coutg + NR - 1) / NR * NR;
  for (int u = u0; u < u1; u++) {
    const int gi = u / n, b = u % n;
    pack_b_t(packed + (long)u * cp * P, gout + ((long)b * g[G_COUT] + (long)gi * coutg) * P, P, coutg, P);
  }
}

/** Scratch floats per thread of conv_backward_weight. */
EXPORT(conv_backward_weight_scratch) int conv_backward_weight_scratch(const int *g) {
  int cing = g[G_CIN] / g[G_GROUPS], coutg = g[G_COUT] / g[G_GROUPS];
  int K = cing * g[G_KH] * g[G_KW], P = g[G_HOUT] * g[G_WOUT];
  return MR * NR + MR * P + (K + MR) * coutg + 32 + padded_floats(g, cing) + 16;
}

/*
 * Weight gradient, rows [r0, r1) of every group's [coutg, K] block (r indexes
 * (c, kh, kw)): gw[oc, r] = sum over samples (ascending) of the sum over
 * positions (ascending) of gout[b, oc, p] * col_b[r, p], formed as
 * ct[r, oc]; `packed` is the output gradient as pack_gout left it. With unit
 * horizontal stride the column rows are read straight from a padded copy of
 * the planes the rows need; otherwise they are packed.
 */
EXPORT(conv_backward_weight)
void conv_backward_weight(const float *packed, const float *x, float *gw, const int *g, float *scratch, int r0, int r1) {
  const int groups = g[G_GROUPS], cin = g[G_CIN], cout = g[G_COUT], n = g[G_N];
  const int kh_ = g[G_KH], kw_ = g[G_KW], kk = kh_ * kw_;
  const int cing = cin / groups, coutg = cout / groups, K = cing * kk;
  const int hw = g[G_H] * g[G_W], ho = g[G_HOUT], wo = g[G_WOUT], P = ho * wo;
  const int cp = (coutg + NR - 1) / NR * NR;
  if (r1 <= r0) return;
  float *tile = scratch;
  float *pa = tile + MR * NR;
  float *ct = pa + (long)MR * P;
  int *g2 = (int *)(ct + (long)(K + MR) * coutg);
  float *padbuf = (float *)g2 + 32;
  const int c0 = r0 / kk, c1 = (r1 - 1) / kk + 1;
  const int direct = padded_floats(g, cing) > 0;
  for (int gi = 0; gi < groups; gi++) {
    for (int b = 0; b < n; b++) {
      const float *xg = x + ((long)b * cin + (long)gi * cing) * hw;
      const float *pb = packed + ((long)gi * n + b) * cp * P;
      const float *xp = direct ? pad_planes(padbuf, g2, xg + (long)c0 * hw, g, c1 - c0) : xg;
      const int hp = direct ? g2[G_H] : 0, wp = direct ? g2[G_W] : 0;
      for (int i0 = r0; i0 < r1; i0 += MR) {
        const int rows = r1 - i0 < MR ? r1 - i0 : MR;
        const float *xa[MR];
        if (direct) {
          for (int i = 0; i < MR; i++) {
            int r = i0 + (i < rows ? i : 0), c = r / kk - c0, t = r % kk;
            xa[i] = xp + (long)c * hp * wp + (t / kw_) * g[G_DH] * wp + (t % kw_) * g[G_DW];
          }
        } else {
          pack_a_conv(pa, xg, g, i0, rows);
        }
        for (int j0 = 0; j0 < coutg; j0 += NR) {
          const int cols = coutg - j0 < NR ? coutg - j0 : NR;
          float *dst = ct + (long)(i0 - r0) * coutg + j0;
          const float *pbj = pb + (long)(j0 / NR) * P * NR;
          if (direct) {
            micro_wgrad(dst, coutg, xa[0], xa[1], xa[2], xa[3], g[G_SH] * wp, ho, wo, pbj, rows, cols, b > 0);
          } else {
            micro(dst, coutg, pa, pbj, P, rows, cols, b > 0, tile);
          }
        }
      }
    }
    if (n == 0) {
      for (long i = 0; i < (long)(r1 - r0) * coutg; i++) ct[i] = 0.0f;
    }
    for (int oc = 0; oc < coutg; oc++) {
      float *dst = gw + (long)(gi * coutg + oc) * K;
      for (int r = r0; r < r1; r++) dst[r] = ct[(long)(r - r0) * coutg + oc];
    }
  }
}

/** Units of the Winograd weight gradient, 0 when the geometry does not take it (winograd.h). */
EXPORT(wino_wgrad_units) int wino_wgrad_units(const int *g) { return wgrad_units(g); }

/** Floats of dU, and of one thread's scratch for wino_wgrad. */
EXPORT(wino_wgrad_du_floats) int wino_wgrad_du_floats(const int *g) { return (int)(wg_blocks(g) * wg_du_block(g)); }
EXPORT(wino_wgrad_scratch) int wino_wgrad_scratch(const int *g) { return wgrad_scratch(g); }

/**
 * dU columns of units [u0, u1) (unit = group, panel of 8 input channels and block of samples);
 * bad[u] = 1 when unit u met an infinite or NaN value (then the direct weight gradient is needed).
 */
EXPORT(wino_wgrad)
void wino_wgrad(const float *gout, const float *x, float *du, int *bad, const int *g, float *scratch, int u0, int u1) {
  for (int u = u0; u < u1; u++) bad[u] = wgrad_unit(du, gout, x, g, scratch, u);
}

/** The weight gradient [cout, cin/groups, 3, 3] from dU. */
EXPORT(wino_wgrad_finish) void wino_wgrad_finish(const float *du, float *gw, const int *g) { wgrad_finish(du, gw, g); }

/** Units of the one-channel weight gradient, 0 when the geometry does not take it (conv1.h). */
EXPORT(c1_wgrad_units) int c1_wgrad_units(const int *g) { return c1_units(g); }

/** Floats of the units' partial sums, and of one thread's scratch for c1_wgrad. */
EXPORT(c1_wgrad_part_floats) int c1_wgrad_part_floats(const int *g) {
  return c1_units(g) * (g[G_COUT] / g[G_GROUPS]) * g[G_KH] * g[G_KW];
}
EXPORT(c1_wgrad_scratch_floats) int c1_wgrad_scratch_floats(const int *g) { return c1_wgrad_scratch(g); }

/** Partial sums of units [u0, u1) of the one-channel weight gradient (Note [One-channel weight gradient order]). */
EXPORT(c1_wgrad)
void c1_wgrad(const float *gout, const float *x, float *part, const int *g, float *scratch, int u0, int u1) {
  for (int u = u0; u < u1; u++) c1_wgrad_unit(part, gout, x, g, scratch, u);
}

/** The weight gradient [cout, 1, kh, kw] from the units' partial sums. */
EXPORT(c1_wgrad_sum) void c1_wgrad_sum(const float *part, float *gw, const int *g) { c1_wgrad_finish(part, gw, g); }

/** Scratch floats per thread of matmul. */
EXPORT(matmul_scratch) int matmul_scratch(int m, int k) { return gemm_scratch(m, k) + 8; }

/** Rows [i0, i1) of C[m, n] = A * B, A(i, p) = a[i*ars + p*acs], B row-major [k, n]. */
EXPORT(matmul)
void matmul(float *c, const float *a, int ars, int acs, const float *b, int m, int k, int n, float *scratch, int i0, int i1) {
  (void)m;
  if (i1 <= i0) return;
  if (k == 0) {
    for (long i = (long)i0 * n; i < (long)i1 * n; i++) c[i] = 0.0f;
    return;
  }
  gemm(c + (long)i0 * n, n, a + (long)i0 * ars, ars, acs, b, n, i1 - i0, k, n, 0, scratch);
}

/*
 * Dynamic scheduling: the *_dyn twins take work in chunks of `step` units
 * from a shared counter until none is left, so a thread that starts late (or
 * never) does not hold the others up. Each unit is computed the same way by
 * whichever thread takes it, so the result does not depend on the schedule.
 */
static inline int next_chunk(int *counter) { return __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }

/*
 * With one group the convolution's kernel is packed once per thread, on its
 * first chunk, instead of once per chunk (Winograd's U costs about as much as
 * a sample of W2's conv2).
 */
EXPORT(conv_forward_dyn)
void conv_forward_dyn(const float *x, const float *wt, const float *bias, float *out, const int *g, float *scratch,
                      int *counter, int total, int step) {
  int packed = 0;
  for (int c = next_chunk(counter); c * step < total; c = next_chunk(counter)) {
    int lo = c * step, hi = lo + step < total ? lo + step : total;
    if (g[G_GROUPS] != 1) {
      conv_forward(x, wt, bias, out, g, scratch, lo, hi);
      continue;
    }
    if (!packed) conv_fwd_prep(wt, g, scratch, 0);
    packed = 1;
    conv_fwd_samples(x, bias, out, g, scratch, 0, lo, hi);
  }
}

EXPORT(conv_backward_input_dyn)
void conv_backward_input_dyn(const float *gout, const float *wt, float *gin, const int *g, float *scratch, int *counter,
                             int total, int step) {
  int packed = 0;
  for (int c = next_chunk(counter); c * step < total; c = next_chunk(counter)) {
    int lo = c * step, hi = lo + step < total ? lo + step : total;
    if (g[G_GROUPS] != 1 || !flipped(g, wt)) {
      conv_backward_input(gout, wt, gin, g, scratch, lo, hi);
      continue;
    }
    if (!packed) bwd_in_prep(wt, g, scratch, 0);
    packed = 1;
    bwd_in_samples(gout, gin, g, scratch, 0, lo, hi);
  }
}

EXPORT(conv_backward_weight_dyn)
void conv_backward_weight_dyn(const float *packed, const float *x, float *gw, const int *g, float *scratch, int *counter,
                              int total, int step) {
  for (int c = next_chunk(counter); c * step < total; c = next_chunk(counter)) {
    int lo = c * step, hi = lo + step < total ? lo + step : total;
    conv_backward_weight(packed, x, gw, g, scratch, lo, hi);
  }
}

EXPORT(matmul_dyn)
void matmul_dyn(float *cm, const float *a, int ars, int acs, const float *b, int m, int k, int n, float *scratch,
                int *counter, int total, int step) {
  for (int c = next_chunk(counter); c * step < total; c = next_chunk(counter)) {
    int lo = c * step, hi = lo + step < total ? lo + step : total;
    matmul(cm, a, ars, acs, b, m, k, n, scratch, lo, hi);
  }
}

EXPORT(pack_gout_dyn) void pack_gout_dyn(const float *gout, float *packed, const int *g, int *counter, int total, int step) {
  for (int c = next_chunk(counter); c * step < total; c = next_chunk(counter)) {
    int lo = c * step, hi = lo + step < total ? lo + step : total;
    pack_gout(gout, packed, g, lo, hi);
  }
}

EXPORT(wino_wgrad_dyn)
void wino_wgrad_dyn(const float *gout, const float *x, float *du, int *bad, const int *g, float *scratch, int *counter,
                    int total, int step) {
  for (int c = next_chunk(counter); c * step < total; c = next_chunk(counter)) {
    int lo = c * step, hi = lo + step < total ? lo + step : total;
    wino_wgrad(gout, x, du, bad, g, scratch, lo, hi);
  }
}

EXPORT(c1_wgrad_dyn)
void c1_wgrad_dyn(const float *gout, const float *x, float *part, const int *g, float *scratch, int *counter, int total,
                  int step) {
  for (int c = next_chunk(counter); c * step < total; c = next_chunk(counter)) {
    int lo = c * step, hi = lo + step < total ? lo + step : total;
    c1_wgrad(gout, x, part, g, scratch, lo, hi);
  }
}
