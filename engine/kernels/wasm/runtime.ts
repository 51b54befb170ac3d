/**
 * The float32 WebAssembly SIMD kernels (build/wasm/src/kernels.c) behind a
 * typed-array interface: operands are copied into the module's shared linear
 * memory, the kernel runs (split over the helper threads when it is large),
 * and the result is copied out into a new Float32Array.
 *
 * Work is split in chunks of whole samples (convolution forward and input
 * gradient), of rows of the weight gradient, or of rows of a matrix product,
 * handed out dynamically; every output element is computed by exactly one
 * thread with the same arithmetic, so the result depends neither on the
 * number of threads nor on which thread took which chunk.
 */
import type { Conv2dGeometry } from '../conv2d';
import type { Pool2dGeometry } from '../pool';
import type { ThreadPool } from '../fast/threads';
import { PAGE, type WasmInstance, type WasmMemory } from './api';

/** Export names that helper threads may run (function numbers of a job). */
export const JOB_NAMES = [
  'conv_forward_dyn', 'conv_backward_input_dyn', 'conv_backward_weight_dyn', 'matmul_dyn', 'pack_gout_dyn',
  'relu_forward_dyn', 'relu_backward_dyn', 'maxpool_forward_dyn', 'maxpool_backward_dyn', 'avgpool_forward_dyn', 'avgpool_backward_dyn',
] as const;

type Fn = (...args: number[]) => number;

/** Multiply-adds below which a call stays on one thread. */
const PARALLEL_MACS = 2_000_000;

/** Elements below which a memory-bound kernel (ReLU, pooling) stays on one thread. */
const PARALLEL_ELEMENTS = 1 << 18;

/** Floats from one thread's scratch to the next (64-byte multiples). */
const stride = (floats: number): number => (floats + 15) & ~15;

/** Samples per chunk: about sixteen chunks per call, so a late thread can still share the work. */
const sampleStep = (n: number): number => Math.max(1, Math.floor(n / 16));

/** Planes per chunk of a pooling kernel (about 16 chunks). */
const planeStep = (planes: number): number => Math.max(1, Math.ceil(planes / 16));

/** Elements per chunk of ReLU (about 16 chunks, multiples of 64). */
const elementStep = (n: number): number => Math.max(64, Math.ceil(n / 16 / 64) * 64);

/** Rows of the weight gradient per chunk (a multiple of the GEMM's 4-row panels). */
const WEIGHT_ROWS = 16;

/** The kernel module instantiated over a memory, with a bump allocator per call. */
export class WasmKernels {
  private readonly fns: Record<string, Fn>;
  private readonly memory: WasmMemory;
  private readonly heapBase: number;
  private readonly maxBytes: number;
  private pool: ThreadPool | null = null;
  private f32: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private i32: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private top = 0;

  constructor(instance: WasmInstance, memory: WasmMemory, maxBytes: number) {
    this.fns = instance.exports as Record<string, Fn>;
    this.memory = memory;
    const hb = instance.exports.__heap_base as { value: number };
    this.heapBase = (hb.value + 63) & ~63;
    this.maxBytes = maxBytes;
    this.refresh();
  }

  /** Uses `pool`'s helpers for large calls (null: the calling thread only). */
  setPool(pool: ThreadPool | null): void {
    this.pool = pool;
  }

  /** Number of threads a large call uses. */
  get threads(): number {
    return 1 + (this.pool?.helpers ?? 0);
  }

  private refresh(): void {
    const buf = this.memory.buffer;
    if (this.f32.buffer !== buf || this.f32.length * 4 !== buf.byteLength) {
      this.f32 = new Float32Array(buf);
      this.i32 = new Int32Array(buf);
    }
  }

  /** Starts a call's allocations. */
  private begin(): void {
    this.top = this.heapBase;
  }

  /** Reserves `floats` (64-byte aligned); returns the byte address, or -1 past the memory limit. */
  private alloc(floats: number): number {
    const at = this.top;
    const end = at + ((floats * 4 + 63) & ~63);
    if (end > this.maxBytes) return -1;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        return -1; // the TypeScript kernel takes over
      }
    }
    this.top = end;
    this.refresh();
    return at;
  }

  private put(data: ArrayLike<number> & { length: number }, at: number): void {
    this.f32.set(data as Float32Array, at >> 2);
  }

  /**
   * Runs `name` on units [0, total): on the calling thread alone when
   * `threads` is 1 (`single`, by default `name(...args(0), 0, total)`), else
   * `name_dyn` on every thread with chunks of `step` units from a shared
   * counter. `args(t)` are the leading arguments for thread t (its scratch
   * differs); the counter, total and step follow.
   */
  private run(
    name: string, threads: number, total: number, step: number, args: (t: number) => number[],
    single: () => void = () => this.fns[name]!(...args(0), 0, total),
  ): void {
    const pool = this.pool;
    if (threads <= 1 || !pool || total <= step) {
      single();
      return;
    }
    const counter = this.alloc(1);
    if (counter < 0) {
      single();
      return;
    }
    this.i32[counter >> 2] = 0;
    const dyn = `${name}_dyn`;
    const helpers = Math.min(pool.helpers, threads - 1);
    for (let t = 1; t <= helpers; t++) pool.post(t - 1, dyn, [...args(t), counter, total, step]);
    let err: unknown = null;
    try {
      this.fns[dyn]!(...args(0), counter, total, step);
    } catch (e) {
      err = e;
    }
    for (let t = 1; t <= helpers; t++) pool.finish(t - 1);
    if (err) throw err;
  }

  private geometry(g: Conv2dGeometry): number {
    const at = this.alloc(16);
    const v = [g.n, g.cIn, g.h, g.w, g.cOut, g.kH, g.kW, g.strideH, g.strideW, g.padH, g.padW, g.dilH, g.dilW, g.groups, g.hOut, g.wOut];
    this.i32.set(v, at >> 2);
    return at;
  }

  private threadsFor(macs: number, units: number): number {
    return macs >= PARALLEL_MACS ? Math.max(1, Math.min(this.threads, units)) : 1;
  }

  /** Convolution forward; null when the operands do not fit the memory limit. */
  convForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Conv2dGeometry): Float32Array | null {
    const P = g.hOut * g.wOut, outLen = g.n * g.cOut * P;
    const macs = outLen * (g.cIn / g.groups) * g.kH * g.kW;
    this.begin();
    const geo = this.geometry(g);
    const per = this.fns.conv_forward_scratch!(geo);
    const T = this.threadsFor(macs, g.n);
    const px = this.alloc(x.length), pw = this.alloc(w.length), pb = bias ? this.alloc(bias.length) : 0;
    const po = this.alloc(outLen), ps = this.alloc(stride(per) * T);
    if (px < 0 || pw < 0 || pb < 0 || po < 0 || ps < 0) return null;
    this.put(x, px);
    this.put(w, pw);
    if (bias) this.put(bias, pb);
    this.run('conv_forward', T, g.n, sampleStep(g.n), (t) => [px, pw, pb, po, geo, ps + t * stride(per) * 4]);
    return this.f32.slice(po >> 2, (po >> 2) + outLen);
  }

  /**
   * Every gradient of a convolution that is needed, from one copy of the
   * output gradient: input (if `w`), weight (if `x`), bias (if `bias`).
   * Null when the operands do not fit.
   */
  convBackward(
    gradOut: Float32Array, x: Float32Array | null, w: Float32Array | null, bias: boolean, g: Conv2dGeometry,
  ): { input: Float32Array | null; weight: Float32Array | null; bias: Float32Array | null } | null {
    const K = (g.cIn / g.groups) * g.kH * g.kW, P = g.hOut * g.wOut, inLen = g.n * g.cIn * g.h * g.w;
    const macs = gradOut.length * K;
    this.begin();
    const geo = this.geometry(g);
    const pg = this.alloc(gradOut.length);
    if (pg < 0) return null;
    this.put(gradOut, pg);
    let pi = 0, pw = 0, pb = 0;
    if (w) {
      const per = this.fns.conv_backward_input_scratch!(geo), T = this.threadsFor(macs, g.n);
      const pwt = this.alloc(w.length), ps = this.alloc(stride(per) * T);
      pi = this.alloc(inLen);
      if (pwt < 0 || ps < 0 || pi < 0) return null;
      this.put(w, pwt);
      this.run('conv_backward_input', T, g.n, sampleStep(g.n), (t) => [pg, pwt, pi, geo, ps + t * stride(per) * 4]);
    }
    if (x) {
      const per = this.fns.conv_backward_weight_scratch!(geo), T = this.threadsFor(macs, Math.ceil(K / WEIGHT_ROWS));
      const px = this.alloc(x.length), ps = this.alloc(stride(per) * T), pk = this.alloc(this.fns.pack_gout_floats!(geo));
      pw = this.alloc(g.cOut * K);
      if (px < 0 || ps < 0 || pw < 0 || pk < 0) return null;
      this.put(x, px);
      this.run('pack_gout', T, g.groups * g.n, 1, () => [pg, pk, geo]);
      this.run('conv_backward_weight', T, K, WEIGHT_ROWS, (t) => [pk, px, pw, geo, ps + t * stride(per) * 4]);
    }
    if (bias) {
      pb = this.alloc(g.cOut);
      if (pb < 0) return null;
      this.fns.bias_grad!(pg, pb, g.n, g.cOut, P);
    }
    return {
      input: w ? this.f32.slice(pi >> 2, (pi >> 2) + inLen) : null,
      weight: x ? this.f32.slice(pw >> 2, (pw >> 2) + g.cOut * K) : null,
      bias: bias ? this.f32.slice(pb >> 2, (pb >> 2) + g.cOut) : null,
    };
  }

  /** Convolution input gradient; null when the operands do not fit. */
  convBackwardInput(gradOut: Float32Array, w: Float32Array, g: Conv2dGeometry): Float32Array | null {
    const inLen = g.n * g.cIn * g.h * g.w;
    const macs = gradOut.length * (g.cIn / g.groups) * g.kH * g.kW;
    this.begin();
    const geo = this.geometry(g);
    const per = this.fns.conv_backward_input_scratch!(geo);
    const T = this.threadsFor(macs, g.n);
    const pg = this.alloc(gradOut.length), pw = this.alloc(w.length), pi = this.alloc(inLen), ps = this.alloc(stride(per) * T);
    if (pg < 0 || pw < 0 || pi < 0 || ps < 0) return null;
    this.put(gradOut, pg);
    this.put(w, pw);
    this.run('conv_backward_input', T, g.n, sampleStep(g.n), (t) => [pg, pw, pi, geo, ps + t * stride(per) * 4]);
    return this.f32.slice(pi >> 2, (pi >> 2) + inLen);
  }

  /** Convolution weight gradient; null when the operands do not fit. */
  convBackwardWeight(gradOut: Float32Array, x: Float32Array, g: Conv2dGeometry): Float32Array | null {
    const K = (g.cIn / g.groups) * g.kH * g.kW;
    const wLen = g.cOut * K;
    const macs = gradOut.length * K;
    this.begin();
    const geo = this.geometry(g);
    const per = this.fns.conv_backward_weight_scratch!(geo);
    const T = this.threadsFor(macs, Math.ceil(K / WEIGHT_ROWS));
    const pg = this.alloc(gradOut.length), px = this.alloc(x.length), pw = this.alloc(wLen), ps = this.alloc(stride(per) * T);
    const pk = this.alloc(this.fns.pack_gout_floats!(geo));
    if (pg < 0 || px < 0 || pw < 0 || ps < 0 || pk < 0) return null;
    this.put(gradOut, pg);
    this.put(x, px);
    this.run('pack_gout', T, g.groups * g.n, 1, () => [pg, pk, geo]);
    this.run('conv_backward_weight', T, K, WEIGHT_ROWS, (t) => [pk, px, pw, geo, ps + t * stride(per) * 4]);
    return this.f32.slice(pw >> 2, (pw >> 2) + wLen);
  }

  private poolGeometry(g: Pool2dGeometry): number {
    const at = this.alloc(16);
    const v = [g.planes, g.h, g.w, g.kH, g.kW, g.strideH, g.strideW, g.padH, g.padW, g.dilH, g.dilW, g.hOut, g.wOut];
    this.i32.set(v, at >> 2);
    return at;
  }

  /** ReLU forward (NaN kept, -0 to 0); null when it does not fit. */
  reluForward(x: Float32Array): Float32Array | null {
    this.begin();
    const px = this.alloc(x.length), po = this.alloc(x.length);
    if (px < 0 || po < 0) return null;
    this.put(x, px);
    const T = x.length >= PARALLEL_ELEMENTS ? this.threads : 1;
    this.run('relu_forward', T, x.length, elementStep(x.length), () => [px, po], () => this.fns.relu_forward!(px, po, x.length));
    return this.f32.slice(po >> 2, (po >> 2) + x.length);
  }

  /** ReLU gradient from the saved result; null when it does not fit. */
  reluBackward(g: Float32Array, result: Float32Array): Float32Array | null {
    this.begin();
    const pg = this.alloc(g.length), pr = this.alloc(g.length), po = this.alloc(g.length);
    if (pg < 0 || pr < 0 || po < 0) return null;
    this.put(g, pg);
    this.put(result, pr);
    const T = g.length >= PARALLEL_ELEMENTS ? this.threads : 1;
    this.run('relu_backward', T, g.length, elementStep(g.length), () => [pg, pr, po], () => this.fns.relu_backward!(pg, pr, po, g.length));
    return this.f32.slice(po >> 2, (po >> 2) + g.length);
  }

  /** Max pooling forward with indices; null when it does not fit. */
  maxPoolForward(x: Float32Array, g: Pool2dGeometry): { out: Float32Array; indices: Int32Array } | null {
    const outLen = g.planes * g.hOut * g.wOut;
    this.begin();
    const geo = this.poolGeometry(g);
    const px = this.alloc(x.length), po = this.alloc(outLen), pi = this.alloc(outLen);
    if (px < 0 || po < 0 || pi < 0) return null;
    this.put(x, px);
    const T = x.length >= PARALLEL_ELEMENTS ? this.threads : 1;
    this.run('maxpool_forward', T, g.planes, planeStep(g.planes), () => [px, po, pi, geo]);
    return { out: this.f32.slice(po >> 2, (po >> 2) + outLen), indices: this.i32.slice(pi >> 2, (pi >> 2) + outLen) };
  }

  /** Max pooling gradient; null when it does not fit. */
  maxPoolBackward(gradOut: Float32Array, indices: Int32Array, g: Pool2dGeometry): Float32Array | null {
    const inLen = g.planes * g.h * g.w;
    this.begin();
    const geo = this.poolGeometry(g);
    const pg = this.alloc(gradOut.length), pi = this.alloc(indices.length), po = this.alloc(inLen);
    if (pg < 0 || pi < 0 || po < 0) return null;
    this.put(gradOut, pg);
    this.i32.set(indices, pi >> 2);
    // With dilation an empty window's index may point into the next plane: one thread then.
    const T = inLen >= PARALLEL_ELEMENTS && g.dilH === 1 && g.dilW === 1 ? this.threads : 1;
    this.run('maxpool_backward', T, g.planes, planeStep(g.planes), () => [pg, pi, po, geo, inLen], () =>
      this.fns.maxpool_backward!(pg, pi, po, geo, 0, g.planes, inLen),
    );
    return this.f32.slice(po >> 2, (po >> 2) + inLen);
  }

  /** Average pooling forward; null when it does not fit. */
  avgPoolForward(x: Float32Array, g: Pool2dGeometry, includePad: boolean, divisor: number | null): Float32Array | null {
    const outLen = g.planes * g.hOut * g.wOut;
    this.begin();
    const geo = this.poolGeometry(g);
    const px = this.alloc(x.length), po = this.alloc(outLen);
    if (px < 0 || po < 0) return null;
    this.put(x, px);
    const T = x.length >= PARALLEL_ELEMENTS ? this.threads : 1;
    this.run('avgpool_forward', T, g.planes, planeStep(g.planes), () => [px, po, geo, includePad ? 1 : 0, divisor ?? 0]);
    return this.f32.slice(po >> 2, (po >> 2) + outLen);
  }

  /** Average pooling gradient; null when it does not fit. */
  avgPoolBackward(gradOut: Float32Array, g: Pool2dGeometry, includePad: boolean, divisor: number | null): Float32Array | null {
    const inLen = g.planes * g.h * g.w;
    this.begin();
    const geo = this.poolGeometry(g);
    const pg = this.alloc(gradOut.length), po = this.alloc(inLen);
    if (pg < 0 || po < 0) return null;
    this.put(gradOut, pg);
    const T = inLen >= PARALLEL_ELEMENTS ? this.threads : 1;
    this.run('avgpool_backward', T, g.planes, planeStep(g.planes), () => [pg, po, geo, includePad ? 1 : 0, divisor ?? 0]);
    return this.f32.slice(po >> 2, (po >> 2) + inLen);
  }

  /** Bias gradient of a convolution (`[n, c, P]` summed to `[c]` in double); null when it does not fit. */
  biasGrad(gradOut: Float32Array, n: number, c: number, P: number): Float32Array | null {
    this.begin();
    const pg = this.alloc(gradOut.length), po = this.alloc(c);
    if (pg < 0 || po < 0) return null;
    this.put(gradOut, pg);
    this.fns.bias_grad!(pg, po, n, c, P);
    return this.f32.slice(po >> 2, (po >> 2) + c);
  }

  /**
   * `C[m, n] = A[m, k] B[k, n]` with A(i, p) = a[i*ars + p*acs] and B
   * row-major; null when the operands do not fit.
   */
  matmul(a: Float32Array, ars: number, acs: number, b: Float32Array, m: number, k: number, n: number): Float32Array | null {
    this.begin();
    const per = this.fns.matmul_scratch!(m, k);
    const T = this.threadsFor(m * k * n, Math.ceil(m / 8));
    const pa = this.alloc(a.length), pb = this.alloc(b.length), pc = this.alloc(m * n), ps = this.alloc(stride(per) * T);
    if (pa < 0 || pb < 0 || pc < 0 || ps < 0) return null;
    this.put(a, pa);
    this.put(b, pb);
    this.run('matmul', T, m, 8, (t) => [pc, pa, ars, acs, pb, m, k, n, ps + t * stride(per) * 4]);
    return this.f32.slice(pc >> 2, (pc >> 2) + m * n);
  }
}
