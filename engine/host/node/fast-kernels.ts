/**
 * Node host side of the fast kernels: reads build/wasm/out/kernels.wasm (made
 * by `node build/wasm/build.mjs`), installs it, and starts helper threads with
 * worker_threads. Without the file the engine keeps its TypeScript kernels.
 *
 * Environment: AUTOGRAD_STUDIO_KERNELS=ts turns the fast kernels off;
 * AUTOGRAD_STUDIO_THREADS=N sets the thread count (default: every core
 * `os.availableParallelism()` reports, at most 8); AUTOGRAD_STUDIO_WASM=PATH names another module file.
 * AUTOGRAD_STUDIO_LEND_MIN=N (for tests) lends results from N elements on
 * instead of 16384 and overwrites released results with NaN.
 *
 * When kernels-fma.wasm sits next to kernels.wasm (built by clang >= 16), it
 * is used if this Node has WebAssembly relaxed SIMD: Node 22 has it, Node 20
 * once the V8 flag `--experimental-wasm-relaxed-simd` is set, which
 * {@link relaxedSimd} does at run time. AUTOGRAD_STUDIO_FMA=0 keeps kernels.wasm.
 */
import { Buffer } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  defaultKernelThreads,
  installWasmKernels,
  kernelBackend,
  setFastKernelsEnabled,
  setKernelLendThreshold,
  type WorkerSpawner,
} from '../../kernels/fast/index';
import { wasmApi } from '../../kernels/wasm/api';

/** Starts a helper thread that runs `source` on `init`; it never keeps the process alive. */
export const nodeSpawner: WorkerSpawner = (source, init) => {
  const w = new Worker(`(${source})(require('node:worker_threads').workerData)`, {
    eval: true,
    workerData: init,
    execArgv: [],
  });
  // A helper that fails never takes work (the caller withdraws it), so its error must not end the process.
  w.on('error', () => {});
  w.unref();
};

/** Path of the built kernel module, searched upward from this file; null when not built. */
export function findKernelModule(): string | null {
  const env = process.env.AUTOGRAD_STUDIO_WASM;
  if (env) return existsSync(env) ? env : null;
  let dir: string;
  try {
    dir = dirname(fileURLToPath(import.meta.url));
  } catch {
    return null; // bundled as CommonJS: the caller passes the file
  }
  for (let i = 0; i < 8; i++) {
    const p = join(dir, 'build', 'wasm', 'out', 'kernels.wasm');
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/**
 * A result buffer without the zero-fill of `new ArrayBuffer` (the kernels
 * overwrite every byte). allocUnsafeSlow never hands out a slice of Node's
 * shared Buffer pool, so this is the whole ArrayBuffer.
 */
const nodeAllocate = (bytes: number): ArrayBuffer => {
  const b = Buffer.allocUnsafeSlow(bytes);
  return b.byteOffset === 0 && b.buffer.byteLength === bytes ? (b.buffer as ArrayBuffer) : new ArrayBuffer(bytes);
};

/**
 * True if `bytes` (a module using relaxed SIMD) compiles here, after turning
 * on V8's relaxed SIMD flag when that is what it takes (Node 20).
 */
export function relaxedSimd(bytes: Uint8Array): boolean {
  const api = wasmApi();
  if (!api) return false;
  if (api.validate(bytes)) return true;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return api.validate(bytes);
}

/** The fused multiply-add build next to `file` when it exists and can run here, else null. */
function fmaModule(file: string): Uint8Array | null {
  if (process.env.AUTOGRAD_STUDIO_FMA === '0' || basename(file) !== 'kernels.wasm') return null;
  const fmaFile = join(dirname(file), 'kernels-fma.wasm');
  if (!existsSync(fmaFile)) return null;
  const bytes = new Uint8Array(readFileSync(fmaFile));
  return relaxedSimd(bytes) ? bytes : null;
}

let installed: string | null = null;

/**
 * Installs the WebAssembly kernels once (if built and allowed); returns the
 * backend name. `file` is the module's path when it is not found by
 * {@link findKernelModule} (a bundle that ships it next to itself).
 */
export function installNodeFastKernels(threads?: number, file?: string): string {
  if (installed !== null) return installed;
  installed = 'ts';
  if (process.env.AUTOGRAD_STUDIO_KERNELS === 'ts') return installed;
  if (file !== undefined && !process.env.AUTOGRAD_STUDIO_WASM && !existsSync(file)) file = undefined;
  file ??= findKernelModule() ?? undefined;
  if (!file) return installed;
  const envThreads = Number(process.env.AUTOGRAD_STUDIO_THREADS);
  const n =
    threads ??
    (Number.isInteger(envThreads) && envThreads > 0 ? envThreads : defaultKernelThreads(availableParallelism()));
  const fma = fmaModule(file);
  installWasmKernels(fma ?? new Uint8Array(readFileSync(file)), {
    spawn: nodeSpawner,
    threads: n,
    allocate: nodeAllocate,
    fma: fma !== null,
  });
  const lendMin = Number(process.env.AUTOGRAD_STUDIO_LEND_MIN);
  if (Number.isInteger(lendMin) && lendMin > 0) setKernelLendThreshold(lendMin, true);
  installed = kernelBackend();
  return installed;
}

/**
 * {@link installNodeFastKernels} for an engine's start-up: never throws. If the
 * WebAssembly kernels cannot start (an unreadable module, a failure inside the
 * runtime), the engine starts on the TypeScript kernels and `log` says why.
 */
export function startFastKernels(file?: string, log: (message: string) => void = (m) => console.error(m)): string {
  try {
    return installNodeFastKernels(undefined, file);
  } catch (error) {
    setFastKernelsEnabled(false);
    log(
      `engine: the WebAssembly kernels could not start (${error instanceof Error ? error.message : String(error)}); using the TypeScript kernels`,
    );
    return kernelBackend();
  }
}
