/*
 * Elementwise float32 arithmetic in WebAssembly SIMD: add, sub, mul, div of
 * two same-shape tensors, and of a tensor and a scalar. Bit-identical to
 * engine/kernels/elementwise.ts, which computes in double and rounds to
 * float: a single +, -, * or / of two floats computed in double and rounded
 * to float is the float32 operation (double rounding is innocuous for them).
 * A scalar that is not a float (e.g. 0.1) is applied in double, then rounded.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/* The ops, numbered as BINARY_OPS in engine/kernels/wasm/runtime.ts. */
enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV };

#define LOOP(vop, sop)                                                                    \
  for (; i + 8 <= n; i += 8) {                                                            \
    wasm_v128_store(out + i, vop(wasm_v128_load(a + i), wasm_v128_load(b + i)));          \
    wasm_v128_store(out + i + 4, vop(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4))); \
  }                                                                                       \
  for (; i < n; i++) out[i] = a[i] sop b[i];

/** out = a op b, elementwise (`torch.add`, `sub`, `mul`, `div` of same-shape tensors). */
EXPORT(binary_op) void binary_op(int op, const float *a, const float *b, float *out, int n) {
  int i = 0;
  switch (op) {
    case OP_ADD: LOOP(wasm_f32x4_add, +) break;
    case OP_SUB: LOOP(wasm_f32x4_sub, -) break;
    case OP_MUL: LOOP(wasm_f32x4_mul, *) break;
    default: LOOP(wasm_f32x4_div, /) break;
  }
}

#define LOOP_F32(vop, sop)                                                                            \
  if (reversed) {                                                                                     \
    for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, vop(sv, wasm_v128_load(a + i)));              \
    for (; i < n; i++) out[i] = sf sop a[i];                                                         \
  } else {                                                                                            \
    for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, vop(wasm_v128_load(a + i), sv));              \
    for (; i < n; i++) out[i] = a[i] sop sf;                                                         \
  }

/* Four floats computed in double: lanes 0-1 and 2-3 of a, op s, rounded once. */
#define LOOP_F64(vop, sop)                                                                            \
  for (; i + 4 <= n; i += 4) {                                                                        \
    v128_t v = wasm_v128_load(a + i);                                                                 \
    v128_t lo = wasm_f64x2_promote_low_f32x4(v);                                                      \
    v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));                   \
    v128_t r0 = reversed ? vop(sd, lo) : vop(lo, sd), r1 = reversed ? vop(sd, hi) : vop(hi, sd);      \
    wasm_v128_store(out + i, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(r0),                     \
                                                wasm_f32x4_demote_f64x2_zero(r1), 0, 1, 4, 5));       \
  }                                                                                                   \
  for (; i < n; i++) out[i] = (float)(reversed ? s sop (double)a[i] : (double)a[i] sop s);

/**
 * out = a op s (reversed 0) or s op a (reversed 1), elementwise: `torch.mul(t, 2.5)`,
 * `t / n`, `-t` (s = -1). In float when s is a float, else in double.
 */
EXPORT(scalar_op) void scalar_op(int op, const float *a, double s, float *out, int n, int reversed) {
  int i = 0;
  const float sf = (float)s;
  if ((double)sf == s) {
    const v128_t sv = wasm_f32x4_splat(sf);
    switch (op) {
      case OP_ADD: LOOP_F32(wasm_f32x4_add, +) break;
      case OP_SUB: LOOP_F32(wasm_f32x4_sub, -) break;
      case OP_MUL: LOOP_F32(wasm_f32x4_mul, *) break;
      default: LOOP_F32(wasm_f32x4_div, /) break;
    }
    return;
  }
  const v128_t sd = wasm_f64x2_splat(s);
  switch (op) {
    case OP_ADD: LOOP_F64(wasm_f64x2_add, +) break;
    case OP_SUB: LOOP_F64(wasm_f64x2_sub, -) break;
    case OP_MUL: LOOP_F64(wasm_f64x2_mul, *) break;
    default: LOOP_F64(wasm_f64x2_div, /) break;
  }
}
