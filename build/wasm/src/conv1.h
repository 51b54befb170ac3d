/*
 * Convolutions with one input channel per group (a first layer on grey
 * images such as W2's conv1, a depthwise convolution) and unit horizontal
 * stride. The GEMM of conv.h would reduce over only kh*kw taps (9 for 3x3),
 * so its 4x8 micro-kernel spends much of its time starting and storing tiles,
 * and the weight gradient first transposes the whole output gradient
 * (pack_gout). Here the SIMD lanes are four consecutive output positions of
 * one row, read straight from a zero-padded copy of the input plane
 * (pad_planes), whose NR slack columns absorb the reads past a row's end.
 */
#ifndef AS_CONV1_H
#define AS_CONV1_H
#include "conv.h"

#define AI __attribute__((always_inline)) inline

/* True when the one-channel paths take geometry g. */
static inline int c1_ok(const int *g) { return g[G_CIN] == g[G_GROUPS] && g[G_N] > 0 && padded_floats(g, 1) > 0; }

/* Scratch floats of c1_conv (after its caller's): tap offsets, padded geometry, padded plane. */
static inline int c1_fwd_scratch(const int *g) { return g[G_KH] * g[G_KW] + 4 + 16 + padded_floats(g, 1); }

/* The offsets of the kk taps in a padded plane of row stride wp. */
static void c1_offsets(int *off, const int *g, int wp) {
  int t = 0;
  for (int kh = 0; kh < g[G_KH]; kh++)
    for (int kw = 0; kw < g[G_KW]; kw++) off[t++] = kh * g[G_DH] * wp + kw * g[G_DW];
}

/*
 * no <= 2 output channels (kernel rows w, w + kk; output rows o, o + P) by
 * nv <= 4 vectors of one output row: o[0, width) = sum over taps t
 * (ascending, from 0) of w[t] * xr[off[t] + j], plus the bias when given,
 * added last. The arithmetic and order of micro_direct, so the same bits.
 */
static AI void c1_fwd_run(float *o, int P, const float *xr, const int *off, const float *w, int kk, const float *bias,
                          int no, int nv, int width) {
  v128_t z = wasm_f32x4_splat(0.0f);
  v128_t a[2][4] = {{z, z, z, z}, {z, z, z, z}};
  for (int t = 0; t < kk; t++) {
    const float *s = xr + off[t];
    v128_t wv[2], xv[4];
    for (int i = 0; i < no; i++) wv[i] = wasm_v128_load32_splat(w + i * kk + t);
    for (int v = 0; v < nv; v++) xv[v] = wasm_v128_load(s + 4 * v);
    for (int i = 0; i < no; i++)
      for (int v = 0; v < nv; v++) a[i][v] = MADD(wv[i], xv[v], a[i][v]);
  }
  for (int i = 0; i < no; i++) {
    if (bias) {
      v128_t bv = wasm_v128_load32_splat(bias + i);
      for (int v = 0; v < nv; v++) a[i][v] = wasm_f32x4_add(a[i][v], bv);
    }
    float *oi = o + (long)i * P;
    for (int v = 0; v < nv - 1; v++) wasm_v128_store(oi + 4 * v, a[i][v]);
    store_partial(oi + 4 * (nv - 1), a[i][nv - 1], width - 4 * (nv - 1));
  }
}

/* c1_fwd_run with constant counts, so its accumulators stay in registers (no stack). */
static void c1_fwd_runs(float *o, int P, const float *xr, const int *off, const float *w, int kk, const float *bias,
                        int no, int nv, int width) {
  switch (no * 8 + nv) {
#define C1_CASE(i, v) \
  case i * 8 + v: c1_fwd_run(o, P, xr, off, w, kk, bias, i, v, width); break;
    C1_CASE(1, 1) C1_CASE(1, 2) C1_CASE(1, 3) C1_CASE(1, 4) C1_CASE(2, 1) C1_CASE(2, 2) C1_CASE(2, 3) C1_CASE(2, 4)
#undef C1_CASE
    default: break;
  }
}

/*
 * Forward of one sample and group: coutg output planes at out from the one
 * input plane at x, kernel w [coutg, kh*kw], bias (coutg values) or 0.
 * scratch: c1_fwd_scratch floats.
 */
static void c1_conv(float *out, const float *w, const float *bias, const float *x, const int *g0, int coutg,
                    float *scratch) {
  const int kk = g0[G_KH] * g0[G_KW], ho = g0[G_HOUT], wo = g0[G_WOUT], P = ho * wo;
  int *off = (int *)scratch;
  int *g = off + ((kk + 3) & ~3);
  const float *xp = pad_planes((float *)g + 16, g, x, g0, 1);
  const int wp = g[G_W], rs = g0[G_SH] * wp;
  c1_offsets(off, g0, wp);
  for (int oc = 0; oc < coutg; oc += 2) {
    const int no = coutg - oc < 2 ? coutg - oc : 2;
    const float *wk = w + (long)oc * kk, *bk = bias ? bias + oc : 0;
    for (int oh = 0; oh < ho; oh++) {
      const float *xr = xp + (long)oh * rs;
      float *o = out + (long)oc * P + (long)oh * wo;
      for (int ow = 0; ow < wo; ow += 16) {
        const int width = wo - ow < 16 ? wo - ow : 16;
        c1_fwd_runs(o + ow, P, xr + ow, off, wk, kk, bk, no, (width + 3) / 4, width);
      }
    }
  }
}

/*
 * Note [One-channel weight gradient order]: gw[oc, t] = sum over samples and
 * positions of gout[b, oc, p] * xpad_b[p + off[t]] (the products of the
 * direct kernel, padding zeros included, so infinities and NaN give what
 * they give there). Samples are cut in fixed blocks of C1_BLOCK (a unit;
 * never depends on the thread count). In a unit, lane l of a tap's
 * accumulator adds, from 0, the products of the positions ow = 4k + l of
 * each row, rows ascending, samples ascending (a row's last vector loads
 * only the positions inside the row, zeros elsewhere, so it adds 0 * 0);
 * the unit's value is (l0 + l1) + (l2 + l3). c1_wgrad_finish adds the units'
 * values in ascending order. So every element has one fixed order.
 */
#define C1_BLOCK 2
/*
 * Output channels per step of the weight gradient: three by three taps with
 * fused multiply-adds (15 vector registers), two by three without (a product
 * needs a spare register; three spilled and ran 30% slower in V8).
 */
#ifdef USE_FMA
#define C1_NO 3
#else
#define C1_NO 2
#endif

/* Units of the one-channel weight gradient (group, block of C1_BLOCK samples); 0 when c1_ok fails. */
static inline int c1_units(const int *g) {
  return c1_ok(g) ? g[G_GROUPS] * ((g[G_N] + C1_BLOCK - 1) / C1_BLOCK) : 0;
}

/* Scratch floats per thread of c1_wgrad_unit. */
static inline int c1_wgrad_scratch(const int *g) {
  return g[G_KH] * g[G_KW] + 4 + 16 + C1_BLOCK * (padded_floats(g, 1) + 4);
}

/*
 * For no <= C1_NO output channels (gradient planes go, go + P, ..., ho x wo,
 * of the block's first sample, the next sample gs floats on) and nt <= 3
 * taps (the padded planes at xp, pf floats apart, row stride rs per output
 * row, at offsets off[t]): d[o * kk + t] = the unit's sum, over nb samples.
 * The accumulators and one step's loads stay in V8's 15 vector registers.
 */
static AI void c1_wgrad_run(float *d, int kk, const float *go, int P, long gs, const float *xp, int pf, const int *off,
                            int rs, int ho, int wo, int nb, int no, int nt) {
  v128_t a[3][3];
  for (int o = 0; o < no; o++)
    for (int t = 0; t < nt; t++) a[o][t] = wasm_f32x4_splat(0.0f);
  for (int b = 0; b < nb; b++, go += gs, xp += pf) {
    for (int oh = 0; oh < ho; oh++) {
      const float *g0 = go + (long)oh * wo, *g1 = g0 + P, *xr = xp + (long)oh * rs;
      const float *x0 = xr + off[0], *x1 = xr + off[nt > 1 ? 1 : 0], *x2 = xr + off[nt > 2 ? 2 : 0];
      int ow = 0;
      for (; ow + 4 <= wo; ow += 4) {
        v128_t gv[3], xv[3];
        gv[0] = wasm_v128_load(g0 + ow);
        if (no > 1) gv[1] = wasm_v128_load(g1 + ow);
        if (no > 2) gv[2] = wasm_v128_load(g1 + P + ow);
        xv[0] = wasm_v128_load(x0 + ow);
        if (nt > 1) xv[1] = wasm_v128_load(x1 + ow);
        if (nt > 2) xv[2] = wasm_v128_load(x2 + ow);
        for (int o = 0; o < no; o++)
          for (int t = 0; t < nt; t++) a[o][t] = MADD(gv[o], xv[t], a[o][t]);
      }
      if (ow < wo) {
        const int r = wo - ow;
        v128_t gv[3], xv[3];
        gv[0] = load_partial(g0 + ow, r);
        if (no > 1) gv[1] = load_partial(g1 + ow, r);
        if (no > 2) gv[2] = load_partial(g1 + P + ow, r);
        xv[0] = load_partial(x0 + ow, r);
        if (nt > 1) xv[1] = load_partial(x1 + ow, r);
        if (nt > 2) xv[2] = load_partial(x2 + ow, r);
        for (int o = 0; o < no; o++)
          for (int t = 0; t < nt; t++) a[o][t] = MADD(gv[o], xv[t], a[o][t]);
      }
    }
  }
  for (int o = 0; o < no; o++)
    for (int t = 0; t < nt; t++)
      d[o * kk + t] = (wasm_f32x4_extract_lane(a[o][t], 0) + wasm_f32x4_extract_lane(a[o][t], 1)) +
                      (wasm_f32x4_extract_lane(a[o][t], 2) + wasm_f32x4_extract_lane(a[o][t], 3));
}

/* c1_wgrad_run with constant counts, so its accumulators stay in registers (no stack). */
static void c1_wgrad_taps(float *d, int kk, const float *go, int P, long gs, const float *xp, int pf, const int *off,
                          int rs, int ho, int wo, int nb, int no, int nt) {
  switch (no * 4 + nt) {
#define C1_CASE(o, t) \
  case o * 4 + t: c1_wgrad_run(d, kk, go, P, gs, xp, pf, off, rs, ho, wo, nb, o, t); break;
    C1_CASE(1, 1) C1_CASE(1, 2) C1_CASE(1, 3) C1_CASE(2, 1) C1_CASE(2, 2) C1_CASE(2, 3)
#if C1_NO > 2
    C1_CASE(3, 1) C1_CASE(3, 2) C1_CASE(3, 3)
#endif
#undef C1_CASE
    default: break;
  }
}

/*
 * Unit u (Note [One-channel weight gradient order]): part[u*coutg*kk + oc*kk + t]
 * = the unit's sum for output channel oc of its group and tap t.
 */
static void c1_wgrad_unit(float *part, const float *gout, const float *x, const int *g, float *scratch, int u) {
  const int n = g[G_N], blocks = (n + C1_BLOCK - 1) / C1_BLOCK, gi = u / blocks, b0 = (u % blocks) * C1_BLOCK;
  const int nb = n - b0 < C1_BLOCK ? n - b0 : C1_BLOCK, cin = g[G_CIN], cout = g[G_COUT];
  const int coutg = cout / g[G_GROUPS], kk = g[G_KH] * g[G_KW], hw = g[G_H] * g[G_W];
  const int ho = g[G_HOUT], wo = g[G_WOUT], P = ho * wo, pf = padded_floats(g, 1) + 4;
  int *off = (int *)scratch;
  int *g2 = off + ((kk + 3) & ~3);
  float *pad = (float *)g2 + 16;
  for (int b = 0; b < nb; b++) pad_planes(pad + (long)b * pf, g2, x + ((long)(b0 + b) * cin + gi) * hw, g, 1);
  const int rs = g[G_SH] * g2[G_W];
  c1_offsets(off, g, g2[G_W]);
  float *dst = part + (long)u * coutg * kk;
  for (int oc = 0; oc < coutg; oc += C1_NO) {
    const float *go = gout + ((long)b0 * cout + (long)gi * coutg + oc) * P;
    const int no = coutg - oc < C1_NO ? coutg - oc : C1_NO;
    for (int t0 = 0; t0 < kk; t0 += 3)
      c1_wgrad_taps(dst + oc * kk + t0, kk, go, P, (long)cout * P, pad, pf, off + t0, rs, ho, wo, nb, no,
                    kk - t0 < 3 ? kk - t0 : 3);
  }
}

/* gw [cout, kh*kw] = the units' sums, blocks ascending (Note [One-channel weight gradient order]). */
static void c1_wgrad_finish(const float *part, float *gw, const int *g) {
  const int groups = g[G_GROUPS], blocks = c1_units(g) / groups, coutg = g[G_COUT] / groups;
  const int len = coutg * g[G_KH] * g[G_KW];
  for (int gi = 0; gi < groups; gi++) {
    const float *p = part + (long)gi * blocks * len;
    float *d = gw + (long)gi * len;
    for (int i = 0; i < len; i++) d[i] = p[i];
    for (int k = 1; k < blocks; k++)
      for (int i = 0; i < len; i++) d[i] += p[(long)k * len + i];
  }
}
#undef AI
#endif
