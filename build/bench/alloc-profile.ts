/**
 * Where a workload's steady iterations allocate: V8's sampling heap profiler,
 * counting objects the scavenger already collected, over iterations after warm-up.
 *   node --import tsx build/bench/alloc-profile.ts W1 3000
 * Prints KiB per iteration by allocating function (self), largest first. Under tsx every
 * position reads as line 1; bundle the script with esbuild first to see the lines.
 */
import { Session } from 'node:inspector/promises';
import { load, GraphSession } from '../../engine/graph/index';
import { installNodeFastKernels } from '../../engine/host/node/fast-kernels';
import { workloadDocument, type WorkloadName } from './workloads';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const [name = 'W1', iters = '3000'] = process.argv.slice(2);
const n = Number(iters);
const warm = Math.max(500, n >> 1);
installNodeFastKernels(process.env.THREADS ? Number(process.env.THREADS) : undefined);
const l = load(workloadDocument(name as WorkloadName, warm + n));
if (!l.ok) throw new Error('invalid');
const session = new Session();
session.connect();
let i = 0;
let started: Promise<unknown> | null = null;
new GraphSession(l.graph).run({
  onIteration: () => {
    if (++i === warm)
      started = session.post('HeapProfiler.startSampling', {
        samplingInterval: 256,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
  },
});
await started;
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
const by = new Map<string, number>();
const walk = (p: ProfileNode): void => {
  const f = p.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  by.set(key, (by.get(key) ?? 0) + p.selfSize);
  p.children.forEach(walk);
};
walk(profile.head);
const total = [...by.values()].reduce((a, b) => a + b, 0);
process.stdout.write(`total ${(total / n / 1024).toFixed(2)} KiB per iteration over ${n}\n`);
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 40))
  process.stdout.write(`${(v / n / 1024).toFixed(3).padStart(8)} KiB  ${k}\n`);
