/**
 * Node host side of the fast kernels: reads build/wasm/out/kernels.wasm (made
 * by `node build/wasm/build.mjs`), installs it, and starts helper threads with
 * worker_threads. Without the file the engine keeps its TypeScript kernels.
 *
 * Environment: AUTOGRAD_STUDIO_KERNELS=ts turns the fast kernels off;
 * AUTOGRAD_STUDIO_THREADS=N sets the thread count (default: 2, or 1 on a
 * single core); AUTOGRAD_STUDIO_WASM=PATH names another module file.
 * AUTOGRAD_STUDIO_LEND_MIN=N (for tests) lends results from N elements on
 * instead of 16384 and overwrites released results with NaN.
 */
import { Buffer } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { installWasmKernels, kernelBackend, setKernelLendThreshold, type WorkerSpawner } from '../../kernels/fast/index';

/** Starts a helper thread that runs `source` on `init`; it never keeps the process alive. */
export const nodeSpawner: WorkerSpawner = (source, init) => {
  const w = new Worker(`(${source})(require('node:worker_threads').workerData)`, { eval: true, workerData: init, execArgv: [] });
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
  const n = threads ?? (Number.isInteger(envThreads) && envThreads > 0 ? envThreads : Math.min(2, availableParallelism()));
  installWasmKernels(new Uint8Array(readFileSync(file)), { spawn: nodeSpawner, threads: n, allocate: nodeAllocate });
  const lendMin = Number(process.env.AUTOGRAD_STUDIO_LEND_MIN);
  if (Number.isInteger(lendMin) && lendMin > 0) setKernelLendThreshold(lendMin, true);
  installed = kernelBackend();
  return installed;
}
