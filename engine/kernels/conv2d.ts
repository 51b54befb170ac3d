/**
 * 2-D convolution kernels (NCHW input, OIHW weight, row-major contiguous).
 *
 * Strategy: for each (batch item, group) the input window is unfolded into a
 * float64 column matrix (im2col, `[cInG*kH*kW, hOut*wOut]`), and a cache-blocked
 * GEMM with float64 accumulation does the arithmetic. Results are rounded to
 * the output element type once, at the end. Every sum over the reduction axis
 * (input channel, kernel row, kernel column) runs in ascending order.
 *
 * Float32 operands take the WebAssembly SIMD kernels when they are installed
 * (see ./fast): the same im2col + GEMM scheme with float32 accumulation, as
 * PyTorch's CPU convolution has, and the same ascending order per element.
 */
import { allocLike, type FloatArray } from '../core/dtype';
import { fastKernels } from './fast/index';

import type { Conv2dGeometry } from './geometry';
export type { Conv2dGeometry } from './geometry';

/**
 * PyTorch's convolution output size along one spatial dim:
 * `floor((in + 2*pad - dil*(k-1) - 1) / stride) + 1`. May be `<= 0` for an
 * invalid geometry; the op layer is expected to reject that.
 */
export function convOutputSize(inSize: number, k: number, stride: number, pad: number, dil: number): number {
  return Math.floor((inSize + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
}

/** Block sizes of the GEMM helpers (elements). */
const JB = 512;
const KB = 64;
const LB = 1024;

/**
 * c[cOff + i*N + j] += sum_p A(i,p) * b[bOff + p*N + j] for i<M, p<K, j<N,
 * where A(i,p) = a[aOff + i*aRs + p*aCs]. Per (i,j) the sum runs in ascending p.
 */
function gemmAcc(
  c: Float64Array,
  cOff: number,
  a: FloatArray,
  aOff: number,
  aRs: number,
  aCs: number,
  b: FloatArray,
  bOff: number,
  M: number,
  K: number,
  N: number,
): void {
  for (let j0 = 0; j0 < N; j0 += JB) {
    const j1 = Math.min(N, j0 + JB);
    for (let p0 = 0; p0 < K; p0 += KB) {
      const p1 = Math.min(K, p0 + KB);
      for (let i = 0; i < M; i++) {
        const aRow = aOff + i * aRs;
        const cRow = cOff + i * N;
        let p = p0;
        for (; p + 3 < p1; p += 4) {
          const a0 = a[aRow + p * aCs],
            a1 = a[aRow + (p + 1) * aCs];
          const a2 = a[aRow + (p + 2) * aCs],
            a3 = a[aRow + (p + 3) * aCs];
          const r0 = bOff + p * N,
            r1 = r0 + N,
            r2 = r1 + N,
            r3 = r2 + N;
          for (let j = j0; j < j1; j++) {
            // Left-associative: identical rounding to four sequential updates.
            c[cRow + j] = c[cRow + j] + a0 * b[r0 + j] + a1 * b[r1 + j] + a2 * b[r2 + j] + a3 * b[r3 + j];
          }
        }
        for (; p < p1; p++) {
          const av = a[aRow + p * aCs];
          const r = bOff + p * N;
          for (let j = j0; j < j1; j++) c[cRow + j] += av * b[r + j];
        }
      }
    }
  }
}

/**
 * c[cOff + i*N + j] += sum_l a[aOff + i*L + l] * b[bOff + j*L + l] (A·Bᵀ with
 * both operands row-major), blocked over l.
 */
function gemmNTAcc(
  c: Float64Array,
  cOff: number,
  a: FloatArray,
  aOff: number,
  b: FloatArray,
  bOff: number,
  M: number,
  N: number,
  L: number,
): void {
  for (let l0 = 0; l0 < L; l0 += LB) {
    const l1 = Math.min(L, l0 + LB);
    for (let i = 0; i < M; i++) {
      const aRow = aOff + i * L;
      const cRow = cOff + i * N;
      for (let j = 0; j < N; j++) {
        const bRow = bOff + j * L;
        let s = 0;
        for (let l = l0; l < l1; l++) s += a[aRow + l] * b[bRow + l];
        c[cRow + j] += s;
      }
    }
  }
}

/** True when a convolution has at least one sample, channel and output position. */
function hasWork(g: Conv2dGeometry): boolean {
  return g.n > 0 && g.cIn > 0 && g.cOut > 0 && g.hOut > 0 && g.wOut > 0 && g.h > 0 && g.w > 0;
}

/** ceil(a / b) for b > 0. */
function ceilDiv(a: number, b: number): number {
  return -Math.floor(-a / b);
}

/**
 * Range [lo, hi) of output positions whose input position `o*stride + base`
 * lies in [0, size), clamped to [0, outSize).
 */
function validRange(base: number, stride: number, size: number, outSize: number, out: Int32Array): void {
  let lo = base >= 0 ? 0 : ceilDiv(-base, stride);
  let hi = ceilDiv(size - base, stride);
  if (lo > outSize) lo = outSize;
  if (hi > outSize) hi = outSize;
  if (hi < lo) hi = lo;
  out[0] = lo;
  out[1] = hi;
}

/**
 * Unfolds `cInG` input planes starting at `xOff` into `col`
 * ([cInG*kH*kW, hOut*wOut]); out-of-range taps become 0.
 */
function im2col(
  x: FloatArray,
  xOff: number,
  col: Float64Array,
  cInG: number,
  g: Conv2dGeometry,
  rng: Int32Array,
): void {
  const { h, w, kH, kW, strideH: sH, strideW: sW, padH, padW, dilH, dilW, hOut, wOut } = g;
  const P = hOut * wOut;
  const hw = h * w;
  let r = 0;
  for (let c = 0; c < cInG; c++) {
    const xc = xOff + c * hw;
    for (let kh = 0; kh < kH; kh++) {
      const ihBase = kh * dilH - padH;
      for (let kw = 0; kw < kW; kw++) {
        const iwBase = kw * dilW - padW;
        validRange(iwBase, sW, w, wOut, rng);
        const lo = rng[0],
          hi = rng[1];
        for (let oh = 0; oh < hOut; oh++) {
          const ih = oh * sH + ihBase;
          const dst = r + oh * wOut;
          if (ih < 0 || ih >= h) {
            for (let ow = 0; ow < wOut; ow++) col[dst + ow] = 0;
            continue;
          }
          const src = xc + ih * w + iwBase;
          let ow = 0;
          for (; ow < lo; ow++) col[dst + ow] = 0;
          for (; ow < hi; ow++) col[dst + ow] = x[src + ow * sW];
          for (; ow < wOut; ow++) col[dst + ow] = 0;
        }
        r += P;
      }
    }
  }
}

/** Inverse of {@link im2col}: scatter-adds `col` into `cInG` planes of `dst` starting at `dOff`. */
function col2im(
  col: Float64Array,
  dst: Float64Array,
  dOff: number,
  cInG: number,
  g: Conv2dGeometry,
  rng: Int32Array,
): void {
  const { h, w, kH, kW, strideH: sH, strideW: sW, padH, padW, dilH, dilW, hOut, wOut } = g;
  const P = hOut * wOut;
  const hw = h * w;
  let r = 0;
  for (let c = 0; c < cInG; c++) {
    const dc = dOff + c * hw;
    for (let kh = 0; kh < kH; kh++) {
      const ihBase = kh * dilH - padH;
      for (let kw = 0; kw < kW; kw++) {
        const iwBase = kw * dilW - padW;
        validRange(iwBase, sW, w, wOut, rng);
        const lo = rng[0],
          hi = rng[1];
        for (let oh = 0; oh < hOut; oh++) {
          const ih = oh * sH + ihBase;
          if (ih < 0 || ih >= h) continue;
          const src = r + oh * wOut;
          const d = dc + ih * w + iwBase;
          for (let ow = lo; ow < hi; ow++) dst[d + ow * sW] += col[src + ow];
        }
        r += P;
      }
    }
  }
}

/**
 * Convolution forward. `x` is `[n, cIn, h, w]`, `weight` is
 * `[cOut, cIn/groups, kH, kW]`, `bias` is `[cOut]` or null. Returns
 * `[n, cOut, hOut, wOut]` with the element type of `x`. Each output is the
 * float64 sum of products (ascending input channel, kernel row, kernel column)
 * plus the bias, rounded once.
 */
export function conv2dForward(
  x: FloatArray,
  weight: FloatArray,
  bias: FloatArray | null,
  g: Conv2dGeometry,
): FloatArray {
  const fast = fastKernels();
  if (
    fast &&
    hasWork(g) &&
    x instanceof Float32Array &&
    weight instanceof Float32Array &&
    (bias === null || bias instanceof Float32Array)
  ) {
    const r = fast.convForward(x, weight, bias, g);
    if (r) return r;
  }
  const { n, cIn, h, w, cOut, kH, kW, groups, hOut, wOut } = g;
  const P = Math.max(0, hOut) * Math.max(0, wOut);
  const out = allocLike(x, n * cOut * P);
  if (out.length === 0) return out;
  const cInG = cIn / groups,
    cOutG = cOut / groups,
    K = cInG * kH * kW;
  const col = new Float64Array(K * P);
  const acc = new Float64Array(cOutG * P);
  const rng = new Int32Array(2);
  for (let b = 0; b < n; b++) {
    for (let gi = 0; gi < groups; gi++) {
      im2col(x, (b * cIn + gi * cInG) * h * w, col, cInG, g, rng);
      acc.fill(0);
      gemmAcc(acc, 0, weight, gi * cOutG * K, K, 1, col, 0, cOutG, K, P);
      const oBase = (b * cOut + gi * cOutG) * P;
      for (let oc = 0; oc < cOutG; oc++) {
        const bv = bias === null ? 0 : bias[gi * cOutG + oc];
        const o = oBase + oc * P,
          a = oc * P;
        for (let p = 0; p < P; p++) out[o + p] = acc[a + p] + bv;
      }
    }
  }
  return out;
}

/**
 * Gradient of {@link conv2dForward} with respect to `x`. `gradOut` is
 * `[n, cOut, hOut, wOut]`; returns `[n, cIn, h, w]` with the element type of
 * `gradOut`. Accumulates in float64, rounds once.
 */
export function conv2dBackwardInput(gradOut: FloatArray, weight: FloatArray, g: Conv2dGeometry): FloatArray {
  const fast = fastKernels();
  if (fast && hasWork(g) && gradOut instanceof Float32Array && weight instanceof Float32Array) {
    const r = fast.convBackwardInput(gradOut, weight, g);
    if (r) return r;
  }
  const { n, cIn, h, w, cOut, kH, kW, groups, hOut, wOut } = g;
  const P = Math.max(0, hOut) * Math.max(0, wOut);
  const plane = cIn * h * w;
  const gradIn = allocLike(gradOut, n * plane);
  if (gradIn.length === 0 || P === 0) return gradIn;
  const cInG = cIn / groups,
    cOutG = cOut / groups,
    K = cInG * kH * kW;
  const col = new Float64Array(K * P);
  const acc = new Float64Array(plane);
  const rng = new Int32Array(2);
  for (let b = 0; b < n; b++) {
    acc.fill(0);
    for (let gi = 0; gi < groups; gi++) {
      col.fill(0);
      // col[K, P] = Wgᵀ [K, cOutG] · gradOut_g [cOutG, P]
      gemmAcc(col, 0, weight, gi * cOutG * K, 1, K, gradOut, (b * cOut + gi * cOutG) * P, K, cOutG, P);
      col2im(col, acc, gi * cInG * h * w, cInG, g, rng);
    }
    gradIn.set(acc, b * plane);
  }
  return gradIn;
}

/**
 * Gradient of {@link conv2dForward} with respect to `weight`. Returns
 * `[cOut, cIn/groups, kH, kW]` with the element type of `gradOut`.
 * Accumulates in float64 over the batch, rounds once.
 */
export function conv2dBackwardWeight(gradOut: FloatArray, x: FloatArray, g: Conv2dGeometry): FloatArray {
  const fast = fastKernels();
  if (fast && hasWork(g) && gradOut instanceof Float32Array && x instanceof Float32Array) {
    const r = fast.convBackwardWeight(gradOut, x, g);
    if (r) return r;
  }
  const { n, cIn, h, w, cOut, kH, kW, groups, hOut, wOut } = g;
  const P = Math.max(0, hOut) * Math.max(0, wOut);
  const cInG = cIn / groups,
    cOutG = cOut / groups,
    K = cInG * kH * kW;
  const gradW = allocLike(gradOut, cOut * K);
  if (gradW.length === 0 || P === 0 || n === 0) return gradW;
  const col = new Float64Array(K * P);
  const acc = new Float64Array(cOut * K);
  const rng = new Int32Array(2);
  for (let b = 0; b < n; b++) {
    for (let gi = 0; gi < groups; gi++) {
      im2col(x, (b * cIn + gi * cInG) * h * w, col, cInG, g, rng);
      // gW_g [cOutG, K] += gradOut_g [cOutG, P] · colᵀ [P, K]
      gemmNTAcc(acc, gi * cOutG * K, gradOut, (b * cOut + gi * cOutG) * P, col, 0, cOutG, K, P);
    }
  }
  gradW.set(acc);
  return gradW;
}

/**
 * Every needed gradient of {@link conv2dForward} in one call: `needs` says
 * which of input, weight and bias; `x` may be null when the weight gradient is
 * not needed. Same results as {@link conv2dBackwardInput},
 * {@link conv2dBackwardWeight} and {@link conv2dBackwardBias}; the fast kernels
 * copy `gradOut` once for all three.
 */
export function conv2dBackward(
  gradOut: FloatArray,
  x: FloatArray | null,
  weight: FloatArray,
  g: Conv2dGeometry,
  needs: readonly boolean[],
): [FloatArray | null, FloatArray | null, FloatArray | null] {
  const fast = fastKernels();
  const wantX = needs[1] === true && x !== null;
  if (
    fast &&
    hasWork(g) &&
    gradOut instanceof Float32Array &&
    weight instanceof Float32Array &&
    (!wantX || x instanceof Float32Array)
  ) {
    const r = fast.convBackward(
      gradOut,
      wantX ? (x as Float32Array) : null,
      needs[0] ? weight : null,
      needs[2] === true,
      g,
    );
    if (r) return [r.input, r.weight, r.bias];
  }
  return [
    needs[0] ? conv2dBackwardInput(gradOut, weight, g) : null,
    wantX ? conv2dBackwardWeight(gradOut, x!, g) : null,
    needs[2] ? conv2dBackwardBias(gradOut, g) : null,
  ];
}

/**
 * Gradient of {@link conv2dForward} with respect to `bias`: the sum of
 * `gradOut` over batch and spatial dims. Returns `[cOut]` with the element
 * type of `gradOut`.
 */
export function conv2dBackwardBias(gradOut: FloatArray, g: Conv2dGeometry): FloatArray {
  const { n, cOut, hOut, wOut } = g;
  const P = Math.max(0, hOut) * Math.max(0, wOut);
  const fast = fastKernels();
  if (fast && gradOut instanceof Float32Array && n * cOut * P > 0) {
    const r = fast.biasGrad(gradOut, n, cOut, P);
    if (r) return r;
  }
  const gradB = allocLike(gradOut, cOut);
  for (let oc = 0; oc < cOut; oc++) {
    let s = 0;
    for (let b = 0; b < n; b++) {
      const o = (b * cOut + oc) * P;
      for (let p = 0; p < P; p++) s += gradOut[o + p];
    }
    gradB[oc] = s;
  }
  return gradB;
}
