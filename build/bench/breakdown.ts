/**
 * Where one workload's step goes: wall time per step spent in each method of
 * the WebAssembly kernels (results copied out included), and the rest.
 *   node --import tsx build/bench/breakdown.ts W2 200 [--threads N]
 */
import { load, GraphSession } from '../../engine/graph/index';
import { installNodeFastKernels } from '../../engine/host/node/fast-kernels';
import { WasmKernels } from '../../engine/kernels/wasm/runtime';
import { workloadDocument, type WorkloadName } from './workloads';

const [name = 'W2', iters = '100', ...rest] = process.argv.slice(2);
const ti = rest.indexOf('--threads');
installNodeFastKernels(ti >= 0 ? Number(rest[ti + 1]) : undefined);
const spent = new Map<string, number>();
const proto = WasmKernels.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const k of Object.getOwnPropertyNames(WasmKernels.prototype)) {
  const d = Object.getOwnPropertyDescriptor(WasmKernels.prototype, k);
  const f = d?.value as ((...a: unknown[]) => unknown) | undefined;
  if (k === 'constructor' || typeof f !== 'function') continue;
  proto[k] = function (this: unknown, ...a: unknown[]) {
    const t = performance.now();
    try {
      return f.apply(this, a);
    } finally {
      spent.set(k, (spent.get(k) ?? 0) + performance.now() - t);
    }
  };
}
const l = load(workloadDocument(name as WorkloadName, Number(iters)));
if (!l.ok) throw new Error('invalid');
const s = new GraphSession(l.graph);
let t0 = 0;
const warm = 5;
s.run({
  onIteration: (it) => {
    if (it === warm) {
      t0 = performance.now();
      spent.clear();
    }
  },
});
const n = Number(iters) - warm;
const wall = (performance.now() - t0) / n;
console.log(`${name}: ${wall.toFixed(3)} ms/step`);
for (const [k, v] of [...spent].sort((a, b) => b[1] - a[1])) console.log(`${k.padEnd(22)} ${(v / n).toFixed(3)}`);
