/**
 * The performance workloads W1-W4 (docs/workloads.md) end to end: the
 * WebAssembly kernels with two threads give the same losses and gradients as
 * the TypeScript kernels (to float32 accumulation error), and the same bits
 * with one thread as with two; for kernels.wasm and, where it runs,
 * kernels-fma.wasm (fused multiply-add; the modules are committed in build/wasm/out).
 * Timing lives in `npm run bench`, not here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphSession, load } from '../../engine/graph/index';
import { installWasmKernels, setFastKernelsEnabled, setKernelThreads } from '../../engine/kernels/fast/index';
import { nodeSpawner } from '../../engine/host/node/fast-kernels';
import { wasmModules } from '../helpers/fast-kernels';
import { WORKLOADS, workloadDocument, type WorkloadName } from '../../build/bench/workloads';

/** Loss and every parameter gradient after `iterations` steps. */
function run(w: WorkloadName, iterations: number): { loss: number; grads: Map<string, Float32Array> } {
  const l = load(workloadDocument(w, iterations));
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  const s = new GraphSession(l.graph);
  s.run();
  expect(s.error).toBeNull();
  const grads = new Map<string, Float32Array>();
  for (const [id, p] of s.params) {
    for (const [which, t] of [
      ['weight', p.weight],
      ['bias', p.bias],
    ] as const) {
      if (t?.grad) grads.set(`${id}.${which}`, t.grad.contiguousData() as Float32Array);
    }
  }
  return { loss: s.losses[s.losses.length - 1]!, grads };
}

describe.each(wasmModules())('workloads W1-W4 on the fast kernels ($name)', (m) => {
  beforeAll(() => {
    expect(installWasmKernels(m.bytes, { spawn: nodeSpawner, threads: 2, fma: m.fma })).toBe(true);
  });

  for (const w of WORKLOADS) {
    it(`${w}: fast kernels match the TypeScript kernels, and 1 thread matches 2 bit for bit`, () => {
      setFastKernelsEnabled(false);
      const ts = run(w, 1);
      setFastKernelsEnabled(true);
      setKernelThreads(2, nodeSpawner);
      const two = run(w, 2);
      setKernelThreads(1);
      const one = run(w, 2);
      expect(Math.abs(two.loss - ts.loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ts.loss)));
      expect(one.loss).toBe(two.loss);
      for (const [name, g] of ts.grads) {
        const f = two.grads.get(name)!;
        let scale = 1e-30;
        for (const v of g) scale = Math.max(scale, Math.abs(v));
        let worst = 0;
        for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(f[i]! - g[i]!) / scale);
        expect(worst, `${w} ${name}`).toBeLessThanOrEqual(2e-5);
        expect(Array.from(one.grads.get(name)!), `${w} ${name} 1 vs 2 threads`).toEqual(Array.from(f));
      }
    });
  }
});
