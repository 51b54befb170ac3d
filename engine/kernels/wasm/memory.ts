/**
 * The WebAssembly kernels' linear memory (see runtime.ts for the kernels).
 *
 * The memory is used as a ring: each call allocates after the previous one,
 * and wraps to the start once past the ring's size (see {@link RING_MAX}). A
 * result stays in the ring, remembered by the array it was copied to, until
 * an allocation overwrites it, so a later call that takes that array as
 * operand (ReLU after a convolution, pooling after ReLU, every gradient of the
 * backward pass) uses the copy in place instead of copying it in again.
 * Results are immutable for the engine except through in-place ops, which
 * bump their storage's version and with it call {@link KernelMemory.forget}.
 *
 * While a {@link KernelLease} is in use, large results are not copied out at
 * all: the caller gets a view into the module's memory, which no allocation
 * touches until the lease is released. The owner of the lease (a graph
 * session, one per iteration) copies out whatever it keeps past the release.
 */
import { newFloat32, newInt32 } from '../../core/small-arrays';
import { PAGE, type WasmInstance, type WasmMemory } from './api';

/** An exported kernel function (int32 and float64 arguments). */
export type Fn = (...args: number[]) => number;

/**
 * Bytes of the ring before allocation wraps to its start (a call may run past
 * it): eight times the largest call so far, between 1 and 32 MiB. Large
 * enough to keep a step's results of W2/W3 until their gradients are
 * computed; small graphs keep reusing the same (cached) memory.
 *
 * Note [A lease's ring is short]: while a lease is in use, results are lent
 * and the allocator steps over them wherever they are; nothing else in the
 * ring is read again (operands that are not lent results are copied in at
 * each call). So the ring then wraps after two of the largest calls
 * ({@link RING_CALLS_LENT}): the memory a session touches is its lent results
 * (the previous iteration's and the current one's) and what one call needs
 * beside them. With eight, W3's session used 36.7 MB of memory, each page of
 * it faulted in fresh during its first three iterations; with two, 21.9 MB.
 */
const RING_MIN = 1 << 20,
  RING_MAX = 32 << 20,
  RING_CALLS = 8,
  RING_CALLS_LENT = 2;

/** Elements from which a result buffer comes from the host's allocator (smaller: a typed array is cheaper). */
const UNZEROED_MIN = 16384;

/**
 * Elements from which a result is lent to a lease rather than copied out.
 * Lending costs a view and a region record; a copy costs an array of its own
 * (outside V8's heap from 17 floats on, which the GC tracks and sweeps) and
 * the copy. W5's results are mostly 64 to 8192 floats: copying them out was
 * most of its garbage collection.
 */
const LEND_MIN = 64;

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

/**
 * The kernel module's linear memory as the kernels use it: a ring allocator,
 * operands copied in (or found still in place), results copied out or lent.
 */
export class KernelMemory {
  /** The module's exports. */
  protected readonly fns: Record<string, Fn>;
  private readonly memory: WasmMemory;
  private readonly heapBase: number;
  private readonly maxBytes: number;
  /** Views of the whole memory (renewed when it grows). */
  protected f32: Float32Array<ArrayBufferLike> = new Float32Array(0);
  protected i32: Int32Array<ArrayBufferLike> = new Int32Array(0);
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
  private lendMin = LEND_MIN;
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

  private refresh(): void {
    const buf = this.memory.buffer;
    if (this.f32.buffer !== buf || this.f32.length * 4 !== buf.byteLength) {
      this.f32 = new Float32Array(buf);
      this.i32 = new Int32Array(buf);
      this.buffers.add(buf);
    }
  }

  /** Starts a call's allocations (wrapping the ring when past its end). */
  protected begin(): void {
    this.pinned.length = 0;
    if (this.callBytes > this.maxCallBytes) this.maxCallBytes = this.callBytes;
    this.callBytes = 0;
    const calls = this.lease ? RING_CALLS_LENT : RING_CALLS; // Note [A lease's ring is short]
    const ring = Math.min(RING_MAX, Math.max(RING_MIN, calls * this.maxCallBytes));
    if (this.top === 0 || this.top - this.heapBase >= ring) this.top = this.heapBase;
  }

  /**
   * Reserves `floats` (64-byte aligned) after the previous allocation, past
   * the current call's resident operands; results it overwrites are
   * forgotten. Returns the byte address, or -1 past the memory limit.
   */
  protected alloc(floats: number): number {
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
    this.callBytes += bytes; // its own bytes, not the lent regions it stepped over
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
  protected operand(data: Float32Array | Int32Array): number {
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
  protected result(at: number, length: number): Float32Array {
    if (this.lease && length >= this.lendMin) return this.lend(this.f32.subarray(at >> 2, (at >> 2) + length), at);
    const out =
      this.allocate && length >= UNZEROED_MIN
        ? new Float32Array(this.allocate(length * 4), 0, length)
        : newFloat32(length);
    out.set(this.f32.subarray(at >> 2, (at >> 2) + length));
    this.remember(out, at);
    return out;
  }

  /** The int32 result at `at`, lent or copied out and remembered as resident. */
  protected resultInt(at: number, length: number): Int32Array {
    if (this.lease && length >= this.lendMin) return this.lend(this.i32.subarray(at >> 2, (at >> 2) + length), at);
    const out =
      this.allocate && length >= UNZEROED_MIN ? new Int32Array(this.allocate(length * 4), 0, length) : newInt32(length);
    out.set(this.i32.subarray(at >> 2, (at >> 2) + length));
    this.remember(out, at);
    return out;
  }

  /** The result at `at`, lent or copied out, but not remembered (its caller may change it in place). */
  protected resultUnkept(at: number, length: number): Float32Array {
    if (this.lease && length >= this.lendMin) return this.lend(this.f32.subarray(at >> 2, (at >> 2) + length), at);
    const out =
      this.allocate && length >= UNZEROED_MIN
        ? new Float32Array(this.allocate(length * 4), 0, length)
        : newFloat32(length);
    out.set(this.f32.subarray(at >> 2, (at >> 2) + length));
    return out;
  }

  /**
   * `length` floats of the ring lent to the current lease, for a TypeScript
   * kernel to write a result into: its contents are whatever the memory held
   * (the caller writes every element). Null without a lease, below the
   * lending threshold, or past the memory limit. See Note [Lent scratch] (fast/index.ts).
   */
  lendScratch(length: number): Float32Array | null {
    if (!this.lease || length < this.lendMin) return null;
    this.begin();
    const at = this.alloc(length);
    return at < 0 ? null : this.lend(this.f32.subarray(at >> 2, (at >> 2) + length), at);
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
      } else if (r.live && r.end - r.start >= REMEMBER_MIN * 4) this.held.push(r);
      else r.live = false; // small: copied in again if needed, as remember() does (keeps `held` short)
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
   * Lends results from `elements` elements on (default {@link LEND_MIN}); tests use 1 to
   * lend everything, with `poison` to fill released regions with NaN.
   */
  setLendThreshold(elements: number, poison = false): void {
    this.lendMin = Math.max(1, Math.floor(elements));
    this.poison = poison;
  }

  /** Bytes of the module's memory (it only grows). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes the largest call so far allocated. */
  get largestCallBytes(): number {
    return Math.max(this.maxCallBytes, this.callBytes);
  }

  /** Bytes lent to unreleased leases. */
  get lentBytes(): number {
    let n = 0;
    for (const r of this.lent) n += r.end - r.start;
    return n;
  }
}
