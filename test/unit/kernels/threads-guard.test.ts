/**
 * A helper thread that cannot start (the OS refuses another thread, a policy
 * forbids workers) must not take the kernels down: the calling thread keeps
 * running the WebAssembly kernels alone (issue 18, item 7).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  installWasmKernels,
  kernelBackend,
  setKernelThreads,
  type WorkerSpawner,
} from '../../../engine/kernels/fast/index';
import { WASM_PATH } from '../../helpers/fast-kernels';

const refuses: WorkerSpawner = () => {
  throw new Error('ERR_WORKER_INIT_FAILED: EAGAIN');
};

describe('helper threads that cannot start', () => {
  it('installing with a spawner that throws keeps the WebAssembly kernels on one thread', () => {
    expect(installWasmKernels(new Uint8Array(readFileSync(WASM_PATH)), { spawn: refuses, threads: 2 })).toBe(true);
    expect(kernelBackend()).toBe('wasm-simd x1');
  });

  it('asking for more threads later does not throw either', () => {
    expect(() => setKernelThreads(2, refuses)).not.toThrow();
    expect(kernelBackend()).toBe('wasm-simd x1');
  });
});
