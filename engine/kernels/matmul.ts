/**
 * Dense matrix multiply kernels (row-major, contiguous).
 *
 * A cache-blocked i-k-j GEMM accumulates every output element in float64,
 * summing over k in ascending order, and rounds to the output element type
 * once at the end. A transposed B is first packed into row-major `[k, n]`
 * (an exact copy); a transposed A is read in place with strides.
 *
 * Float32 operands take the WebAssembly SIMD GEMM when it is installed (see
 * ./fast), which accumulates in float32 in the same ascending order, except
 * `A·Bᵀ` with few columns (Linear's forward with few outputs), which takes
 * dot products over k with four partial sums (Note [Skinny product order] in
 * build/wasm/src/skinny.h).
 */
import { allocLike, type FloatArray } from '../core/dtype';
import { fastKernels } from './fast/index';

/** Columns up to which a fast `A·Bᵀ` skips the pack and takes dot products over k (Note [Skinny product order]). */
const SKINNY_N = 16;

/** Block sizes (elements) over the n and k dims. */
const JB = 512;
const KB = 64;

/**
 * c[i*N + j] += sum_p A(i,p) * b[p*N + j] for i<M, p<K, j<N, where
 * A(i,p) = a[i*aRs + p*aCs]. Per (i,j) the sum runs in ascending p.
 */
function gemmAcc(
  c: Float64Array,
  a: FloatArray,
  aRs: number,
  aCs: number,
  b: FloatArray,
  M: number,
  K: number,
  N: number,
): void {
  for (let j0 = 0; j0 < N; j0 += JB) {
    const j1 = Math.min(N, j0 + JB);
    for (let p0 = 0; p0 < K; p0 += KB) {
      const p1 = Math.min(K, p0 + KB);
      for (let i = 0; i < M; i++) {
        const aRow = i * aRs;
        const cRow = i * N;
        let p = p0;
        for (; p + 3 < p1; p += 4) {
          const a0 = a[aRow + p * aCs],
            a1 = a[aRow + (p + 1) * aCs];
          const a2 = a[aRow + (p + 2) * aCs],
            a3 = a[aRow + (p + 3) * aCs];
          const r0 = p * N,
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
          const r = p * N;
          for (let j = j0; j < j1; j++) c[cRow + j] += av * b[r + j];
        }
      }
    }
  }
}

/**
 * Note [Transposed B scratch]: the fast GEMM reads B row-major, so a transposed
 * B (Linear's input gradient, `grad @ weight`) is packed first. The pack is only
 * read by `fast.matmul`, which copies it into the WebAssembly memory before
 * returning, so one reused array serves every call: a fresh 60 KiB ArrayBuffer
 * per call cost more than the transpose itself (V8 zero-fills and accounts it,
 * and the garbage collector sweeps it). The scratch is never returned or kept by
 * a tensor. Packs larger than `SCRATCH_MAX` floats get their own array, so the
 * scratch stays small. With at most `SKINNY_N` columns nothing is packed: the
 * skinny dot products read B as stored.
 */
const SCRATCH_MAX = 1 << 18;
let scratch = new Float32Array(0);

/** Row-major `[k, n]` copy of `b` stored `[n, k]`, in the scratch when it fits (Note [Transposed B scratch]). */
function packTransposed(b: Float32Array, k: number, n: number): Float32Array {
  const len = k * n;
  let out: Float32Array;
  if (len > SCRATCH_MAX) out = new Float32Array(len);
  else {
    if (scratch.length < len) scratch = new Float32Array(Math.max(len, 2 * scratch.length));
    out = scratch.subarray(0, len);
  }
  for (let j = 0; j < n; j++) {
    const src = j * k;
    for (let p = 0; p < k; p++) out[p * n + j] = b[src + p]!;
  }
  return out;
}

/** A·B in float32 by the fast kernels, or null when they are off or do not apply. */
function fastProduct(
  a: FloatArray,
  b: FloatArray,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): Float32Array | null {
  const fast = fastKernels();
  if (!fast || !(a instanceof Float32Array) || !(b instanceof Float32Array) || m === 0 || n === 0 || k === 0)
    return null;
  if (transB && !transA && n <= SKINNY_N) return fast.matmul(a, k, 1, b, m, k, n, true);
  const bRm = transB ? (fast.transpose(b, n, k) ?? packTransposed(b, k, n)) : b;
  return transA ? fast.matmul(a, 1, m, bRm, m, k, n) : fast.matmul(a, k, 1, bRm, m, k, n);
}

/** Float64 accumulator holding A·B (`[m, n]`), honouring the transpose flags. */
function product(
  a: FloatArray,
  b: FloatArray,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): Float64Array {
  const acc = new Float64Array(m * n);
  if (m === 0 || n === 0 || k === 0) return acc;
  let bRm: FloatArray = b;
  if (transB) {
    // b is stored [n, k]; pack it as row-major [k, n].
    bRm = allocLike(b, k * n);
    for (let j = 0; j < n; j++) {
      const src = j * k;
      for (let p = 0; p < k; p++) bRm[p * n + j] = b[src + p];
    }
  }
  // A(i,p) = a[i*k + p] when stored [m,k]; a[p*m + i] when stored [k,m].
  if (transA) gemmAcc(acc, a, 1, m, bRm, m, k, n);
  else gemmAcc(acc, a, k, 1, bRm, m, k, n);
  return acc;
}

/**
 * Matrix product `C[m, n] = sum_k A[m, k] * B[k, n]`.
 * `transA` means `a` is stored `[k, m]` (so A = aᵀ); `transB` means `b` is
 * stored `[n, k]` (so B = bᵀ). Returns `[m, n]` with the element type of `a`.
 * Each element is a float64 sum over k in ascending order, rounded once.
 *
 * Gradients of `C = A·B` for upstream `dC`: `dA = matmul(dC, B, m, n, k, false, true)`
 * (with B stored `[k, n]`) and `dB = matmul(A, dC, k, m, n, true, false)`.
 */
export function matmul(
  a: FloatArray,
  b: FloatArray,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): FloatArray {
  const f = fastProduct(a, b, m, k, n, transA, transB);
  if (f) return f;
  const acc = product(a, b, m, k, n, transA, transB);
  if (a instanceof Float64Array) return acc;
  const out = allocLike(a, m * n);
  out.set(acc);
  return out;
}

/**
 * PyTorch `addmm(bias, A, B)` with `beta = alpha = 1` and a 1-D `bias` of
 * length `n`: `out[i, j] = (sum_k A[i, k] * B[k, j]) + bias[j]`, the sum
 * formed first in float64 and the bias added before the single rounding.
 * Transpose flags as in {@link matmul}. Returns `[m, n]` with the element
 * type of `a`.
 */
export function addmm(
  bias: FloatArray,
  a: FloatArray,
  b: FloatArray,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): FloatArray {
  const f = fastProduct(a, b, m, k, n, transA, transB);
  if (f) {
    for (let i = 0; i < m; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) f[row + j] = f[row + j]! + bias[j]!;
    }
    return f;
  }
  const acc = product(a, b, m, k, n, transA, transB);
  const out = allocLike(a, m * n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) out[row + j] = acc[row + j] + bias[j];
  }
  return out;
}

/** `sum_i a[i] * b[i]` as a one-element array like `a`, summed in float64 in ascending i and rounded once. */
export function dot(a: FloatArray, b: FloatArray): FloatArray {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += a[i]! * b[i]!;
  const out = allocLike(a, 1);
  out[0] = acc;
  return out;
}

/**
 * `batch` products `[m, k] x [k, n]` of row-major operands laid one after another,
 * each by the matrix kernel (so large float32 work takes the fast kernels).
 * Transpose flags as in {@link matmul}.
 */
export function bmm(
  a: FloatArray,
  b: FloatArray,
  batch: number,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): FloatArray {
  if (batch === 1) return matmul(a, b, m, k, n, transA, transB);
  const out = allocLike(a, batch * m * n);
  for (let i = 0; i < batch; i++) {
    const ai = a.subarray(i * m * k, (i + 1) * m * k);
    const bi = b.subarray(i * k * n, (i + 1) * k * n);
    out.set(matmul(ai, bi, m, k, n, transA, transB), i * m * n);
  }
  return out;
}
