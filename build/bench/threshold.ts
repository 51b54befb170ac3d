/**
 * Same-process A/B of the split thresholds (setKernelParallelMin): alternates
 * blocks of steps, a fresh session per block, one block per threshold pair;
 * prints wall min / p25 / median / mean and the median CPU time per step.
 *   node --import tsx build/bench/threshold.ts W4 16 150 2000000,1048576 4000000,1048576
 */
import { load, GraphSession } from '../../engine/graph/index';
import { installNodeFastKernels } from '../../engine/host/node/fast-kernels';
import { setKernelParallelMin } from '../../engine/kernels/fast/index';
import { workloadDocument, type WorkloadName } from './workloads';

const [name = 'W4', blocks = '10', steps = '100', ...modes] = process.argv.slice(2);
installNodeFastKernels();
const times: Record<string, number[]> = {};
const cpu: Record<string, number[]> = {};
for (let b = 0; b < Number(blocks); b++) {
  for (const m of modes) {
    const [macs, el] = m.split(',').map(Number);
    setKernelParallelMin(macs!, el!);
    const l = load(workloadDocument(name as WorkloadName, Number(steps)));
    if (!l.ok) throw new Error('invalid');
    const s = new GraphSession(l.graph);
    let t = 0,
      c0 = process.cpuUsage();
    times[m] ??= [];
    cpu[m] ??= [];
    s.run({
      onIteration: (it) => {
        const now = performance.now();
        const c = process.cpuUsage();
        if (it > 3) {
          times[m]!.push(now - t);
          cpu[m]!.push((c.user - c0.user + c.system - c0.system) / 1000);
        }
        t = now;
        c0 = c;
      },
    });
  }
}
for (const m of modes) {
  const v = times[m]!.sort((a, b) => a - b),
    c = cpu[m]!.sort((a, b) => a - b);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  console.log(
    `${m.padEnd(22)} min ${v[0]!.toFixed(3)}  p25 ${v[v.length >> 2]!.toFixed(3)} median ${v[v.length >> 1]!.toFixed(3)} mean ${mean.toFixed(3)}  cpu median ${c[c.length >> 1]!.toFixed(3)} ms/step`,
  );
}
