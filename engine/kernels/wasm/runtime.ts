/**
 * The float32 WebAssembly SIMD kernels (build/wasm/src/kernels.c) behind a
 * typed-array interface: operands are copied into the module's shared linear
 * memory, the kernel runs (split over the helper threads when it is large),
 * and the result is copied out into a new Float32Array or lent (memory.ts
 * holds the allocator, the operand cache and the leases).
 *
 * Work is split in chunks of whole samples (convolution forward and input
 * gradient), of rows of the weight gradient (of panels of 8 input channels
 * for its Winograd form, of blocks of samples for one input channel per
 * group), or of rows of a matrix product,
 * handed out dynamically; every output element is computed by exactly one
 * thread with the same arithmetic, so the result depends neither on the
 * number of threads nor on which thread took which chunk.
 */
import type { BinaryOp, Conv2dGeometry, Pool2dGeometry } from '../geometry';
import type { ThreadPool } from '../fast/threads';
import { KernelMemory } from './memory';

export { KernelLease } from './memory';

/** Export names that helper threads may run (function numbers of a job). */
export const JOB_NAMES = [
  'conv_forward_dyn',
  'conv_backward_input_dyn',
  'conv_backward_weight_dyn',
  'matmul_dyn',
  'pack_gout_dyn',
  'relu_forward_dyn',
  'relu_backward_dyn',
  'maxpool_forward_dyn',
  'maxpool_backward_dyn',
  'avgpool_forward_dyn',
  'avgpool_backward_dyn',
  'wino_wgrad_dyn',
  'c1_wgrad_dyn',
  'skinny_matmul_dyn',
  'bias_grad_dyn',
  'pad_gather_dyn',
] as const;

/**
 * Reductions up to this length take the unpacked rank-k product
 * (build/wasm/src/skinny.h; same bits as the GEMM): Linear's gradients with
 * few outputs (k = 10) or a small batch (k = 32).
 */
const SKINNY_K = 32;

/**
 * Multiply-adds below which a call stays on one thread: 3,000,000 (about
 * 100 us of work), so W2's first convolution (3.6 million) is split and W4's
 * (2.36 million each) are not. Split, with a spinning helper (Note [Helpers
 * spin between calls], fast/threads.ts), W4's steps are 10% faster in a warm
 * session (median 0.46 -> 0.41 ms), but in a fresh process they warm up
 * slower: the helper takes the core V8's compiler and garbage collector
 * threads need, and a helper preempted in the middle of a chunk stalls the
 * call (40-60 steps of over 1 ms per 1,000, against 13-15), so `cli run` of W4
 * cost 0.59-0.62 ms per iteration against 0.47 unsplit. With helpers that
 * slept, the same split made even the warm step 18% slower. Details:
 * build/bench/README.md, session 22.
 */
export const PARALLEL_MACS = 3_000_000;

/**
 * Elements below which a memory-bound kernel (ReLU, pooling) stays on one
 * thread: 2^17 (a 512 KB operand, some microseconds of work). Such calls
 * are worth splitting only because the helper is usually spinning by then
 * (Note [Helpers spin between calls]); with helpers that slept the
 * threshold was 2^20, as W2's 40-130 us calls were 10-20% slower split
 * (session 21).
 */
export const PARALLEL_ELEMENTS = 1 << 17;

/**
 * How much smaller a call may be split while the helpers are awake.
 *
 * Note [Splitting while the helpers are awake]: the thresholds above are for
 * a helper that has to be woken (about 45 us on the 2-vCPU VM). Just after a
 * split call a helper is still spinning (Note [Helpers spin between calls],
 * fast/threads.ts) and joins in about 1.5 us, so splitting pays for calls 8
 * times smaller: W2's Linear products (0.5 million multiply-adds, three per
 * step) and its bias gradients (2^17.6 and 2^18.6 floats), which otherwise
 * ran on one thread between split calls. A workload with no call above the
 * thresholds (W4, W5) never wakes a helper, so nothing changes there. The
 * split does not change any result.
 */
const WARM_FACTOR = 8;

/** Floats from one thread's scratch to the next (64-byte multiples). */
const stride = (floats: number): number => (floats + 15) & ~15;

/** Samples per chunk: about sixteen chunks per call, so a late thread can still share the work. */
const sampleStep = (n: number): number => Math.max(1, Math.floor(n / 16));

/** Planes per chunk of a pooling kernel (about 16 chunks). */
const planeStep = (planes: number): number => Math.max(1, Math.ceil(planes / 16));

/** Elements per chunk of ReLU (about 16 chunks, multiples of 64). */
const elementStep = (n: number): number => Math.max(64, Math.ceil(n / 16 / 64) * 64);

/**
 * Rows of the weight gradient per chunk (a multiple of the GEMM's 4-row
 * panels); 4 when there are few rows (a layer with c input channels per
 * group and a 3x3 kernel has 9c), so that two threads still share them.
 */
const weightRows = (K: number): number => (K >= 64 ? 16 : 4);

/** The kernel module instantiated over a memory: the kernels, on one thread or split over helpers. */
export class WasmKernels extends KernelMemory {
  private pool: ThreadPool | null = null;
  private parallelMacs = PARALLEL_MACS;
  private parallelElements = PARALLEL_ELEMENTS;

  /** Splits calls from `macs` multiply-adds and `elements` elements on (tests: 0, every call). */
  setParallelMin(macs: number, elements: number): void {
    this.parallelMacs = macs;
    this.parallelElements = elements;
  }

  /** Uses `pool`'s helpers for large calls (null: the calling thread only). */
  setPool(pool: ThreadPool | null): void {
    this.pool = pool;
  }

  /** Number of threads a large call uses. */
  get threads(): number {
    return 1 + (this.pool?.helpers ?? 0);
  }

  /**
   * Runs `name` on units [0, total): on the calling thread alone when
   * `threads` is 1 (`single`, by default `name(...args(0), 0, total)`), else
   * `name_dyn` on every thread with chunks of `step` units from a shared
   * counter. `args(t)` are the leading arguments for thread t (its scratch
   * differs); the counter, total and step follow.
   */
  private run(
    name: string,
    threads: number,
    total: number,
    step: number,
    args: (t: number) => number[],
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
    if (at < 0) return -1;
    const v = [
      g.n,
      g.cIn,
      g.h,
      g.w,
      g.cOut,
      g.kH,
      g.kW,
      g.strideH,
      g.strideW,
      g.padH,
      g.padW,
      g.dilH,
      g.dilW,
      g.groups,
      g.hOut,
      g.wOut,
    ];
    this.i32.set(v, at >> 2);
    return at;
  }

  /**
   * Threads of a call of `macs` multiply-adds over `units` units of work; the
   * threshold is WARM_FACTOR times lower while the helpers are still spinning
   * (Note [Splitting while the helpers are awake]).
   */
  private threadsFor(macs: number, units: number): number {
    const min = this.pool?.warm() ? this.parallelMacs / WARM_FACTOR : this.parallelMacs;
    return macs >= min ? Math.max(1, Math.min(this.threads, units)) : 1;
  }

  /** Threads of a memory-bound call over `elements` elements (lower threshold while warm, as above). */
  private threadsForElements(elements: number): number {
    const min = this.pool?.warm() ? this.parallelElements / WARM_FACTOR : this.parallelElements;
    return elements >= min ? this.threads : 1;
  }

  /** Convolution forward; null when the operands do not fit the memory limit. */
  convForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Conv2dGeometry): Float32Array | null {
    const P = g.hOut * g.wOut,
      outLen = g.n * g.cOut * P;
    const macs = outLen * (g.cIn / g.groups) * g.kH * g.kW;
    this.begin();
    const px = this.operand(x),
      pw = this.operand(w),
      pb = bias ? this.operand(bias) : 0;
    if (px < 0 || pw < 0 || pb < 0) return null;
    const geo = this.geometry(g);
    if (geo < 0) return null;
    const per = this.fns.conv_forward_scratch!(geo);
    const T = this.threadsFor(macs, g.n);
    const po = this.alloc(outLen),
      ps = this.alloc(stride(per) * T);
    if (po < 0 || ps < 0) return null;
    this.run('conv_forward', T, g.n, sampleStep(g.n), (t) => [px, pw, pb, po, geo, ps + t * stride(per) * 4]);
    return this.result(po, outLen);
  }

  /**
   * Every gradient of a convolution that is needed, from one copy of the
   * output gradient: input (if `w`), weight (if `x`), bias (if `bias`).
   * Null when the operands do not fit.
   */
  convBackward(
    gradOut: Float32Array,
    x: Float32Array | null,
    w: Float32Array | null,
    bias: boolean,
    g: Conv2dGeometry,
  ): { input: Float32Array | null; weight: Float32Array | null; bias: Float32Array | null } | null {
    const K = (g.cIn / g.groups) * g.kH * g.kW,
      P = g.hOut * g.wOut,
      inLen = g.n * g.cIn * g.h * g.w;
    const macs = gradOut.length * K;
    this.begin();
    const pg = this.operand(gradOut),
      pwt = w ? this.operand(w) : 0,
      px = x ? this.operand(x) : 0;
    if (pg < 0 || pwt < 0 || px < 0) return null;
    const geo = this.geometry(g);
    if (geo < 0) return null;
    let pi = 0,
      pw = 0,
      pb = 0;
    if (w) {
      const per = this.fns.conv_backward_input_scratch!(geo),
        T = this.threadsFor(macs, g.n);
      const ps = this.alloc(stride(per) * T);
      pi = this.alloc(inLen);
      if (ps < 0 || pi < 0) return null;
      this.run('conv_backward_input', T, g.n, sampleStep(g.n), (t) => [pg, pwt, pi, geo, ps + t * stride(per) * 4]);
    }
    if (x) {
      const units = this.fns.wino_wgrad_units!(geo),
        c1 = this.fns.c1_wgrad_units!(geo);
      if (units > 0) pw = this.winogradWeight(pg, px, geo, g, units, macs);
      else pw = c1 > 0 ? this.oneChannelWeight(pg, px, geo, g, c1, macs) : this.directWeight(pg, px, geo, g, K, macs);
      if (pw < 0) return null;
    }
    if (bias) {
      pb = this.alloc(g.cOut);
      if (pb < 0) return null;
      this.biasGradAt(pg, pb, g.n, g.cOut, P);
    }
    return {
      input: w ? this.result(pi, inLen) : null,
      weight: x ? this.result(pw, g.cOut * K) : null,
      bias: bias ? this.result(pb, g.cOut) : null,
    };
  }

  /** Weight gradient by the 4x8 GEMM over the packed output gradient; its address, or -1. */
  private directWeight(pg: number, px: number, geo: number, g: Conv2dGeometry, K: number, macs: number): number {
    const per = this.fns.conv_backward_weight_scratch!(geo),
      T = this.threadsFor(macs, Math.ceil(K / weightRows(K)));
    const ps = this.alloc(stride(per) * T),
      pk = this.alloc(this.fns.pack_gout_floats!(geo)),
      pw = this.alloc(g.cOut * K);
    if (ps < 0 || pw < 0 || pk < 0) return -1;
    this.run('pack_gout', T, g.groups * g.n, 1, () => [pg, pk, geo]);
    this.run('conv_backward_weight', T, K, weightRows(K), (t) => [pk, px, pw, geo, ps + t * stride(per) * 4]);
    return pw;
  }

  /**
   * Weight gradient with one input channel per group (build/wasm/src/conv1.h):
   * partial sums per block of samples (`units`), added in a fixed order on the
   * calling thread; its address, or -1.
   */
  private oneChannelWeight(
    pg: number,
    px: number,
    geo: number,
    g: Conv2dGeometry,
    units: number,
    macs: number,
  ): number {
    const per = this.fns.c1_wgrad_scratch_floats!(geo),
      T = this.threadsFor(macs, units);
    const ps = this.alloc(stride(per) * T),
      part = this.alloc(this.fns.c1_wgrad_part_floats!(geo)),
      pw = this.alloc(g.cOut * g.kH * g.kW);
    if (ps < 0 || part < 0 || pw < 0) return -1;
    this.run('c1_wgrad', T, units, 1, (t) => [pg, px, part, geo, ps + t * stride(per) * 4]);
    this.fns.c1_wgrad_sum!(part, pw, geo);
    return pw;
  }

  /**
   * Weight gradient of a 3x3 stride-1 convolution by Winograd F(2x2, 3x3)
   * (build/wasm/src/winograd.h): dU split by panels of 8 input channels and
   * blocks of samples (`units`, each with its own partial sum: Note [Winograd
   * weight gradient units]), then dW = G^T (sum of the partials) G on the
   * calling thread; its address, or -1.
   */
  private winogradWeight(pg: number, px: number, geo: number, g: Conv2dGeometry, units: number, macs: number): number {
    const per = this.fns.wino_wgrad_scratch!(geo),
      T = this.threadsFor(macs, units);
    const ps = this.alloc(stride(per) * T),
      du = this.alloc(this.fns.wino_wgrad_du_floats!(geo)),
      bad = this.alloc(units),
      pw = this.alloc((g.cOut * g.cIn * 9) / g.groups);
    if (ps < 0 || du < 0 || bad < 0 || pw < 0) return -1;
    this.run('wino_wgrad', T, units, 1, (t) => [pg, px, du, bad, geo, ps + t * stride(per) * 4]);
    // Note [Winograd and non-finite values] (build/wasm/src/winograd.h): infinities and NaN take the direct path.
    if (this.i32.subarray(bad >> 2, (bad >> 2) + units).some((b) => b !== 0)) {
      return this.directWeight(pg, px, geo, g, (g.cIn / g.groups) * 9, macs);
    }
    this.fns.wino_wgrad_finish!(du, pw, geo);
    return pw;
  }

  /** Convolution input gradient; null when the operands do not fit. */
  convBackwardInput(gradOut: Float32Array, w: Float32Array, g: Conv2dGeometry): Float32Array | null {
    return this.convBackward(gradOut, null, w, false, g)?.input ?? null;
  }

  /** Convolution weight gradient; null when the operands do not fit. */
  convBackwardWeight(gradOut: Float32Array, x: Float32Array, g: Conv2dGeometry): Float32Array | null {
    return this.convBackward(gradOut, x, null, false, g)?.weight ?? null;
  }

  private poolGeometry(g: Pool2dGeometry): number {
    const at = this.alloc(16);
    if (at < 0) return -1;
    const v = [g.planes, g.h, g.w, g.kH, g.kW, g.strideH, g.strideW, g.padH, g.padW, g.dilH, g.dilW, g.hOut, g.wOut];
    this.i32.set(v, at >> 2);
    return at;
  }

  /** ReLU forward (NaN kept, -0 to 0); null when it does not fit. */
  reluForward(x: Float32Array): Float32Array | null {
    this.begin();
    const px = this.operand(x);
    if (px < 0) return null;
    const po = this.alloc(x.length);
    if (po < 0) return null;
    const T = this.threadsForElements(x.length);
    this.run(
      'relu_forward',
      T,
      x.length,
      elementStep(x.length),
      () => [px, po],
      () => this.fns.relu_forward!(px, po, x.length),
    );
    return this.result(po, x.length);
  }

  /** ReLU gradient from the saved result; null when it does not fit. */
  reluBackward(g: Float32Array, result: Float32Array): Float32Array | null {
    this.begin();
    const pg = this.operand(g),
      pr = this.operand(result);
    if (pg < 0 || pr < 0) return null;
    const po = this.alloc(g.length);
    if (po < 0) return null;
    const T = this.threadsForElements(g.length);
    this.run(
      'relu_backward',
      T,
      g.length,
      elementStep(g.length),
      () => [pg, pr, po],
      () => this.fns.relu_backward!(pg, pr, po, g.length),
    );
    return this.result(po, g.length);
  }

  /** Max pooling forward with indices; null when it does not fit. */
  maxPoolForward(x: Float32Array, g: Pool2dGeometry): { out: Float32Array; indices: Int32Array } | null {
    const outLen = g.planes * g.hOut * g.wOut;
    this.begin();
    const px = this.operand(x);
    if (px < 0) return null;
    const geo = this.poolGeometry(g),
      po = this.alloc(outLen),
      pi = this.alloc(outLen);
    if (geo < 0 || po < 0 || pi < 0) return null;
    const T = this.threadsForElements(x.length);
    this.run('maxpool_forward', T, g.planes, planeStep(g.planes), () => [px, po, pi, geo]);
    return { out: this.result(po, outLen), indices: this.resultInt(pi, outLen) };
  }

  /** Max pooling gradient; null when it does not fit. */
  maxPoolBackward(gradOut: Float32Array, indices: Int32Array, g: Pool2dGeometry): Float32Array | null {
    const inLen = g.planes * g.h * g.w;
    this.begin();
    const pg = this.operand(gradOut),
      pi = this.operand(indices);
    if (pg < 0 || pi < 0) return null;
    const geo = this.poolGeometry(g),
      po = this.alloc(inLen);
    if (geo < 0 || po < 0) return null;
    // With dilation an empty window's index may point into the next plane: one thread then.
    const T = g.dilH === 1 && g.dilW === 1 ? this.threadsForElements(inLen) : 1;
    this.run(
      'maxpool_backward',
      T,
      g.planes,
      planeStep(g.planes),
      () => [pg, pi, po, geo, inLen],
      () => this.fns.maxpool_backward!(pg, pi, po, geo, 0, g.planes, inLen),
    );
    return this.result(po, inLen);
  }

  /** Average pooling forward; null when it does not fit. */
  avgPoolForward(x: Float32Array, g: Pool2dGeometry, includePad: boolean, divisor: number | null): Float32Array | null {
    const outLen = g.planes * g.hOut * g.wOut;
    this.begin();
    const px = this.operand(x);
    if (px < 0) return null;
    const geo = this.poolGeometry(g),
      po = this.alloc(outLen);
    if (geo < 0 || po < 0) return null;
    const T = this.threadsForElements(x.length);
    this.run('avgpool_forward', T, g.planes, planeStep(g.planes), () => [
      px,
      po,
      geo,
      includePad ? 1 : 0,
      divisor ?? 0,
    ]);
    return this.result(po, outLen);
  }

  /** Average pooling gradient; null when it does not fit. */
  avgPoolBackward(
    gradOut: Float32Array,
    g: Pool2dGeometry,
    includePad: boolean,
    divisor: number | null,
  ): Float32Array | null {
    const inLen = g.planes * g.h * g.w;
    this.begin();
    const pg = this.operand(gradOut);
    if (pg < 0) return null;
    const geo = this.poolGeometry(g),
      po = this.alloc(inLen);
    if (geo < 0 || po < 0) return null;
    const T = this.threadsForElements(inLen);
    this.run('avgpool_backward', T, g.planes, planeStep(g.planes), () => [
      pg,
      po,
      geo,
      includePad ? 1 : 0,
      divisor ?? 0,
    ]);
    return this.result(po, inLen);
  }

  /** Bias gradient of a convolution (`[n, c, P]` summed to `[c]` in double); null when it does not fit. */
  biasGrad(gradOut: Float32Array, n: number, c: number, P: number): Float32Array | null {
    this.begin();
    const pg = this.operand(gradOut);
    if (pg < 0) return null;
    const po = this.alloc(c);
    if (po < 0) return null;
    this.biasGradAt(pg, po, n, c, P);
    return this.result(po, c);
  }

  /** The bias gradient of `[n, c, P]` at `pg` into `po`: channels split over the threads. */
  private biasGradAt(pg: number, po: number, n: number, c: number, P: number): void {
    const T = this.threadsForElements(n * c * P);
    this.run('bias_grad', T, c, Math.max(1, Math.ceil(c / 16)), () => [pg, po, n, c, P]);
  }

  /**
   * `C[m, n] = A[m, k] B[k, n]` with A(i, p) = a[i*ars + p*acs] and B
   * row-major, or with `bt` B stored `[n, k]` (then acs must be 1; the skinny
   * dot products of build/wasm/src/skinny.h); null when the operands do not
   * fit. A copied-out result is not kept resident: addmm adds its bias to it
   * in place (a lent one is the memory itself, so that is fine).
   */
  matmul(
    a: Float32Array,
    ars: number,
    acs: number,
    b: Float32Array,
    m: number,
    k: number,
    n: number,
    bt = false,
  ): Float32Array | null {
    this.begin();
    const pa = this.operand(a),
      pb = this.operand(b);
    if (pa < 0 || pb < 0) return null;
    const skinny = bt || k <= SKINNY_K;
    const per = skinny ? 0 : this.fns.matmul_scratch!(m, k);
    const T = this.threadsFor(m * k * n, Math.ceil(m / 8));
    const pc = this.alloc(m * n),
      ps = skinny ? 0 : this.alloc(stride(per) * T);
    if (pc < 0 || ps < 0) return null;
    if (skinny) this.run('skinny_matmul', T, m, 8, () => [pc, pa, ars, acs, pb, bt ? 1 : 0, m, k, n]);
    else this.run('matmul', T, m, 8, (t) => [pc, pa, ars, acs, pb, m, k, n, ps + t * stride(per) * 4]);
    return this.resultUnkept(pc, m * n);
  }

  /**
   * `torch._softmax` (`log` false) or `torch._log_softmax` (`log` true) of
   * `x` viewed as `[outer, dimSize, inner]`, along the middle dimension
   * (build/wasm/src/softmax.c, on the calling thread); null when it does not fit.
   */
  softmax(x: Float32Array, outer: number, dimSize: number, inner: number, log: boolean): Float32Array | null {
    this.begin();
    const px = this.operand(x);
    if (px < 0) return null;
    const po = this.alloc(x.length);
    if (po < 0) return null;
    this.fns[log ? 'log_softmax' : 'softmax']!(px, po, outer, dimSize, inner);
    return this.result(po, x.length);
  }

  /**
   * `torch._softmax_backward_data` (`log` false) or
   * `torch._log_softmax_backward_data` (`log` true): the input gradient from
   * `gradOut` and the saved forward `output`, both `[outer, dimSize, inner]`;
   * null when it does not fit.
   */
  softmaxBackwardData(
    gradOut: Float32Array,
    output: Float32Array,
    outer: number,
    dimSize: number,
    inner: number,
    log: boolean,
  ): Float32Array | null {
    this.begin();
    const pg = this.operand(gradOut),
      py = this.operand(output);
    if (pg < 0 || py < 0) return null;
    const po = this.alloc(gradOut.length);
    if (po < 0) return null;
    this.fns[log ? 'log_softmax_backward_data' : 'softmax_backward_data']!(pg, py, po, outer, dimSize, inner);
    return this.result(po, gradOut.length);
  }

  /**
   * `a op b` elementwise for same-length `a` and `b` (build/wasm/src/elementwise.c),
   * bit-identical to float32 arithmetic; null when it does not fit.
   */
  binaryOp(op: BinaryOp, a: Float32Array, b: Float32Array): Float32Array | null {
    this.begin();
    const pa = this.operand(a),
      pb = this.operand(b);
    if (pa < 0 || pb < 0) return null;
    const po = this.alloc(a.length);
    if (po < 0) return null;
    this.fns.binary_op!(BINARY_OPS[op], pa, pb, po, a.length);
    return this.result(po, a.length);
  }

  /**
   * `a op s` (or `s op a` when `reversed`) elementwise, computed as
   * `Math.fround(a[i] op s)` in double; null when it does not fit.
   */
  /**
   * `out[p, i, j] = x[p, mapH[i], mapW[j]]` for `planes` planes of h x w, the
   * interior columns `[left, left + w)` the row itself (reflect, replicate and
   * circular padding: engine/kernels/pad.ts); null when it does not fit.
   */
  padGather(
    x: Float32Array,
    planes: number,
    h: number,
    w: number,
    mapH: Int32Array,
    mapW: Int32Array,
    left: number,
  ): Float32Array | null {
    const outLen = planes * mapH.length * mapW.length;
    this.begin();
    const px = this.operand(x),
      pmh = this.alloc(mapH.length),
      pmw = this.alloc(mapW.length),
      po = this.alloc(outLen);
    if (px < 0 || pmh < 0 || pmw < 0 || po < 0) return null;
    this.i32.set(mapH, pmh >> 2);
    this.i32.set(mapW, pmw >> 2);
    const T = this.threadsForElements(outLen);
    this.run('pad_gather', T, planes, planeStep(planes), () => [
      px,
      po,
      h,
      w,
      pmh,
      mapH.length,
      pmw,
      mapW.length,
      left,
    ]);
    return this.result(po, outLen);
  }

  /** The transpose (`[cols, rows]`) of a row-major `[rows, cols]` matrix; null when it does not fit. */
  transpose(x: Float32Array, rows: number, cols: number): Float32Array | null {
    this.begin();
    const px = this.operand(x),
      po = this.alloc(rows * cols);
    if (px < 0 || po < 0) return null;
    this.fns.transpose!(px, po, rows, cols, 0, rows);
    return this.result(po, rows * cols);
  }

  /** The sum of every element of `x` in double (build/wasm/src/ops.c `sum_all`); null when it does not fit. */
  sumAll(x: Float32Array): number | null {
    this.begin();
    const px = this.operand(x);
    if (px < 0) return null;
    return this.fns.sum_all!(px, x.length) as number;
  }

  scalarOp(op: BinaryOp, a: Float32Array, s: number, reversed: boolean): Float32Array | null {
    this.begin();
    const pa = this.operand(a);
    if (pa < 0) return null;
    const po = this.alloc(a.length);
    if (po < 0) return null;
    this.fns.scalar_op!(BINARY_OPS[op], pa, s, po, a.length, reversed ? 1 : 0);
    return this.result(po, a.length);
  }
}

/** Op numbers of build/wasm/src/elementwise.c. */
const BINARY_OPS: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };
