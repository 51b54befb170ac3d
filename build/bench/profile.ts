/**
 * Profiling helper: runs one workload (W1-W5) for N iterations on the engine.
 *   node --cpu-prof --cpu-prof-dir DIR --import tsx build/bench/profile.ts W3 20 [--kernels ts] [--threads N]
 * then `node build/bench/profile-summary.mjs DIR/*.cpuprofile`.
 */
import { load, GraphSession } from '../../engine/graph/index';
import { installNodeFastKernels } from '../../engine/host/node/fast-kernels';
import { installNodeDatasets } from '../../engine/host/node/datasets';
import { digitsCnn } from '../scripts/gen-training-examples';
import { workloadDocument, type WorkloadName } from './workloads';

const [name = 'W2', iters = '20', ...rest] = process.argv.slice(2);
const ti = rest.indexOf('--threads');
if (!rest.includes('ts')) installNodeFastKernels(ti >= 0 ? Number(rest[ti + 1]) : undefined);
installNodeDatasets();
const doc = name === 'W5' ? digitsCnn(Number(iters)) : workloadDocument(name as WorkloadName, Number(iters));
const l = load(doc);
if (!l.ok) throw new Error('invalid');
const s = new GraphSession(l.graph);
let t0 = 0;
let c0 = process.cpuUsage();
const warm = Math.min(5, Number(iters) - 1);
s.run({
  onIteration: (it) => {
    if (it === warm) {
      t0 = performance.now();
      c0 = process.cpuUsage();
    }
  },
});
const n = Number(iters) - warm;
const c = process.cpuUsage(c0);
const wall = (performance.now() - t0) / n;
const cpu = (c.user + c.system) / 1000 / n;
process.stdout.write(
  `${name}: ${wall.toFixed(3)} ms/iteration wall, ${cpu.toFixed(3)} ms cpu (all threads), error ${s.error?.message ?? 'none'}\n`,
);
