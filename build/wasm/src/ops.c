/*
 * Memory-bound float32 kernels in WebAssembly SIMD: ReLU and its gradient,
 * max/avg pooling and their gradients, the bias gradient of a convolution.
 * Semantics are those of engine/kernels/{elementwise,pool,conv2d}.ts (which
 * are PyTorch 1.13's); comparisons are branch-free selects, since
 * data-dependent branches mispredict about half the time on real data.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/*
 * a where the mask m is all ones, b where it is all zeros (m from a
 * comparison): relaxed SIMD's lane select in the FMA build (one blend
 * instruction; exact for such masks), else bitselect (three).
 */
#ifdef USE_FMA
typedef int i32x4_t __attribute__((__vector_size__(16), __aligned__(16)));
#define SELECT(a, b, m) ((v128_t)__builtin_wasm_relaxed_laneselect_i32x4((i32x4_t)(a), (i32x4_t)(b), (i32x4_t)(m)))
#else
#define SELECT(a, b, m) wasm_v128_bitselect((a), (b), (m))
#endif

/** out = x > 0 || isnan(x) ? x : 0 (so NaN propagates and -0 becomes 0), i.e. x is dropped where x <= 0. */
EXPORT(relu_forward) void relu_forward(const float *x, float *out, int n) {
  const v128_t z = wasm_f32x4_splat(0.0f);
  int i = 0;
  /* Four vectors a turn: on data in cache the loop's own instructions were a third of the time. */
  for (; i + 16 <= n; i += 16) {
    v128_t a = wasm_v128_load(x + i), b = wasm_v128_load(x + i + 4);
    v128_t c = wasm_v128_load(x + i + 8), d = wasm_v128_load(x + i + 12);
    wasm_v128_store(out + i, wasm_v128_andnot(a, wasm_f32x4_le(a, z)));
    wasm_v128_store(out + i + 4, wasm_v128_andnot(b, wasm_f32x4_le(b, z)));
    wasm_v128_store(out + i + 8, wasm_v128_andnot(c, wasm_f32x4_le(c, z)));
    wasm_v128_store(out + i + 12, wasm_v128_andnot(d, wasm_f32x4_le(d, z)));
  }
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    wasm_v128_store(out + i, wasm_v128_andnot(v, wasm_f32x4_le(v, z)));
  }
  for (; i < n; i++) {
    float v = x[i];
    out[i] = (v > 0.0f || v != v) ? v : 0.0f;
  }
}

/** out = result <= 0 ? 0 : g (ReluBackward0 with the saved result). */
EXPORT(relu_backward) void relu_backward(const float *g, const float *result, float *out, int n) {
  const v128_t z = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t a = wasm_f32x4_le(wasm_v128_load(result + i), z), b = wasm_f32x4_le(wasm_v128_load(result + i + 4), z);
    v128_t c = wasm_f32x4_le(wasm_v128_load(result + i + 8), z), d = wasm_f32x4_le(wasm_v128_load(result + i + 12), z);
    wasm_v128_store(out + i, wasm_v128_andnot(wasm_v128_load(g + i), a));
    wasm_v128_store(out + i + 4, wasm_v128_andnot(wasm_v128_load(g + i + 4), b));
    wasm_v128_store(out + i + 8, wasm_v128_andnot(wasm_v128_load(g + i + 8), c));
    wasm_v128_store(out + i + 12, wasm_v128_andnot(wasm_v128_load(g + i + 12), d));
  }
  for (; i + 4 <= n; i += 4) {
    v128_t drop = wasm_f32x4_le(wasm_v128_load(result + i), z);
    wasm_v128_store(out + i, wasm_v128_andnot(wasm_v128_load(g + i), drop));
  }
  for (; i < n; i++) out[i] = result[i] <= 0.0f ? 0.0f : g[i];
}

/* Pool geometry, as an int array (order of the engine's Pool2dGeometry). */
enum { P_PLANES, P_H, P_W, P_KH, P_KW, P_SH, P_SW, P_PH, P_PW, P_DH, P_DW, P_HOUT, P_WOUT };

/* Lanes of input column iw0 + l*sw (l = 0..3) of row xr. */
static inline v128_t gather4(const float *xr, int iw0, int sw) {
  if (sw == 1) return wasm_v128_load(xr + iw0);
  if (sw == 2) {
    v128_t a = wasm_v128_load(xr + iw0), b = wasm_v128_load(xr + iw0 + 4);
    return wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
  }
  return wasm_f32x4_make(xr[iw0], xr[iw0 + sw], xr[iw0 + 2 * sw], xr[iw0 + 3 * sw]);
}

/* One output window, scalar: the running maximum takes v when v > max or v is NaN. */
static inline void max_window(const float *xp, int w, int ih0, int ih1, int dh, int iw0, int iw1, int dw, float *out, int *ind) {
  int mi = ih0 * w + iw0;
  float mv = -__builtin_inff();
  for (int ih = ih0; ih < ih1; ih += dh) {
    for (int iw = iw0; iw < iw1; iw += dw) {
      int idx = ih * w + iw;
      float v = xp[idx];
      if (v > mv || v != v) {
        mv = v;
        mi = idx;
      }
    }
  }
  *out = mv;
  *ind = mi;
}

/**
 * Max pooling forward of planes [p0, p1): rows scanned in order, first
 * maximum wins, the last NaN wins. Windows that lie inside the input in the
 * width direction are done four at a time with branch-free SIMD selects.
 */
/*
 * Note [Max pooling 2x2 as a tree]
 * The general kernel scans a window's cells in order, and a cell replaces the
 * running maximum when it is greater or NaN: the first maximum wins a tie, the
 * last NaN wins. That rule gives the same cell when applied as a tree, each
 * row's winner first, then the second row's winner against the first's: a NaN
 * in the later group beats anything before it, a NaN in the earlier one beats
 * every number after it, and without NaN the earlier cell keeps a tie. So
 * MaxPool2d(2) takes three comparisons of which two are independent, and the
 * index is the row's offset (a take mask of -1 subtracted: 0 or 1) plus w when
 * the second row wins, with the values and indices of the scan.
 */
static inline v128_t later_wins(v128_t earlier, v128_t later) {
  return wasm_v128_or(wasm_f32x4_gt(later, earlier), wasm_f32x4_ne(later, later));
}

/*
 * Max pooling with 2x2 windows, stride 2, no padding or dilation (the usual
 * MaxPool2d(2)): four outputs from two 8-float loads per input row, the
 * window's cells taken in the same order and with the same rule as the
 * general kernel (row by row, a cell wins when it is greater or NaN), so
 * values and indices are identical. Windows cut by the input's edge (odd
 * sizes with ceil_mode) take the scalar path.
 */
static void maxpool_2x2(const float *x, float *out, int *ind, int h, int w, int ho, int wo, int p0, int p1) {
  const int hf = h / 2 < ho ? h / 2 : ho, wf = w / 2 < wo ? w / 2 : wo;
  const v128_t lane = wasm_i32x4_make(0, 2, 4, 6), zero = wasm_i32x4_splat(0), down = wasm_i32x4_splat(w);
  for (int p = p0; p < p1; p++) {
    const float *xp = x + (long)p * h * w;
    long o = (long)p * ho * wo;
    for (int oh = 0; oh < ho; oh++, o += wo) {
      const int ih0 = 2 * oh, ih1 = ih0 + 2 < h ? ih0 + 2 : h;
      int ow = 0;
      if (oh < hf) {
        const float *r0 = xp + (long)ih0 * w, *r1 = r0 + w;
        for (int next = 0; next < wf && wf >= 4; next = ow) {
          /* Groups of four outputs; the last one is moved back to end at wf (it overlaps the previous
           * group and recomputes the same values), so no full window takes the scalar path. */
          ow = next + 4 <= wf ? next : wf - 4;
          const int c = 2 * ow;
          v128_t a0 = wasm_v128_load(r0 + c), a1 = wasm_v128_load(r0 + c + 4);
          v128_t b0 = wasm_v128_load(r1 + c), b1 = wasm_v128_load(r1 + c + 4);
          v128_t e0 = wasm_i32x4_shuffle(a0, a1, 0, 2, 4, 6), o0 = wasm_i32x4_shuffle(a0, a1, 1, 3, 5, 7);
          v128_t e1 = wasm_i32x4_shuffle(b0, b1, 0, 2, 4, 6), o1 = wasm_i32x4_shuffle(b0, b1, 1, 3, 5, 7);
          /* See Note [Max pooling 2x2 as a tree]. */
          v128_t t0 = later_wins(e0, o0), t1 = later_wins(e1, o1);
          v128_t m0 = SELECT(o0, e0, t0), m1 = SELECT(o1, e1, t1);
          v128_t t = later_wins(m0, m1);
          v128_t off = SELECT(wasm_i32x4_sub(down, t1), wasm_i32x4_sub(zero, t0), t);
          wasm_v128_store(out + o + ow, SELECT(m1, m0, t));
          wasm_v128_store(ind + o + ow, wasm_i32x4_add(wasm_i32x4_splat(ih0 * w + c), wasm_i32x4_add(lane, off)));
          ow += 4;
        }
      }
      for (; ow < wo; ow++) {
        const int iw0 = 2 * ow, iw1 = iw0 + 2 < w ? iw0 + 2 : w;
        max_window(xp, w, ih0, ih1, 1, iw0, iw1, 1, out + o + ow, ind + o + ow);
      }
    }
  }
}

EXPORT(maxpool_forward)
void maxpool_forward(const float *x, float *out, int *ind, const int *g, int p0, int p1) {
  const int h = g[P_H], w = g[P_W], kh = g[P_KH], kw = g[P_KW], sh = g[P_SH], sw = g[P_SW];
  const int ph = g[P_PH], pw = g[P_PW], dh = g[P_DH], dw = g[P_DW], ho = g[P_HOUT], wo = g[P_WOUT];
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1) {
    maxpool_2x2(x, out, ind, h, w, ho, wo, p0, p1);
    return;
  }
  /* Outputs [lo, hi) whose window lies inside [0, w) horizontally. */
  int lo = 0;
  while (lo < wo && lo * sw - pw < 0) lo++;
  int hi = lo;
  while (hi < wo && hi * sw - pw + (kw - 1) * dw < w) hi++;
  /* The 4-wide loads of gather4 must stay inside the row: shrink hi for sw 1 and 2. */
  while (hi - lo >= 4 && sw <= 2 && (hi - 4) * sw - pw + (kw - 1) * dw + 4 * sw > w) hi--;
  const v128_t ninf = wasm_f32x4_splat(-__builtin_inff());
  const v128_t lane = wasm_i32x4_make(0, sw, 2 * sw, 3 * sw);
  for (int p = p0; p < p1; p++) {
    const float *xp = x + (long)p * h * w;
    long o = (long)p * ho * wo;
    for (int oh = 0; oh < ho; oh++, o += wo) {
      int ih0 = oh * sh - ph;
      int ih1 = ih0 + (kh - 1) * dh + 1;
      if (ih1 > h) ih1 = h;
      while (ih0 < 0) ih0 += dh;
      int ow = 0;
      for (; ow < lo && ow < wo; ow++) {
        int iw0 = ow * sw - pw, iw1 = iw0 + (kw - 1) * dw + 1;
        if (iw1 > w) iw1 = w;
        while (iw0 < 0) iw0 += dw;
        max_window(xp, w, ih0, ih1, dh, iw0, iw1, dw, out + o + ow, ind + o + ow);
      }
      for (; ow + 4 <= hi; ow += 4) {
        const int iwb = ow * sw - pw;
        v128_t mv = ninf;
        v128_t mi = wasm_i32x4_add(wasm_i32x4_splat(ih0 * w + iwb), lane);
        for (int ih = ih0; ih < ih1; ih += dh) {
          const float *xr = xp + (long)ih * w;
          for (int t = 0; t < kw; t++) {
            const int iw = iwb + t * dw;
            v128_t v = gather4(xr, iw, sw);
            v128_t take = wasm_v128_or(wasm_f32x4_gt(v, mv), wasm_f32x4_ne(v, v));
            mv = SELECT(v, mv, take);
            mi = SELECT(wasm_i32x4_add(wasm_i32x4_splat(ih * w + iw), lane), mi, take);
          }
        }
        wasm_v128_store(out + o + ow, mv);
        wasm_v128_store(ind + o + ow, mi);
      }
      for (; ow < wo; ow++) {
        int iw0 = ow * sw - pw, iw1 = iw0 + (kw - 1) * dw + 1;
        if (iw1 > w) iw1 = w;
        while (iw0 < 0) iw0 += dw;
        max_window(xp, w, ih0, ih1, dh, iw0, iw1, dw, out + o + ow, ind + o + ow);
      }
    }
  }
}

/*
 * Max pooling backward of MaxPool2d(2) on even sizes (every input cell in
 * exactly one window): each cell is written once, 0 + the output gradient
 * where the window's index points at it and 0 elsewhere, with no zeroing
 * pass and no scatter. 0 + g is what the scatter adds (it turns -0 into 0).
 * The indices are those of the forward pass, so each lies in its own window.
 */
static void maxpool_backward_2x2(const float *gout, const int *ind, float *gin, int w, int ho, int wo, int p0, int p1) {
  const v128_t lane = wasm_i32x4_make(0, 2, 4, 6), one = wasm_i32x4_splat(1), down = wasm_i32x4_splat(w);
  const v128_t diag = wasm_i32x4_splat(w + 1), zero = wasm_f32x4_splat(0.0f);
  for (int p = p0; p < p1; p++) {
    float *gp = gin + (long)p * 4 * ho * wo;
    long o = (long)p * ho * wo;
    for (int oh = 0; oh < ho; oh++, o += wo) {
      float *r0 = gp + (long)2 * oh * w, *r1 = r0 + w;
      int ow = 0;
      for (int next = 0; next < wo && wo >= 4; next = ow) {
        ow = next + 4 <= wo ? next : wo - 4; /* the last group overlaps the previous one: same values */
        const int c = 2 * ow;
        v128_t g = wasm_f32x4_add(wasm_v128_load(gout + o + ow), zero);
        v128_t d = wasm_i32x4_sub(wasm_v128_load(ind + o + ow), wasm_i32x4_add(wasm_i32x4_splat(2 * oh * w + c), lane));
        v128_t g00 = wasm_v128_and(g, wasm_i32x4_eq(d, zero)), g01 = wasm_v128_and(g, wasm_i32x4_eq(d, one));
        v128_t g10 = wasm_v128_and(g, wasm_i32x4_eq(d, down)), g11 = wasm_v128_and(g, wasm_i32x4_eq(d, diag));
        wasm_v128_store(r0 + c, wasm_i32x4_shuffle(g00, g01, 0, 4, 1, 5));
        wasm_v128_store(r0 + c + 4, wasm_i32x4_shuffle(g00, g01, 2, 6, 3, 7));
        wasm_v128_store(r1 + c, wasm_i32x4_shuffle(g10, g11, 0, 4, 1, 5));
        wasm_v128_store(r1 + c + 4, wasm_i32x4_shuffle(g10, g11, 2, 6, 3, 7));
        ow += 4;
      }
      for (; ow < wo; ow++) {
        const float v = 0.0f + gout[o + ow];
        const int d = ind[o + ow] - (2 * oh * w + 2 * ow);
        r0[2 * ow] = d == 0 ? v : 0.0f;
        r0[2 * ow + 1] = d == 1 ? v : 0.0f;
        r1[2 * ow] = d == w ? v : 0.0f;
        r1[2 * ow + 1] = d == w + 1 ? v : 0.0f;
      }
    }
  }
}

/**
 * Max pooling backward of planes [p0, p1) into gin (zeroed here): adds each
 * output gradient at plane*h*w + index; writes past `total` are dropped. A
 * window without input cells can point into the next plane (as in PyTorch),
 * so callers split planes only when no index leaves its plane.
 */
EXPORT(maxpool_backward)
void maxpool_backward(const float *gout, const int *ind, float *gin, const int *g, int p0, int p1, int total) {
  const long hw = (long)g[P_H] * g[P_W], po = (long)g[P_HOUT] * g[P_WOUT];
  if (g[P_KH] == 2 && g[P_KW] == 2 && g[P_SH] == 2 && g[P_SW] == 2 && g[P_PH] == 0 && g[P_PW] == 0 && g[P_DH] == 1 &&
      g[P_DW] == 1 && g[P_H] == 2 * g[P_HOUT] && g[P_W] == 2 * g[P_WOUT]) {
    maxpool_backward_2x2(gout, ind, gin, g[P_W], g[P_HOUT], g[P_WOUT], p0, p1);
    return;
  }
  for (long i = (long)p0 * hw; i < (long)p1 * hw; i++) gin[i] = 0.0f;
  for (int p = p0; p < p1; p++) {
    const long base = (long)p * hw, ob = (long)p * po;
    for (long o = 0; o < po; o++) {
      long idx = base + ind[ob + o];
      if (idx < total) gin[idx] += gout[ob + o];
    }
  }
}

/* PyTorch's average-pool divisor of the window starting at (ih0, iw0). */
static inline int avg_divisor(int ih0, int iw0, const int *g, int include_pad, int override) {
  if (override) return override;
  int ih1 = ih0 + g[P_KH], iw1 = iw0 + g[P_KW];
  if (ih1 > g[P_H] + g[P_PH]) ih1 = g[P_H] + g[P_PH];
  if (iw1 > g[P_W] + g[P_PW]) iw1 = g[P_W] + g[P_PW];
  if (include_pad) return (ih1 - ih0) * (iw1 - iw0);
  if (ih1 > g[P_H]) ih1 = g[P_H];
  if (iw1 > g[P_W]) iw1 = g[P_W];
  return (ih1 - (ih0 > 0 ? ih0 : 0)) * (iw1 - (iw0 > 0 ? iw0 : 0));
}

/* Horizontal range [lo, hi) of outputs whose window lies inside [0, w), in steps of 4 from lo. */
static inline void inner_range(int wo, int w, int kw, int sw, int pw, int *lo, int *hi) {
  int l = 0;
  while (l < wo && l * sw - pw < 0) l++;
  int h = l;
  while (h < wo && h * sw - pw + kw <= w) h++;
  /* Two 4-wide loads from the last window start must stay inside the row. */
  while (h - l >= 4 && (h - 4) * sw - pw + 8 > w) h--;
  *lo = l;
  *hi = h;
}

/* Lanes 0, 2, 4, 6 and 1, 3, 5, 7 of the 8 values at p. */
static inline void deinterleave(const float *p, v128_t *even, v128_t *odd) {
  v128_t a = wasm_v128_load(p), b = wasm_v128_load(p + 4);
  *even = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
  *odd = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
}

/**
 * Average pooling forward of planes [p0, p1) (dilation 1); window sums in
 * double, divided in double, rounded once. Windows inside the input of the
 * common 2-wide stride-2 kind are done four at a time.
 */
EXPORT(avgpool_forward)
void avgpool_forward(const float *x, float *out, const int *g, int include_pad, int override, int p0, int p1) {
  const int h = g[P_H], w = g[P_W], kh = g[P_KH], kw = g[P_KW], sh = g[P_SH], sw = g[P_SW];
  const int ph = g[P_PH], pw = g[P_PW], ho = g[P_HOUT], wo = g[P_WOUT];
  int lo = 0, hi = 0;
  if (kw == 2 && sw == 2) inner_range(wo, w, kw, sw, pw, &lo, &hi);
  for (int p = p0; p < p1; p++) {
    const float *xp = x + (long)p * h * w;
    long o = (long)p * ho * wo;
    for (int oh = 0; oh < ho; oh++) {
      int hs = oh * sh - ph, ih0 = hs > 0 ? hs : 0, ih1 = hs + kh < h ? hs + kh : h;
      for (int ow = 0; ow < wo; ow++, o++) {
        if (ow == lo && hi - lo >= 4 && ih0 < ih1 && hs >= 0 && hs + kh <= h) {
          /* Four windows fully inside: divisor is the same for all. */
          const double d = (double)avg_divisor(hs, lo * sw - pw, g, include_pad, override);
          const v128_t dv = wasm_f64x2_splat(d);
          for (; ow + 4 <= hi; ow += 4, o += 4) {
            v128_t s0 = wasm_f64x2_splat(0.0), s1 = wasm_f64x2_splat(0.0);
            for (int ih = ih0; ih < ih1; ih++) {
              v128_t e, od;
              deinterleave(xp + (long)ih * w + ow * 2 - pw, &e, &od);
              s0 = wasm_f64x2_add(s0, wasm_f64x2_promote_low_f32x4(e));
              s1 = wasm_f64x2_add(s1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(e, e, 2, 3, 0, 1)));
              s0 = wasm_f64x2_add(s0, wasm_f64x2_promote_low_f32x4(od));
              s1 = wasm_f64x2_add(s1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(od, od, 2, 3, 0, 1)));
            }
            v128_t r0 = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(s0, dv));
            v128_t r1 = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(s1, dv));
            wasm_v128_store(out + o, wasm_i32x4_shuffle(r0, r1, 0, 1, 4, 5));
          }
          if (ow >= wo) break;
        }
        int ws = ow * sw - pw, iw0 = ws > 0 ? ws : 0, iw1 = ws + kw < w ? ws + kw : w;
        if (ih0 >= ih1 || iw0 >= iw1) {
          out[o] = 0.0f;
          continue;
        }
        double s = 0.0;
        for (int ih = ih0; ih < ih1; ih++)
          for (int iw = iw0; iw < iw1; iw++) s += xp[ih * w + iw];
        out[o] = (float)(s / avg_divisor(hs, ws, g, include_pad, override));
      }
    }
  }
}

/**
 * Average pooling backward of planes [p0, p1) into gin (zeroed here): each
 * output gradient divided (in double, rounded to float) by its divisor is
 * added to its window's cells, outputs in order.
 */
EXPORT(avgpool_backward)
void avgpool_backward(const float *gout, float *gin, const int *g, int include_pad, int override, int p0, int p1) {
  const int h = g[P_H], w = g[P_W], kh = g[P_KH], kw = g[P_KW], sh = g[P_SH], sw = g[P_SW];
  const int ph = g[P_PH], pw = g[P_PW], ho = g[P_HOUT], wo = g[P_WOUT];
  for (long i = (long)p0 * h * w; i < (long)p1 * h * w; i++) gin[i] = 0.0f;
  int lo = 0, hi = 0;
  if (kw == 2 && sw == 2) inner_range(wo, w, kw, sw, pw, &lo, &hi);
  for (int p = p0; p < p1; p++) {
    float *gp = gin + (long)p * h * w;
    long o = (long)p * ho * wo;
    for (int oh = 0; oh < ho; oh++) {
      int hs = oh * sh - ph, ih0 = hs > 0 ? hs : 0, ih1 = hs + kh < h ? hs + kh : h;
      for (int ow = 0; ow < wo; ow++, o++) {
        if (ow == lo && hi - lo >= 4 && ih0 < ih1 && hs >= 0 && hs + kh <= h) {
          const v128_t dv = wasm_f64x2_splat((double)avg_divisor(hs, lo * sw - pw, g, include_pad, override));
          for (; ow + 4 <= hi; ow += 4, o += 4) {
            v128_t gv = wasm_v128_load(gout + o);
            v128_t q0 = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(wasm_f64x2_promote_low_f32x4(gv), dv));
            v128_t q1 = wasm_f32x4_demote_f64x2_zero(
                wasm_f64x2_div(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(gv, gv, 2, 3, 0, 1)), dv));
            v128_t d = wasm_i32x4_shuffle(q0, q1, 0, 1, 4, 5);
            v128_t dlo = wasm_i32x4_shuffle(d, d, 0, 0, 1, 1), dhi = wasm_i32x4_shuffle(d, d, 2, 2, 3, 3);
            for (int ih = ih0; ih < ih1; ih++) {
              float *row = gp + (long)ih * w + ow * 2 - pw;
              wasm_v128_store(row, wasm_f32x4_add(wasm_v128_load(row), dlo));
              wasm_v128_store(row + 4, wasm_f32x4_add(wasm_v128_load(row + 4), dhi));
            }
          }
          if (ow >= wo) break;
        }
        int ws = ow * sw - pw, iw0 = ws > 0 ? ws : 0, iw1 = ws + kw < w ? ws + kw : w;
        if (ih0 >= ih1 || iw0 >= iw1) continue;
        float d = (float)((double)gout[o] / avg_divisor(hs, ws, g, include_pad, override));
        for (int ih = ih0; ih < ih1; ih++)
          for (int iw = iw0; iw < iw1; iw++) gp[ih * w + iw] += d;
      }
    }
  }
}

/*
 * Reflect, replicate and circular padding of the last two dims, planes
 * [p0, p1): out[p, i, j] = x[p, mh[i], mw[j]] (h x w planes in, ho x wo out).
 * The interior columns of a row (mw[j] = j - left) are one block copy, as in
 * engine/kernels/pad.ts; only copies, so the same bits.
 */
EXPORT(pad_gather)
void pad_gather(const float *x, float *out, int h, int w, const int *mh, int ho, const int *mw, int wo, int left, int p0,
                int p1) {
  for (int p = p0; p < p1; p++) {
    const float *xp = x + (long)p * h * w;
    float *op = out + (long)p * ho * wo;
    for (int i = 0; i < ho; i++) {
      const float *row = xp + (long)mh[i] * w;
      float *o = op + (long)i * wo;
      for (int j = 0; j < left; j++) o[j] = row[mw[j]];
      __builtin_memcpy(o + left, row, (unsigned long)w * sizeof(float));
      for (int j = left + w; j < wo; j++) o[j] = row[mw[j]];
    }
  }
}

/*
 * out[j, i] = x[i, j] for a row-major rows x cols matrix, rows [r0, r1) of x:
 * 4x4 blocks transposed with shuffles, the edges one by one. Only copies.
 */
EXPORT(transpose)
void transpose(const float *x, float *out, int rows, int cols, int r0, int r1) {
  int i = r0;
  for (; i + 4 <= r1; i += 4) {
    const float *a = x + (long)i * cols;
    int j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128_t r0v = wasm_v128_load(a + j), r1v = wasm_v128_load(a + cols + j), r2v = wasm_v128_load(a + 2L * cols + j),
             r3v = wasm_v128_load(a + 3L * cols + j);
      v128_t t0 = wasm_i32x4_shuffle(r0v, r1v, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2v, r3v, 0, 4, 1, 5),
             t2 = wasm_i32x4_shuffle(r0v, r1v, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2v, r3v, 2, 6, 3, 7);
      wasm_v128_store(out + (long)j * rows + i, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
      wasm_v128_store(out + (long)(j + 1) * rows + i, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
      wasm_v128_store(out + (long)(j + 2) * rows + i, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
      wasm_v128_store(out + (long)(j + 3) * rows + i, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
    }
    for (; j < cols; j++)
      for (int k = 0; k < 4; k++) out[(long)j * rows + i + k] = a[(long)k * cols + j];
  }
  for (; i < r1; i++)
    for (int j = 0; j < cols; j++) out[(long)j * rows + i] = x[(long)i * cols + j];
}

/*
 * Sum of s[0, n) in double: four f64x2 accumulators (eight floats a step, so
 * the adds' latency overlaps), folded to two, then four floats a step, the
 * lanes added pairwise, then the rest in order.
 */
static inline double sum_f64(const float *s, int n) {
  v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0;
  int p = 0;
  for (; p + 8 <= n; p += 8) {
    v128_t v = wasm_v128_load(s + p), u = wasm_v128_load(s + p + 4);
    a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(v));
    a1 = wasm_f64x2_add(a1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
    a2 = wasm_f64x2_add(a2, wasm_f64x2_promote_low_f32x4(u));
    a3 = wasm_f64x2_add(a3, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(u, u, 2, 3, 0, 1)));
  }
  a0 = wasm_f64x2_add(a0, a2);
  a1 = wasm_f64x2_add(a1, a3);
  for (; p + 4 <= n; p += 4) {
    v128_t v = wasm_v128_load(s + p);
    a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(v));
    a1 = wasm_f64x2_add(a1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
  }
  double t = (wasm_f64x2_extract_lane(a0, 0) + wasm_f64x2_extract_lane(a1, 0)) +
             (wasm_f64x2_extract_lane(a0, 1) + wasm_f64x2_extract_lane(a1, 1));
  for (; p < n; p++) t += s[p];
  return t;
}

/*
 * Sum of x[0, n) in double (sum_f64). Not the TypeScript kernel's one
 * ascending double sum: the double results can differ in their last bits,
 * and so, very rarely, the float32 they round to.
 */
EXPORT(sum_all) double sum_all(const float *x, int n) { return sum_f64(x, n); }

/**
 * Bias gradient of channels [c0, c1): out[c] = sum over samples and positions
 * of g[b, c, p], in double (sum_f64 per sample, then samples in order). A
 * channel is summed the same way whichever thread takes it.
 */
EXPORT(bias_grad) void bias_grad(const float *g, float *out, int n, int c, int P, int c0, int c1) {
  for (int ch = c0; ch < c1; ch++) {
    double total = 0.0;
    for (int b = 0; b < n; b++) total += sum_f64(g + ((long)b * c + ch) * P, P);
    out[ch] = (float)total;
  }
}

/*
 * Dynamic-schedule twins (see kernels.c): chunks of `step` planes or
 * elements from a shared counter. Every plane/element is written by exactly
 * one thread with the same arithmetic.
 */
static inline int next_chunk_ops(int *counter) { return __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }
#define DYN_LOOP(call)                                                              \
  for (int c = next_chunk_ops(counter); c * step < total; c = next_chunk_ops(counter)) { \
    int lo = c * step, hi = lo + step < total ? lo + step : total;                  \
    call;                                                                           \
  }

EXPORT(pad_gather_dyn)
void pad_gather_dyn(const float *x, float *out, int h, int w, const int *mh, int ho, const int *mw, int wo, int left,
                    int *counter, int total, int step) {
  DYN_LOOP(pad_gather(x, out, h, w, mh, ho, mw, wo, left, lo, hi))
}

EXPORT(bias_grad_dyn)
void bias_grad_dyn(const float *g, float *out, int n, int channels, int P, int *counter, int total, int step) {
  DYN_LOOP(bias_grad(g, out, n, channels, P, lo, hi))
}

EXPORT(relu_forward_dyn) void relu_forward_dyn(const float *x, float *out, int *counter, int total, int step) {
  DYN_LOOP(relu_forward(x + lo, out + lo, hi - lo))
}

EXPORT(relu_backward_dyn)
void relu_backward_dyn(const float *g, const float *result, float *out, int *counter, int total, int step) {
  DYN_LOOP(relu_backward(g + lo, result + lo, out + lo, hi - lo))
}

EXPORT(maxpool_forward_dyn)
void maxpool_forward_dyn(const float *x, float *out, int *ind, const int *g, int *counter, int total, int step) {
  DYN_LOOP(maxpool_forward(x, out, ind, g, lo, hi))
}

EXPORT(maxpool_backward_dyn)
void maxpool_backward_dyn(const float *gout, const int *ind, float *gin, const int *g, int len, int *counter, int total,
                          int step) {
  DYN_LOOP(maxpool_backward(gout, ind, gin, g, lo, hi, len))
}

EXPORT(avgpool_forward_dyn)
void avgpool_forward_dyn(const float *x, float *out, const int *g, int include_pad, int override, int *counter, int total,
                         int step) {
  DYN_LOOP(avgpool_forward(x, out, g, include_pad, override, lo, hi))
}

EXPORT(avgpool_backward_dyn)
void avgpool_backward_dyn(const float *gout, float *gin, const int *g, int include_pad, int override, int *counter,
                          int total, int step) {
  DYN_LOOP(avgpool_backward(gout, gin, g, include_pad, override, lo, hi))
}
