/**
 * The float32 WebAssembly SIMD kernels (build/wasm/src/kernels.c) behind a
 * typed-array interface: operands are copied into the module's shared linear
 * memory, the kernel runs (split over the helper threads when it is large),
 * and the result is copied out into a new Float32Array.
 *
 * The memory is used as a ring: each call allocates after the previous one,
 * and wraps to the start once past the ring's size (see {@link RING_MAX}). A
 * result stays in the ring, remembered by the array it was copied to, until
 * an allocation overwrites it, so a later call that takes that array as
 * operand (ReLU after a convolution, pooling after ReLU, every gradient of the
 * backward pass) uses the copy in place instead of copying it in again.
 * Results are immutable for the engine except through in-place ops, which
 * bump their storage's version and with it call {@link WasmKernels.forget}.
 *
 * While a {@link KernelLease} is in use, large results are not copied out at
 * all: the caller gets a view into the module's memory, which no allocation
 * touches until the lease is released. The owner of the lease (a graph
 * session, one per iteration) copies out whatever it keeps past the release.
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

/**
 * Rows of the weight gradient per chunk (a multiple of the GEMM's 4-row
 * panels); 4 when there are few rows (a first layer with one input channel
 * has 9), so that two threads still share them.
 */
const weightRows = (K: number): number => (K >= 64 ? 16 : 4);

/**
 * Bytes of the ring before allocation wraps to its start (a call may run past
 * it): eight times the largest call so far, between 1 and 32 MiB. Large
 * enough to keep a step's results of W2/W3 until their gradients are
 * computed; small graphs keep reusing the same (cached) memory.
 */
const RING_MIN = 1 << 20, RING_MAX = 32 << 20, RING_CALLS = 8;

/** Elements from which a result buffer comes from the host's allocator (smaller: a typed array is cheaper). */
const UNZEROED_MIN = 16384;

/** Elements from which a result is remembered (copying a smaller one in again is cheap). */
const REMEMBER_MIN = 4096;

/** Results remembered at most (the older half is dropped past it); a W2 step has 14. */
const MAX_HELD = 64;

/** A result still held in the ring: byte range [start, end). */
interface Resident {
  start: number;
  end: number;
  live: boolean;
  /** Lent to a lease: the caller's array is a view of [start, end), never overwritten until released. */
  lent: boolean;
}

/**
 * Results lent by the kernels to one owner: views into the module's memory
 * that stay valid, and untouched by the kernels, until
 * {@link WasmKernels.releaseLease}. Reading such a view after the release
 * reads whatever the memory holds by then.
 */
export class KernelLease {
  /** The kernels that lend. */
  readonly owner: object;
  /** Regions of the lent results. */
  readonly regions: Resident[] = [];
  /** Bytes lent so far. */
  bytes = 0;
  released = false;

  constructor(owner: object) {
    this.owner = owner;
  }
}

/** The kernel module instantiated over a memory, with a ring allocator. */
export class WasmKernels {
  private readonly fns: Record<string, Fn>;
  private readonly memory: WasmMemory;
  private readonly heapBase: number;
  private readonly maxBytes: number;
  private pool: ThreadPool | null = null;
  private f32: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private i32: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private top = 0;
  /** Results held in the ring, by the array they were copied to. */
  private resident = new WeakMap<object, Resident>();
  /** Live entries of {@link resident}, in allocation order. */
  private held: Resident[] = [];
  /** Resident operands of the current call: allocation skips them. */
  private pinned: Resident[] = [];
  private allocate: ((bytes: number) => ArrayBuffer) | null = null;
  /** The lease results are lent to (null: results are copied out). */
  private lease: KernelLease | null = null;
  /** Regions of every unreleased lease, by start address. */
  private lent: Resident[] = [];
  /** Every buffer the memory has had (it changes when the memory grows). */
  private readonly buffers = new WeakSet<object>();
  /** Elements from which a result is lent rather than copied out. */
  private lendMin = UNZEROED_MIN;
  /** Fill released regions with NaN (tests: a view read after its release shows). */
  private poison = false;
  /** Bytes allocated by the current call, and by the largest call so far. */
  private callBytes = 0;
  private maxCallBytes = 0;

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
      this.buffers.add(buf);
    }
  }

  /** Starts a call's allocations (wrapping the ring when past its end). */
  private begin(): void {
    this.pinned.length = 0;
    if (this.callBytes > this.maxCallBytes) this.maxCallBytes = this.callBytes;
    this.callBytes = 0;
    const ring = Math.min(RING_MAX, Math.max(RING_MIN, RING_CALLS * this.maxCallBytes));
    if (this.top === 0 || this.top - this.heapBase >= ring) this.top = this.heapBase;
  }

  /**
   * Reserves `floats` (64-byte aligned) after the previous allocation, past
   * the current call's resident operands; results it overwrites are
   * forgotten. Returns the byte address, or -1 past the memory limit.
   */
  private alloc(floats: number): number {
    const bytes = (floats * 4 + 63) & ~63;
    let at = this.top;
    for (let moved = true; moved; ) {
      moved = false;
      for (const p of this.pinned) {
        if (at < p.end && at + bytes > p.start) {
          at = p.end;
          moved = true;
        }
      }
      for (const p of this.lent) {
        if (p.start >= at + bytes) break;
        if (at < p.end) {
          at = p.end;
          moved = true;
        }
      }
    }
    const end = at + bytes;
    if (end > this.maxBytes) return -1;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        return -1; // the TypeScript kernel takes over
      }
    }
    if (bytes > 0) this.overwrite(at, end);
    this.callBytes += end - this.top;
    this.top = end;
    this.refresh();
    return at;
  }

  /** Forgets the results held in [start, end). */
  private overwrite(start: number, end: number): void {
    const held = this.held;
    let k = 0;
    for (let i = 0; i < held.length; i++) {
      const r = held[i]!;
      if (r.live && (r.end <= start || r.start >= end)) held[k++] = r;
      else r.live = false;
    }
    held.length = k;
  }

  /**
   * The address of `data` in the ring if a previous result is still there
   * (pinned for this call), else a fresh copy of it; -1 when it does not fit.
   */
  private operand(data: Float32Array | Int32Array): number {
    const r = this.resident.get(data);
    if (r && r.live) {
      this.pinned.push(r);
      return r.start;
    }
    const at = this.alloc(data.length);
    if (at < 0) return -1;
    if (data instanceof Float32Array) this.f32.set(data, at >> 2);
    else this.i32.set(data, at >> 2);
    return at;
  }

  /**
   * Uses `allocate(bytes)` for the buffers results are copied to (e.g. Node's
   * `Buffer.allocUnsafeSlow`, which skips zeroing memory that the copy
   * overwrites anyway); it must return a new, non-shared ArrayBuffer of
   * exactly `bytes` bytes. Null: `new Float32Array(n)`.
   */
  setAllocator(allocate: ((bytes: number) => ArrayBuffer) | null): void {
    this.allocate = allocate;
  }

  /**
   * The result at `at` (`length` floats): lent to the current lease as a view
   * when it is large enough, else copied out and remembered as resident.
   */
  private result(at: number, length: number): Float32Array {
    if (this.lease && length >= this.lendMin) return this.lend(this.f32.subarray(at >> 2, (at >> 2) + length), at);
    const out = this.allocate && length >= UNZEROED_MIN ? new Float32Array(this.allocate(length * 4), 0, length) : new Float32Array(length);
    out.set(this.f32.subarray(at >> 2, (at >> 2) + length));
    this.remember(out, at);
    return out;
  }

  /** The int32 result at `at`, lent or copied out and remembered as resident. */
  private resultInt(at: number, length: number): Int32Array {
    if (this.lease && length >= this.lendMin) return this.lend(this.i32.subarray(at >> 2, (at >> 2) + length), at);
    const out = this.allocate && length >= UNZEROED_MIN ? new Int32Array(this.allocate(length * 4), 0, length) : new Int32Array(length);
    out.set(this.i32.subarray(at >> 2, (at >> 2) + length));
    this.remember(out, at);
    return out;
  }

  /** Lends `view` (of the memory at `at`) to the current lease. */
  private lend<A extends Float32Array | Int32Array>(view: A, at: number): A {
    const lease = this.lease!;
    const r: Resident = { start: at, end: at + view.length * 4, live: true, lent: true };
    lease.regions.push(r);
    lease.bytes += r.end - r.start;
    const lent = this.lent;
    let i = lent.length;
    while (i > 0 && lent[i - 1]!.start > at) i--;
    lent.splice(i, 0, r);
    this.resident.set(view, r);
    return view;
  }

  private remember(out: Float32Array | Int32Array, at: number): void {
    if (out.length < REMEMBER_MIN) return;
    const r: Resident = { start: at, end: at + out.length * 4, live: true, lent: false };
    const held = this.held;
    if (held.length >= MAX_HELD) {
      // Small results of small graphs would otherwise pile up until the ring wraps.
      const drop = held.length - MAX_HELD / 2;
      for (let i = 0; i < drop; i++) held[i]!.live = false;
      held.splice(0, drop);
    }
    held.push(r);
    this.resident.set(out, r);
  }

  /**
   * Drops the ring's copy of `data` (a result about to be or just modified
   * in place), so no later call reads the stale copy.
   */
  forget(data: object): void {
    const r = this.resident.get(data);
    if (!r || r.lent) return; // a lent result is the memory itself: nothing stale
    r.live = false;
    this.resident.delete(data);
  }

  /** Starts a lease (see {@link useLease}). */
  openLease(): KernelLease {
    return new KernelLease(this);
  }

  /** Lends the results of the following calls to `lease` (null: copy them out again). */
  useLease(lease: KernelLease | null): void {
    this.lease = lease && !lease.released && lease.owner === this ? lease : null;
  }

  /** The lease results are lent to right now. */
  get currentLease(): KernelLease | null {
    return this.lease;
  }

  /**
   * Ends `lease`: its regions may be overwritten by later calls (until then
   * they still serve as operands without a copy). Views of it must not be
   * read any more.
   */
  releaseLease(lease: KernelLease): void {
    if (lease.released || lease.owner !== this) return;
    lease.released = true;
    if (this.lease === lease) this.lease = null;
    const gone = new Set(lease.regions);
    this.lent = this.lent.filter((r) => !gone.has(r));
    for (const r of lease.regions) {
      r.lent = false;
      if (this.poison) {
        r.live = false;
        this.f32.fill(NaN, r.start >> 2, r.end >> 2);
      } else if (r.live) this.held.push(r);
    }
    if (this.held.length > MAX_HELD) {
      const drop = this.held.length - MAX_HELD / 2;
      for (let i = 0; i < drop; i++) this.held[i]!.live = false;
      this.held.splice(0, drop);
    }
  }

  /** True if `data` is a view of the module's memory (a lent result). */
  isKernelMemory(data: ArrayBufferView): boolean {
    return this.buffers.has(data.buffer);
  }

  /**
   * Lends results from `elements` elements on (default 16384); tests use 1 to
   * lend everything, with `poison` to fill released regions with NaN.
   */
  setLendThreshold(elements: number, poison = false): void {
    this.lendMin = Math.max(1, Math.floor(elements));
    this.poison = poison;
  }

  /** Bytes lent to unreleased leases. */
  get lentBytes(): number {
    let n = 0;
    for (const r of this.lent) n += r.end - r.start;
    return n;
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
    if (at < 0) return -1;
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
    const px = this.operand(x), pw = this.operand(w), pb = bias ? this.operand(bias) : 0;
    if (px < 0 || pw < 0 || pb < 0) return null;
    const geo = this.geometry(g);
    if (geo < 0) return null;
    const per = this.fns.conv_forward_scratch!(geo);
    const T = this.threadsFor(macs, g.n);
    const po = this.alloc(outLen), ps = this.alloc(stride(per) * T);
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
    gradOut: Float32Array, x: Float32Array | null, w: Float32Array | null, bias: boolean, g: Conv2dGeometry,
  ): { input: Float32Array | null; weight: Float32Array | null; bias: Float32Array | null } | null {
    const K = (g.cIn / g.groups) * g.kH * g.kW, P = g.hOut * g.wOut, inLen = g.n * g.cIn * g.h * g.w;
    const macs = gradOut.length * K;
    this.begin();
    const pg = this.operand(gradOut), pwt = w ? this.operand(w) : 0, px = x ? this.operand(x) : 0;
    if (pg < 0 || pwt < 0 || px < 0) return null;
    const geo = this.geometry(g);
    if (geo < 0) return null;
    let pi = 0, pw = 0, pb = 0;
    if (w) {
      const per = this.fns.conv_backward_input_scratch!(geo), T = this.threadsFor(macs, g.n);
      const ps = this.alloc(stride(per) * T);
      pi = this.alloc(inLen);
      if (ps < 0 || pi < 0) return null;
      this.run('conv_backward_input', T, g.n, sampleStep(g.n), (t) => [pg, pwt, pi, geo, ps + t * stride(per) * 4]);
    }
    if (x) {
      const per = this.fns.conv_backward_weight_scratch!(geo), T = this.threadsFor(macs, Math.ceil(K / weightRows(K)));
      const ps = this.alloc(stride(per) * T), pk = this.alloc(this.fns.pack_gout_floats!(geo));
      pw = this.alloc(g.cOut * K);
      if (ps < 0 || pw < 0 || pk < 0) return null;
      this.run('pack_gout', T, g.groups * g.n, 1, () => [pg, pk, geo]);
      this.run('conv_backward_weight', T, K, weightRows(K), (t) => [pk, px, pw, geo, ps + t * stride(per) * 4]);
    }
    if (bias) {
      pb = this.alloc(g.cOut);
      if (pb < 0) return null;
      this.fns.bias_grad!(pg, pb, g.n, g.cOut, P);
    }
    return {
      input: w ? this.result(pi, inLen) : null,
      weight: x ? this.result(pw, g.cOut * K) : null,
      bias: bias ? this.result(pb, g.cOut) : null,
    };
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
    const T = x.length >= PARALLEL_ELEMENTS ? this.threads : 1;
    this.run('relu_forward', T, x.length, elementStep(x.length), () => [px, po], () => this.fns.relu_forward!(px, po, x.length));
    return this.result(po, x.length);
  }

  /** ReLU gradient from the saved result; null when it does not fit. */
  reluBackward(g: Float32Array, result: Float32Array): Float32Array | null {
    this.begin();
    const pg = this.operand(g), pr = this.operand(result);
    if (pg < 0 || pr < 0) return null;
    const po = this.alloc(g.length);
    if (po < 0) return null;
    const T = g.length >= PARALLEL_ELEMENTS ? this.threads : 1;
    this.run('relu_backward', T, g.length, elementStep(g.length), () => [pg, pr, po], () => this.fns.relu_backward!(pg, pr, po, g.length));
    return this.result(po, g.length);
  }

  /** Max pooling forward with indices; null when it does not fit. */
  maxPoolForward(x: Float32Array, g: Pool2dGeometry): { out: Float32Array; indices: Int32Array } | null {
    const outLen = g.planes * g.hOut * g.wOut;
    this.begin();
    const px = this.operand(x);
    if (px < 0) return null;
    const geo = this.poolGeometry(g), po = this.alloc(outLen), pi = this.alloc(outLen);
    if (geo < 0 || po < 0 || pi < 0) return null;
    const T = x.length >= PARALLEL_ELEMENTS ? this.threads : 1;
    this.run('maxpool_forward', T, g.planes, planeStep(g.planes), () => [px, po, pi, geo]);
    return { out: this.result(po, outLen), indices: this.resultInt(pi, outLen) };
  }

  /** Max pooling gradient; null when it does not fit. */
  maxPoolBackward(gradOut: Float32Array, indices: Int32Array, g: Pool2dGeometry): Float32Array | null {
    const inLen = g.planes * g.h * g.w;
    this.begin();
    const pg = this.operand(gradOut), pi = this.operand(indices);
    if (pg < 0 || pi < 0) return null;
    const geo = this.poolGeometry(g), po = this.alloc(inLen);
    if (geo < 0 || po < 0) return null;
    // With dilation an empty window's index may point into the next plane: one thread then.
    const T = inLen >= PARALLEL_ELEMENTS && g.dilH === 1 && g.dilW === 1 ? this.threads : 1;
    this.run('maxpool_backward', T, g.planes, planeStep(g.planes), () => [pg, pi, po, geo, inLen], () =>
      this.fns.maxpool_backward!(pg, pi, po, geo, 0, g.planes, inLen),
    );
    return this.result(po, inLen);
  }

  /** Average pooling forward; null when it does not fit. */
  avgPoolForward(x: Float32Array, g: Pool2dGeometry, includePad: boolean, divisor: number | null): Float32Array | null {
    const outLen = g.planes * g.hOut * g.wOut;
    this.begin();
    const px = this.operand(x);
    if (px < 0) return null;
    const geo = this.poolGeometry(g), po = this.alloc(outLen);
    if (geo < 0 || po < 0) return null;
    const T = x.length >= PARALLEL_ELEMENTS ? this.threads : 1;
    this.run('avgpool_forward', T, g.planes, planeStep(g.planes), () => [px, po, geo, includePad ? 1 : 0, divisor ?? 0]);
    return this.result(po, outLen);
  }

  /** Average pooling gradient; null when it does not fit. */
  avgPoolBackward(gradOut: Float32Array, g: Pool2dGeometry, includePad: boolean, divisor: number | null): Float32Array | null {
    const inLen = g.planes * g.h * g.w;
    this.begin();
    const pg = this.operand(gradOut);
    if (pg < 0) return null;
    const geo = this.poolGeometry(g), po = this.alloc(inLen);
    if (geo < 0 || po < 0) return null;
    const T = inLen >= PARALLEL_ELEMENTS ? this.threads : 1;
    this.run('avgpool_backward', T, g.planes, planeStep(g.planes), () => [pg, po, geo, includePad ? 1 : 0, divisor ?? 0]);
    return this.result(po, inLen);
  }

  /** Bias gradient of a convolution (`[n, c, P]` summed to `[c]` in double); null when it does not fit. */
  biasGrad(gradOut: Float32Array, n: number, c: number, P: number): Float32Array | null {
    this.begin();
    const pg = this.operand(gradOut);
    if (pg < 0) return null;
    const po = this.alloc(c);
    if (po < 0) return null;
    this.fns.bias_grad!(pg, po, n, c, P);
    return this.result(po, c);
  }

  /**
   * `C[m, n] = A[m, k] B[k, n]` with A(i, p) = a[i*ars + p*acs] and B
   * row-major; null when the operands do not fit. A copied-out result is not
   * kept resident: addmm adds its bias to it in place (a lent one is the
   * memory itself, so that is fine).
   */
  matmul(a: Float32Array, ars: number, acs: number, b: Float32Array, m: number, k: number, n: number): Float32Array | null {
    this.begin();
    const pa = this.operand(a), pb = this.operand(b);
    if (pa < 0 || pb < 0) return null;
    const per = this.fns.matmul_scratch!(m, k);
    const T = this.threadsFor(m * k * n, Math.ceil(m / 8));
    const pc = this.alloc(m * n), ps = this.alloc(stride(per) * T);
    if (pc < 0 || ps < 0) return null;
    this.run('matmul', T, m, 8, (t) => [pc, pa, ars, acs, pb, m, k, n, ps + t * stride(per) * 4]);
    if (this.lease && m * n >= this.lendMin) return this.lend(this.f32.subarray(pc >> 2, (pc >> 2) + m * n), pc);
    const out = this.allocate && m * n >= UNZEROED_MIN ? new Float32Array(this.allocate(m * n * 4), 0, m * n) : new Float32Array(m * n);
    out.set(this.f32.subarray(pc >> 2, (pc >> 2) + m * n));
    return out;
  }
}
