/**
 * A fresh process's iteration times (ms), bucketed: where a CLI-like run loses time to warm-up.
 *   node --import tsx build/bench/timeline.ts W1 5000
 * Env: THREADS (kernel threads), EDGES (bucket edges, e.g. EDGES=0,2,10,50,100,554).
 */
import { load, GraphSession } from '../../engine/graph/index';
import { installNodeFastKernels } from '../../engine/host/node/fast-kernels';
import { workloadDocument, type WorkloadName } from './workloads';

const [name = 'W1', iters = '5000'] = process.argv.slice(2);
installNodeFastKernels(process.env.THREADS ? Number(process.env.THREADS) : undefined);
const l = load(workloadDocument(name as WorkloadName, Number(iters)));
if (!l.ok) throw new Error('invalid');
const s = new GraphSession(l.graph);
const times: number[] = [];
const faults: number[] = [];
let last = performance.now();
s.run({
  onIteration: () => {
    const now = performance.now();
    times.push(now - last);
    faults.push(process.resourceUsage().minorPageFault);
    last = now;
  },
});
const edges = (process.env.EDGES ?? '0,10,50,100,200,500,1000,2000,5000,100000').split(',').map(Number);
for (let i = 0; i + 1 < edges.length; i++) {
  const seg = times.slice(edges[i], edges[i + 1]);
  if (!seg.length) break;
  const sum = seg.reduce((a, b) => a + b, 0);
  const f = faults[Math.min(edges[i + 1]!, faults.length) - 1]! - (faults[edges[i]! - 1] ?? 0);
  const sorted = [...seg].sort((a, b) => a - b);
  process.stdout.write(
    `${edges[i]}-${edges[i] + seg.length}: sum ${sum.toFixed(1)} ms, median ${sorted[sorted.length >> 1]!.toFixed(4)}, max ${sorted[sorted.length - 1]!.toFixed(2)}, >1ms ${seg.filter((t) => t > 1).length}, faults ${f}\n`,
  );
}
process.stdout.write(`total ${times.reduce((a, b) => a + b, 0).toFixed(1)} ms\n`);
