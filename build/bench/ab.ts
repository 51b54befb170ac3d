/**
 * Same-process A/B of one workload: alternates blocks of steps with results
 * lent by the kernels (A) and copied out (B); prints min and median per step.
 *   node --import tsx build/bench/ab.ts W2 [blocks] [steps]
 */
import { load, GraphSession } from '../../engine/graph/index';
import { installNodeFastKernels } from '../../engine/host/node/fast-kernels';
import { setKernelLendThreshold } from '../../engine/kernels/fast/index';
import { workloadDocument, type WorkloadName } from './workloads';

const [name = 'W2', blocks = '10', steps = '30'] = process.argv.slice(2);
installNodeFastKernels();
const times: Record<string, number[]> = { lent: [], copied: [] };
for (let b = 0; b < Number(blocks) * 2; b++) {
  const mode = b % 2 === 0 ? 'lent' : 'copied';
  setKernelLendThreshold(mode === 'lent' ? 16384 : 2 ** 31);
  const l = load(workloadDocument(name as WorkloadName, Number(steps)));
  if (!l.ok) throw new Error('invalid');
  const s = new GraphSession(l.graph);
  let t = 0;
  s.run({
    onIteration: (it) => {
      const now = performance.now();
      if (it > 3) times[mode]!.push(now - t);
      t = now;
    },
  });
}
for (const [k, v] of Object.entries(times)) {
  v.sort((a, b) => a - b);
  console.log(`${k.padEnd(7)} min ${v[0]!.toFixed(3)}  median ${v[v.length >> 1]!.toFixed(3)} ms/step`);
}
