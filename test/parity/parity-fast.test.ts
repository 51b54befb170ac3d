/**
 * Parity with PyTorch 1.13 on the WebAssembly kernels (two threads): every
 * built module that can run here (kernels.wasm, and kernels-fma.wasm with
 * fused multiply-add), with every kernel result lent to the running iteration
 * instead of copied out (lend threshold 1 element) and released results
 * overwritten with NaN, so the lifetimes of lent results are exercised by every
 * fixture: feedback loops, retained gradients, in-place ops, errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installWasmKernels,
  kernelBackend,
  setFastKernelsEnabled,
  setKernelLendThreshold,
} from '../../engine/kernels/fast/index';
import { nodeSpawner } from '../../engine/host/node/fast-kernels';
import { PARITY_DIRS, casesOf, checkParityCase } from '../helpers/parity-check';
import { wasmModules } from '../helpers/fast-kernels';

const modules = wasmModules();

describe('parity on the fast kernels, every result lent', () => {
  afterAll(() => {
    setKernelLendThreshold(16384);
    setFastKernelsEnabled(false);
  });

  for (const m of modules) {
    describe(m.name, () => {
      beforeAll(() => {
        expect(installWasmKernels(m.bytes, { spawn: nodeSpawner, threads: 2, fma: m.fma })).toBe(true);
        setFastKernelsEnabled(true);
        setKernelLendThreshold(1, true);
        expect(kernelBackend()).toBe(m.fma ? 'wasm-simd+fma x2' : 'wasm-simd x2');
      });
      for (const [label, dir] of PARITY_DIRS) {
        const { cases, problem } = casesOf(dir);
        it(`${label} has cases`, () => {
          expect(problem).toBeNull();
          expect(cases.length).toBeGreaterThan(0);
        });
        for (const c of cases) it(`${label}: ${c.name}`, () => checkParityCase(c));
      }
    });
  }
});
