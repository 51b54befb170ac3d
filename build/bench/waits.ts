/**
 * How long the calling thread waits for helper threads at the end of split
 * kernel calls (ThreadPool.finish), per step and per kernel: where a split
 * call's work was shared unevenly (a helper that joined late, or coarse units).
 *   node --import tsx build/bench/waits.ts W2 500
 */
import { installNodeFastKernels } from '../../engine/host/node/fast-kernels';
import { ThreadPool } from '../../engine/kernels/fast/threads';
import { timeWorkload } from './run-workload';

const [name = 'W2', iters = '400'] = process.argv.slice(2);
installNodeFastKernels();
let posted = '';
const byKernel = new Map<string, number>();
const waits: number[] = [];
const post = ThreadPool.prototype.post;
const finish = ThreadPool.prototype.finish;
ThreadPool.prototype.post = function (this: ThreadPool, i: number, fn: string, args: readonly number[]) {
  posted = fn;
  post.call(this, i, fn, args);
};
ThreadPool.prototype.finish = function (this: ThreadPool, i: number) {
  const t = performance.now();
  try {
    finish.call(this, i);
  } finally {
    const d = performance.now() - t;
    waits.push(d);
    byKernel.set(posted, (byKernel.get(posted) ?? 0) + d);
  }
};
const steps = Number(iters);
const wall = timeWorkload(name, steps);
const total = waits.reduce((a, b) => a + b, 0);
waits.sort((a, b) => a - b);
const us = (ms: number): string => (ms * 1000).toFixed(1);
console.log(
  `${name}: ${wall.toFixed(3)} ms per step; waiting for helpers ${us(total / steps)} us per step over ${(waits.length / steps).toFixed(1)} calls (per call median ${us(waits[waits.length >> 1] ?? 0)}, p90 ${us(waits[Math.floor(waits.length * 0.9)] ?? 0)} us)`,
);
for (const [fn, v] of [...byKernel].sort((a, b) => b[1] - a[1]))
  console.log(`  ${fn.padEnd(26)} ${us(v / steps)} us per step`);
