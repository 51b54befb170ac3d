/**
 * Every WebAssembly export a workload's step calls, timed per call on the
 * calling thread: calls per step, min and median per call, mean time per step.
 *   node --import tsx build/bench/calls.ts W2 400 [--threads N]
 */
import { installNodeFastKernels } from '../../engine/host/node/fast-kernels';
import { fastKernels } from '../../engine/kernels/fast/index';
import { timeWorkload } from './run-workload';

const [name = 'W2', iters = '400', ...rest] = process.argv.slice(2);
const ti = rest.indexOf('--threads');
installNodeFastKernels(ti >= 0 ? Number(rest[ti + 1]) : undefined);
type Fns = Record<string, (...a: number[]) => unknown>;
const k = fastKernels() as unknown as { fns: Fns } | null;
if (!k) throw new Error('the WebAssembly kernels are not installed');
const timed: Fns = {};
const stats = new Map<string, number[]>();
for (const [fn, f] of Object.entries(k.fns)) {
  const times: number[] = [];
  stats.set(fn, times);
  timed[fn] = (...a: number[]) => {
    const t = performance.now();
    try {
      return f(...a);
    } finally {
      times.push(performance.now() - t);
    }
  };
}
k.fns = timed;
const steps = Number(iters);
const wall = timeWorkload(name, steps);
const us = (ms: number): string => (ms * 1000).toFixed(0).padStart(6);
const rows = [...stats]
  .filter(([, v]) => v.length > 0)
  .map(([fn, v]) => {
    v.sort((a, b) => a - b);
    return {
      fn,
      calls: v.length / steps,
      min: v[0]!,
      median: v[v.length >> 1]!,
      perStep: v.reduce((a, b) => a + b, 0) / steps,
    };
  })
  .sort((a, b) => b.perStep - a.perStep);
console.log(`${name}: ${wall.toFixed(3)} ms per step (first step included); per export, us:`);
console.log(`${'export'.padEnd(28)} calls/step    min median  mean/step`);
for (const r of rows.filter((r) => r.perStep >= 0.001))
  console.log(`${r.fn.padEnd(28)} ${r.calls.toFixed(1).padStart(10)} ${us(r.min)} ${us(r.median)} ${us(r.perStep)}`);
