/**
 * Selection of the fast kernel backend with the portable TypeScript kernels as
 * fallback.
 *
 * The host passes the bytes of build/wasm/out/kernels.wasm (built by
 * `node build/wasm/build.mjs`) to {@link installWasmKernels} at start-up, and
 * optionally a {@link WorkerSpawner} for helper threads. Until then, when the
 * module is absent, or when shared WebAssembly memory is unavailable, every
 * kernel runs in TypeScript. Only float32 operands take the fast path; float64
 * (finite-difference checks) always uses the TypeScript kernels, which sum in
 * float64.
 */
import { allocLike, type FloatArray } from '../../core/dtype';
import { onInPlaceWrite } from '../../core/storage';
import { PAGE, sharedMemoryAvailable, wasmApi, type WasmMemory, type WasmModule } from '../wasm/api';
import { JOB_NAMES, WasmKernels, type KernelLease } from '../wasm/runtime';
import { ThreadPool, type WorkerSpawner } from './threads';

export type { WorkerSpawner, WorkerInit } from './threads';
export type { KernelLease } from '../wasm/runtime';
export { PARALLEL_ELEMENTS, PARALLEL_MACS } from '../wasm/runtime';

/** Largest linear memory the module declares (bytes); build/wasm/build.mjs uses the same. */
const MAX_MEMORY = 2 ** 31;

/**
 * Most threads the hosts start by default. A large call is cut in about 16
 * chunks (runtime.ts), and W2's batch of 32 samples in 16: beyond 8 threads
 * most of them would wait for a chunk, and each helper spins a little after
 * every call.
 */
export const MAX_KERNEL_THREADS = 8;

/**
 * The thread count a host uses on a machine offering `cores` cores
 * (`os.availableParallelism()`, `navigator.hardwareConcurrency`): every core,
 * at most {@link MAX_KERNEL_THREADS}, at least 1 (also when the count is unknown).
 */
export function defaultKernelThreads(cores: number | undefined): number {
  const n = Math.floor(Number(cores));
  return Number.isFinite(n) && n > 1 ? Math.min(MAX_KERNEL_THREADS, n) : 1;
}

/** Options of {@link installWasmKernels}. */
export interface FastKernelOptions {
  /**
   * Starts helper threads; without it everything runs on the calling thread.
   * The calling thread blocks in `Atomics.wait` while helpers finish, so it
   * must not be a browser's main thread (a worker, Node or Electron's utility
   * process are fine).
   */
  readonly spawn?: WorkerSpawner;
  /** Total threads to use, the caller included (default 1, or 2 with `spawn`). */
  readonly threads?: number;
  /**
   * Allocates the buffer a result is copied to: a new, non-shared ArrayBuffer
   * of exactly `bytes` bytes whose contents may be uninitialised (every byte
   * is overwritten), e.g. Node's `Buffer.allocUnsafeSlow(bytes).buffer`.
   * Default: zero-filled typed arrays.
   */
  readonly allocate?: (bytes: number) => ArrayBuffer;
  /** The bytes are the fused multiply-add build (kernels-fma.wasm): named in {@link kernelBackend}. */
  readonly fma?: boolean;
}

let active: WasmKernels | null = null;
let enabled = true;
let pool: ThreadPool | null = null;
let module: WasmModule | null = null;
let memory: WasmMemory | null = null;
let fma = false;

/**
 * Compiles and instantiates the kernel module synchronously and makes it the
 * float32 backend. Returns false (and keeps the TypeScript kernels) when
 * WebAssembly, SIMD or shared memory is not available or the bytes are not a
 * valid module.
 */
export function installWasmKernels(bytes: Uint8Array, options: FastKernelOptions = {}): boolean {
  const api = wasmApi();
  if (!api || !sharedMemoryAvailable()) return false;
  // Helpers of a previous module run that module over its own memory: never reuse them.
  pool?.close();
  pool = null;
  try {
    if (!api.validate(bytes)) return false;
    module = new api.Module(bytes);
    memory = new api.Memory({ initial: 32, maximum: MAX_MEMORY / PAGE, shared: true });
    const instance = new api.Instance(module, { env: { memory } });
    active = new WasmKernels(instance, memory, MAX_MEMORY);
    const kernels = active;
    kernels.setAllocator(options.allocate ?? null);
    onInPlaceWrite((data) => kernels.forget(data));
    fma = options.fma ?? false;
  } catch {
    active = null;
    return false;
  }
  setKernelThreads(options.threads ?? (options.spawn ? 2 : 1), options.spawn);
  return true;
}

/**
 * Sets the number of threads large kernels use (the caller included). More
 * than one needs a spawner (given here or at install). Results do not depend
 * on the count. Never throws: when the spawner throws, the calling thread
 * works alone.
 */
export function setKernelThreads(threads: number, spawn?: WorkerSpawner): void {
  if (!active || !module || !memory) return;
  const helpers = Math.max(0, Math.floor(threads) - 1);
  if (pool && pool.helpers === helpers) return;
  pool?.close();
  pool = null;
  // A helper thread that cannot start (too many threads, a policy) leaves the calling thread working alone.
  if (helpers > 0 && spawn) {
    try {
      pool = new ThreadPool(spawn, module, memory, JOB_NAMES, helpers);
    } catch {
      pool = null;
    }
  }
  active.setPool(pool);
}

/**
 * Splits calls over the threads from `macs` multiply-adds (convolutions,
 * matrix products) and `elements` elements (ReLU, pooling) on, instead of
 * {@link PARALLEL_MACS} and {@link PARALLEL_ELEMENTS}. Tests use 0 to split
 * every call the threads can share.
 */
export function setKernelParallelMin(macs: number, elements: number): void {
  active?.setParallelMin(macs, elements);
}

/** Turns the fast kernels off (false) or back on (true), e.g. to compare both paths in tests. */
export function setFastKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** The active WebAssembly kernels, or null when the TypeScript kernels are in use. */
export function fastKernels(): WasmKernels | null {
  return enabled ? active : null;
}

/** Name of the backend the float32 kernels use right now, e.g. `wasm-simd x2`, `wasm-simd+fma x2` or `ts`. */
export function kernelBackend(): string {
  const k = fastKernels();
  return k ? `wasm-simd${fma ? '+fma' : ''} x${k.threads}` : 'ts';
}

/**
 * Starts a lease: while it is in use ({@link useKernelLease}), large float32
 * results are views into the kernels' memory instead of copies, valid until
 * {@link releaseKernelLease}. Null when the TypeScript kernels are in use.
 */
export function openKernelLease(): KernelLease | null {
  return active ? active.openLease() : null;
}

/** Lends the results of the following kernel calls to `lease` (null: copy them); returns the previous lease. */
export function useKernelLease(lease: KernelLease | null): KernelLease | null {
  if (!active) return null;
  const before = active.currentLease;
  active.useLease(lease);
  return before;
}

/**
 * Ends `lease`: its views must not be read any more (copy what is kept with {@link kernelOwned}).
 * See Note [Lent kernel memory] (engine/graph/leases.ts).
 */
export function releaseKernelLease(lease: KernelLease): void {
  if (active) active.releaseLease(lease);
  else lease.released = true;
}

/** True if `data` lives in the kernels' memory (a lent result, or a view of one). */
export function kernelOwned(data: ArrayBufferView): boolean {
  return active !== null && active.isKernelMemory(data);
}

// Note [Lent scratch]
// ~~~~~~~~~~~~~~~~~~~~
// A TypeScript kernel's result (reflection padding, a transpose, a gradient
// expanded to its input's shape, the copy `.grad` gets) is a fresh
// ArrayBuffer per call and per iteration; from 16 KB on, the host allocator
// hands out pages the kernel then touches fresh (a page fault each, ~12 us
// on the project VM: W3's padded input, 2.2 MB, took more than its
// convolution's forward). While a lease is in use such a result is lent
// from the kernels' ring instead, exactly as a WebAssembly kernel's result
// is: the same memory every lap, the same rules (valid until the lease is
// released; whatever outlives the iteration is copied out first, Note [Lent
// kernel memory] in engine/graph/leases.ts), and a later kernel call finds
// it in place as its operand. Outside a lease, or below the lending
// threshold, it is an ordinary array.
/**
 * An array for a kernel's result of `length` elements like `like` (PyTorch's
 * `empty_like`): lent from the kernels' memory while a lease is in use (see
 * Note [Lent scratch]), else a new array. Its contents are unspecified: the
 * caller writes every element.
 */
export function emptyLike(like: FloatArray, length: number): FloatArray {
  const k = like instanceof Float32Array ? fastKernels() : null;
  return k?.lendScratch(length) ?? allocLike(like, length);
}

/**
 * Lends results from `elements` elements on (default 64). Tests use 1 to
 * lend every result, with `poison` to fill released results with NaN.
 */
export function setKernelLendThreshold(elements: number, poison = false): void {
  active?.setLendThreshold(elements, poison);
}

/** Bytes of kernel memory lent to unreleased leases (0 with the TypeScript kernels). */
export function kernelLentBytes(): number {
  return active?.lentBytes ?? 0;
}
