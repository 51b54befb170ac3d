/**
 * Shared set-up of the tests of the WebAssembly kernels: where the module is,
 * installing it, and spies that check a fast path really ran.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, vi, type MockInstance } from 'vitest';
import {
  installWasmKernels,
  setFastKernelsEnabled,
  setKernelParallelMin,
  setKernelThreads,
} from '../../engine/kernels/fast/index';
import { WasmKernels } from '../../engine/kernels/wasm/runtime';
import { nodeSpawner, relaxedSimd } from '../../engine/host/node/fast-kernels';

/** build/wasm/out/kernels.wasm (committed; rebuilt by `node build/wasm/build.mjs`). */
export const WASM_PATH = join(__dirname, '../../build/wasm/out/kernels.wasm');

/**
 * Inside a `describe`: installs the module (one thread) before the suite and
 * restores spies after each test. Returns `spyOn(first, second)`, which spies
 * on two kernel methods and gives a check of how often each ran, each call
 * having returned a Float32Array (not null, i.e. no fallback).
 */
export function fastKernelSuite(): (
  first: keyof WasmKernels,
  second: keyof WasmKernels,
) => (firstCalls: number, secondCalls: number) => void {
  const spies: MockInstance[] = [];
  beforeAll(() => {
    expect(installWasmKernels(new Uint8Array(readFileSync(WASM_PATH)))).toBe(true);
  });
  afterEach(() => {
    for (const s of spies.splice(0)) s.mockRestore();
  });
  return (first, second) => {
    const a = vi.spyOn(WasmKernels.prototype, first as never) as MockInstance;
    const b = vi.spyOn(WasmKernels.prototype, second as never) as MockInstance;
    spies.push(a, b);
    return (firstCalls, secondCalls) => {
      expect(a).toHaveBeenCalledTimes(firstCalls);
      expect(b).toHaveBeenCalledTimes(secondCalls);
      for (const m of [...a.mock.results, ...b.mock.results]) expect(m.value).toBeInstanceOf(Float32Array);
    };
  };
}

/** build/wasm/out/kernels-fma.wasm (relaxed SIMD fused multiply-add; committed, built with clang 16). */
export const WASM_FMA_PATH = join(__dirname, '../../build/wasm/out/kernels-fma.wasm');

/**
 * The kernel modules that can run here, by name: kernels.wasm, and
 * kernels-fma.wasm when this Node has relaxed SIMD (turned on as the Node host does).
 */
export function wasmModules(): { name: string; bytes: Uint8Array; fma: boolean }[] {
  const list: { name: string; bytes: Uint8Array; fma: boolean }[] = [];
  list.push({ name: 'kernels.wasm', bytes: new Uint8Array(readFileSync(WASM_PATH)), fma: false });
  const bytes = new Uint8Array(readFileSync(WASM_FMA_PATH));
  if (relaxedSimd(bytes)) list.push({ name: 'kernels-fma.wasm', bytes, fma: true });
  return list;
}

/** The TypeScript kernels' result of `f`, then the fast kernels' one. */
export function tsAndFast<T>(f: () => T): [T, T] {
  setFastKernelsEnabled(false);
  try {
    const ts = f();
    setFastKernelsEnabled(true);
    return [ts, f()];
  } finally {
    setFastKernelsEnabled(true);
  }
}

/**
 * Runs each `run` again on 2 and 3 threads with every call split, expecting
 * the bits of `got` (what it gave on one thread); leaves one thread.
 */
export function expectSameOnThreads(runs: { run: () => ArrayLike<number>[]; got: ArrayLike<number>[] }[]): void {
  setKernelParallelMin(0, 0);
  for (const threads of [2, 3]) {
    setKernelThreads(threads, nodeSpawner);
    for (const { run, got } of runs) {
      const again = run();
      for (let i = 0; i < got.length; i++)
        expect(Array.from(again[i]!), `${threads} threads`).toEqual(Array.from(got[i]!));
    }
  }
  setKernelThreads(1);
}
