/*
 * Softmax and log-softmax along one dimension in WebAssembly SIMD, forward
 * and backward (PyTorch's _softmax, _log_softmax, _softmax_backward_data,
 * _log_softmax_backward_data), float32 only, with the semantics of
 * engine/kernels/softmax.ts.
 *
 * The input is viewed as [outer, dim, inner] (contiguous). Rows (inner == 1)
 * are done four elements at a time with lane sums combined in a fixed order;
 * otherwise blocks of up to 256 neighbouring slices (inner positions) are
 * swept row by row, each lane summing its slice in order, as the TypeScript
 * kernel does (the last inner % 4 slices one by one). Sums are in
 * double, and every output is computed in double from float operands and
 * rounded once, as in the TypeScript kernel; only exp differs (a float32
 * polynomial, within 1 ulp of Math.exp rounded to float, 92% equal, over
 * 2^24 arguments including the subnormal and overflow edges).
 * Single-threaded: the result does not depend on the thread count.
 *
 * NaN rules: the maximum propagates NaN, so a NaN makes its slice NaN; a
 * slice whose maximum is +inf, or whose entries are all -inf, is NaN
 * (x - max is NaN there).
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

#define F4(v) wasm_f32x4_splat(v)
#define D2(v) wasm_f64x2_splat(v)

/* exp(x) is 0 in float below this, +inf above EXP_HI (arguments are clamped to [EXP_LO, EXP_HI]). */
#define EXP_LO (-104.0f)
#define EXP_HI 89.0f

/*
 * exp(s + lo) for four lanes, where lo is a small correction of s (the
 * rounding error of x - max, so that the argument is exact). Cody-Waite
 * reduction s = k ln2 + r with ln2 split in a 9-bit head (k * head is exact)
 * and a tail, Cephes' degree-7 polynomial for exp(r) on |r| <= ln2/2, and
 * the scaling by 2^k in two steps so that subnormal results are rounded once.
 * NaN propagates; -inf gives 0, +inf gives +inf.
 */
static inline v128_t exp4(v128_t s, v128_t lo) {
  lo = wasm_v128_and(lo, wasm_f32x4_gt(s, F4(EXP_LO))); /* 0 where s is clamped, -inf or NaN */
  /* pmax/pmin keep a NaN s (their comparison is false) and are single instructions. */
  v128_t d = wasm_f32x4_pmin(wasm_f32x4_pmax(s, F4(EXP_LO)), F4(EXP_HI));
  /* k = nearest(d / ln2) by adding 1.5 * 2^23: the sum's low bits are k. */
  v128_t kb = wasm_f32x4_add(wasm_f32x4_mul(d, F4(1.44269504088896341f)), F4(12582912.0f));
  v128_t kf = wasm_f32x4_sub(kb, F4(12582912.0f));
  v128_t r = wasm_f32x4_sub(d, wasm_f32x4_mul(kf, F4(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(kf, F4(-2.12194440e-4f)));
  r = wasm_f32x4_add(r, lo);
  v128_t p = F4(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), F4(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), F4(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), F4(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), F4(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), F4(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(p, wasm_f32x4_mul(r, r)), r), F4(1.0f));
  v128_t k = wasm_i32x4_sub(kb, wasm_i32x4_splat(0x4B400000)); /* in [-150, 128] */
  v128_t k1 = wasm_i32x4_shr(k, 1), k2 = wasm_i32x4_sub(k, k1);
  v128_t s1 = wasm_i32x4_shl(wasm_i32x4_add(k1, wasm_i32x4_splat(127)), 23);
  v128_t s2 = wasm_i32x4_shl(wasm_i32x4_add(k2, wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(wasm_f32x4_mul(p, s1), s2);
}

/* x - m as s (rounded) and the rounding error (TwoSum); lanes where s is not finite give garbage that exp4 drops. */
static inline v128_t sub_err(v128_t x, v128_t m, v128_t s) {
  v128_t b = wasm_f32x4_sub(s, x);
  return wasm_f32x4_sub(wasm_f32x4_sub(x, wasm_f32x4_sub(s, b)), wasm_f32x4_add(m, b));
}

/* exp(x - m) of one element, with the same arithmetic as the vector lanes. */
static inline float exp_diff1(float x, float m) {
  v128_t xv = F4(x), mv = F4(m), s = wasm_f32x4_sub(xv, mv);
  return wasm_f32x4_extract_lane(exp4(s, sub_err(xv, mv, s)), 0);
}

/* log(x) in double (fdlibm's e_log.c reduction and polynomial, under 1 ulp). */
static double log_f64(double x) {
  union { double d; unsigned long long u; } v = {x};
  if (!(x > 0.0)) return x == 0.0 ? -__builtin_inf() : __builtin_nan("");
  if (x == __builtin_inf()) return x;
  int e = 0;
  if (v.u < (1ULL << 52)) { /* subnormal */
    v.d *= 18014398509481984.0; /* 2^54 */
    e = -54;
  }
  e += (int)(v.u >> 52) - 1023;
  v.u = (v.u & ((1ULL << 52) - 1)) | (1023ULL << 52); /* mantissa in [1, 2) */
  if (v.d > 1.4142135623730951) {
    v.d *= 0.5;
    e++;
  }
  const double f = v.d - 1.0, s = f / (2.0 + f), z = s * s, w = z * z;
  const double t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const double t2 = z * (6.666666666666735130e-01 +
                         w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const double R = t1 + t2, hfsq = 0.5 * f * f, k = (double)e;
  return k * 6.93147180369123816490e-01 - ((hfsq - (s * (hfsq + R) + k * 1.90821492927058770002e-10)) - f);
}

static inline float max_nan(float m, float v) { return (v > m || v != v) ? v : m; }

/* Lanes 0-1 and 2-3 of a float vector, as doubles. */
#define LO64(v) wasm_f64x2_promote_low_f32x4(v)
#define HI64(v) wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1))
/* Two double vectors rounded to one float vector. */
#define DEMOTE(a, b) wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(a), wasm_f32x4_demote_f64x2_zero(b), 0, 1, 4, 5)

/* NaN-propagating maximum of a contiguous row. */
static float row_max(const float *x, int n) {
  v128_t m = F4(-__builtin_inff());
  int i = 0;
  for (; i + 4 <= n; i += 4) m = wasm_f32x4_max(m, wasm_v128_load(x + i));
  m = wasm_f32x4_max(m, wasm_i32x4_shuffle(m, m, 2, 3, 0, 1));
  m = wasm_f32x4_max(m, wasm_i32x4_shuffle(m, m, 1, 0, 3, 2));
  float r = wasm_f32x4_extract_lane(m, 0);
  for (; i < n; i++) r = max_nan(r, x[i]);
  return r;
}

/* Sum of the four lanes of a (lanes 0-1) and b (lanes 2-3), in a fixed order. */
static inline double lanes_sum(v128_t a, v128_t b) {
  return (wasm_f64x2_extract_lane(a, 0) + wasm_f64x2_extract_lane(b, 0)) +
         (wasm_f64x2_extract_lane(a, 1) + wasm_f64x2_extract_lane(b, 1));
}

/*
 * One slice of n elements with stride `st`: softmax (log 0) or log-softmax
 * (log 1) of x into out. Used for rows (st 1) and for the last inner
 * positions that do not fill a vector.
 */
static void slice_forward(const float *x, float *out, int n, long st, int log) {
  float m;
  if (st == 1) m = row_max(x, n);
  else {
    m = -__builtin_inff();
    for (long d = 0; d < n; d++) m = max_nan(m, x[d * st]);
  }
  const v128_t mv = F4(m);
  v128_t a0 = D2(0.0), a1 = D2(0.0);
  int i = 0;
  if (st == 1) {
    for (; i + 4 <= n; i += 4) {
      v128_t xv = wasm_v128_load(x + i), s = wasm_f32x4_sub(xv, mv);
      v128_t e = exp4(s, sub_err(xv, mv, s));
      if (!log) wasm_v128_store(out + i, e);
      a0 = wasm_f64x2_add(a0, LO64(e));
      a1 = wasm_f64x2_add(a1, HI64(e));
    }
  }
  double sum = lanes_sum(a0, a1);
  for (; i < n; i++) {
    float e = exp_diff1(x[i * st], m);
    if (!log) out[i * st] = e;
    sum += e;
  }
  i = 0;
  if (log) {
    const double ls = log_f64(sum), md = m;
    if (st == 1) {
      const v128_t mdv = D2(md), lsv = D2(ls);
      for (; i + 4 <= n; i += 4) {
        v128_t xv = wasm_v128_load(x + i);
        wasm_v128_store(out + i, DEMOTE(wasm_f64x2_sub(wasm_f64x2_sub(LO64(xv), mdv), lsv),
                                        wasm_f64x2_sub(wasm_f64x2_sub(HI64(xv), mdv), lsv)));
      }
    }
    for (; i < n; i++) out[i * st] = (float)((double)x[i * st] - md - ls);
  } else {
    const double inv = 1.0 / sum;
    if (st == 1) {
      const v128_t iv = D2(inv);
      for (; i + 4 <= n; i += 4) {
        v128_t e = wasm_v128_load(out + i);
        wasm_v128_store(out + i, DEMOTE(wasm_f64x2_mul(LO64(e), iv), wasm_f64x2_mul(HI64(e), iv)));
      }
    }
    for (; i < n; i++) out[i * st] = (float)((double)out[i * st] * inv);
  }
}

/* Inner positions per block of the [outer, dim, inner] layout (a multiple of 4). */
#define BLOCK 256

/*
 * `cols` neighbouring slices (a multiple of 4, at most BLOCK) of n elements
 * with stride st, swept row by row (contiguous loads, no power-of-two-stride
 * cache conflicts); each lane keeps its own maximum and sum, summed in order.
 */
static void block_forward(const float *x, float *out, int n, long st, int cols, int log) {
  v128_t mx[BLOCK / 4], s0[BLOCK / 4], s1[BLOCK / 4];
  const int q4 = cols / 4;
  for (int q = 0; q < q4; q++) {
    mx[q] = F4(-__builtin_inff());
    s0[q] = s1[q] = D2(0.0);
  }
  for (long d = 0; d < n; d++) {
    const float *row = x + d * st;
    for (int q = 0; q < q4; q++) mx[q] = wasm_f32x4_max(mx[q], wasm_v128_load(row + 4 * q));
  }
  for (long d = 0; d < n; d++) {
    const float *row = x + d * st;
    float *orow = out + d * st;
    for (int q = 0; q < q4; q++) {
      v128_t xv = wasm_v128_load(row + 4 * q), s = wasm_f32x4_sub(xv, mx[q]);
      v128_t e = exp4(s, sub_err(xv, mx[q], s));
      if (!log) wasm_v128_store(orow + 4 * q, e);
      s0[q] = wasm_f64x2_add(s0[q], LO64(e));
      s1[q] = wasm_f64x2_add(s1[q], HI64(e));
    }
  }
  for (int q = 0; q < q4; q++) { /* the sums become logs, or inverses */
    if (log) {
      s0[q] = wasm_f64x2_make(log_f64(wasm_f64x2_extract_lane(s0[q], 0)), log_f64(wasm_f64x2_extract_lane(s0[q], 1)));
      s1[q] = wasm_f64x2_make(log_f64(wasm_f64x2_extract_lane(s1[q], 0)), log_f64(wasm_f64x2_extract_lane(s1[q], 1)));
    } else {
      s0[q] = wasm_f64x2_div(D2(1.0), s0[q]);
      s1[q] = wasm_f64x2_div(D2(1.0), s1[q]);
    }
  }
  for (long d = 0; d < n; d++) {
    const float *row = x + d * st;
    float *orow = out + d * st;
    for (int q = 0; q < q4; q++) {
      if (log) {
        v128_t xv = wasm_v128_load(row + 4 * q);
        wasm_v128_store(orow + 4 * q, DEMOTE(wasm_f64x2_sub(wasm_f64x2_sub(LO64(xv), LO64(mx[q])), s0[q]),
                                             wasm_f64x2_sub(wasm_f64x2_sub(HI64(xv), HI64(mx[q])), s1[q])));
      } else {
        v128_t e = wasm_v128_load(orow + 4 * q);
        wasm_v128_store(orow + 4 * q, DEMOTE(wasm_f64x2_mul(LO64(e), s0[q]), wasm_f64x2_mul(HI64(e), s1[q])));
      }
    }
  }
}

/* Softmax (log 0) or log-softmax (log 1) forward over [outer, dim, inner]. */
static void forward(const float *x, float *out, int outer, int dim, int inner, int log) {
  for (int o = 0; o < outer; o++) {
    const long base = (long)o * dim * inner;
    int j = 0;
    if (inner == 1) {
      slice_forward(x + base, out + base, dim, 1, log);
      continue;
    }
    for (int cols; inner - j >= 4; j += cols) {
      cols = inner - j >= BLOCK ? BLOCK : (inner - j) & ~3;
      block_forward(x + base + j, out + base + j, dim, inner, cols, log);
    }
    for (; j < inner; j++) slice_forward(x + base + j, out + base + j, dim, inner, log);
  }
}

/** `torch._softmax`: exp(x - max) / sum(exp(x - max)) along dim of [outer, dim, inner]. */
EXPORT(softmax) void softmax(const float *x, float *out, int outer, int dim, int inner) {
  forward(x, out, outer, dim, inner, 0);
}

/** `torch._log_softmax`: (x - max) - log(sum(exp(x - max))) along dim of [outer, dim, inner]. */
EXPORT(log_softmax) void log_softmax(const float *x, float *out, int outer, int dim, int inner) {
  forward(x, out, outer, dim, inner, 1);
}

/*
 * Backward of one slice (st 1: a row, with vectors) of n elements.
 * softmax (log 0): gin = y * (g - sum(g * y)); log-softmax (log 1):
 * gin = g - exp(y) * sum(g). Products and the result in double.
 */
static void slice_backward(const float *g, const float *y, float *gin, int n, long st, int log) {
  v128_t a0 = D2(0.0), a1 = D2(0.0);
  int i = 0;
  if (st == 1) {
    for (; i + 4 <= n; i += 4) {
      v128_t gv = wasm_v128_load(g + i);
      if (log) {
        a0 = wasm_f64x2_add(a0, LO64(gv));
        a1 = wasm_f64x2_add(a1, HI64(gv));
      } else {
        v128_t yv = wasm_v128_load(y + i);
        a0 = wasm_f64x2_add(a0, wasm_f64x2_mul(LO64(gv), LO64(yv)));
        a1 = wasm_f64x2_add(a1, wasm_f64x2_mul(HI64(gv), HI64(yv)));
      }
    }
  }
  double sum = lanes_sum(a0, a1);
  for (; i < n; i++) sum += log ? (double)g[i * st] : (double)g[i * st] * y[i * st];
  const v128_t sv = D2(sum), zero = F4(0.0f);
  i = 0;
  if (st == 1) {
    for (; i + 4 <= n; i += 4) {
      v128_t gv = wasm_v128_load(g + i), yv = wasm_v128_load(y + i);
      if (log) {
        v128_t e = exp4(yv, zero);
        wasm_v128_store(gin + i, DEMOTE(wasm_f64x2_sub(LO64(gv), wasm_f64x2_mul(LO64(e), sv)),
                                        wasm_f64x2_sub(HI64(gv), wasm_f64x2_mul(HI64(e), sv))));
      } else {
        wasm_v128_store(gin + i, DEMOTE(wasm_f64x2_mul(LO64(yv), wasm_f64x2_sub(LO64(gv), sv)),
                                        wasm_f64x2_mul(HI64(yv), wasm_f64x2_sub(HI64(gv), sv))));
      }
    }
  }
  for (; i < n; i++) {
    const double gd = g[i * st];
    if (log) gin[i * st] = (float)(gd - (double)wasm_f32x4_extract_lane(exp4(F4(y[i * st]), zero), 0) * sum);
    else gin[i * st] = (float)((double)y[i * st] * (gd - sum));
  }
}

/* Backward of `cols` neighbouring slices (a multiple of 4, at most BLOCK), row by row as block_forward. */
static void block_backward(const float *g, const float *y, float *gin, int n, long st, int cols, int log) {
  v128_t s0[BLOCK / 4], s1[BLOCK / 4];
  const int q4 = cols / 4;
  for (int q = 0; q < q4; q++) s0[q] = s1[q] = D2(0.0);
  for (long d = 0; d < n; d++) {
    const float *grow = g + d * st, *yrow = y + d * st;
    for (int q = 0; q < q4; q++) {
      v128_t gv = wasm_v128_load(grow + 4 * q);
      if (log) {
        s0[q] = wasm_f64x2_add(s0[q], LO64(gv));
        s1[q] = wasm_f64x2_add(s1[q], HI64(gv));
      } else {
        v128_t yv = wasm_v128_load(yrow + 4 * q);
        s0[q] = wasm_f64x2_add(s0[q], wasm_f64x2_mul(LO64(gv), LO64(yv)));
        s1[q] = wasm_f64x2_add(s1[q], wasm_f64x2_mul(HI64(gv), HI64(yv)));
      }
    }
  }
  const v128_t zero = F4(0.0f);
  for (long d = 0; d < n; d++) {
    const float *grow = g + d * st, *yrow = y + d * st;
    float *orow = gin + d * st;
    for (int q = 0; q < q4; q++) {
      v128_t gv = wasm_v128_load(grow + 4 * q), yv = wasm_v128_load(yrow + 4 * q);
      if (log) {
        v128_t e = exp4(yv, zero);
        wasm_v128_store(orow + 4 * q, DEMOTE(wasm_f64x2_sub(LO64(gv), wasm_f64x2_mul(LO64(e), s0[q])),
                                             wasm_f64x2_sub(HI64(gv), wasm_f64x2_mul(HI64(e), s1[q]))));
      } else {
        wasm_v128_store(orow + 4 * q, DEMOTE(wasm_f64x2_mul(LO64(yv), wasm_f64x2_sub(LO64(gv), s0[q])),
                                             wasm_f64x2_mul(HI64(yv), wasm_f64x2_sub(HI64(gv), s1[q]))));
      }
    }
  }
}

static void backward(const float *g, const float *y, float *gin, int outer, int dim, int inner, int log) {
  for (int o = 0; o < outer; o++) {
    const long base = (long)o * dim * inner;
    int j = 0;
    if (inner == 1) {
      slice_backward(g + base, y + base, gin + base, dim, 1, log);
      continue;
    }
    for (int cols; inner - j >= 4; j += cols) {
      cols = inner - j >= BLOCK ? BLOCK : (inner - j) & ~3;
      block_backward(g + base + j, y + base + j, gin + base + j, dim, inner, cols, log);
    }
    for (; j < inner; j++) slice_backward(g + base + j, y + base + j, gin + base + j, dim, inner, log);
  }
}

/** `torch._softmax_backward_data`: gin = y * (g - sum(g * y)), y the softmax output. */
EXPORT(softmax_backward_data)
void softmax_backward_data(const float *g, const float *y, float *gin, int outer, int dim, int inner) {
  backward(g, y, gin, outer, dim, inner, 0);
}

/** `torch._log_softmax_backward_data`: gin = g - exp(y) * sum(g), y the log-softmax output. */
EXPORT(log_softmax_backward_data)
void log_softmax_backward_data(const float *g, const float *y, float *gin, int outer, int dim, int inner) {
  backward(g, y, gin, outer, dim, inner, 1);
}
