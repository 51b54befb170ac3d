/**
 * The worker_threads entry of the engine (used by tests, the CLI and the
 * desktop engine, bundled there as engine-thread.cjs): one
 * {@link SessionHost} speaking the protocol over `parentPort`. Start it with
 * `spawnNodeEngine` (./spawn.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SessionHost } from '../session-host';
import { startFastKernels } from './fast-kernels';
import { installNodeDatasets } from './datasets';

const port = parentPort;
if (!port) throw new Error('engine/host/node/worker.ts must run in a worker thread');
// The WebAssembly kernels when the parent has them (see SpawnOptions.fastKernels), from
// SpawnOptions.kernelsFile when given; if they cannot start, the TypeScript kernels.
const data = workerData as { fastKernels?: boolean; kernelsFile?: string } | null;
if (data?.fastKernels) startFastKernels(data.kernelsFile);
installNodeDatasets(); // from the checkout, or datasets/ beside the desktop bundle

const host = new SessionHost({
  post: (message, transfer) => port.postMessage(message, transfer),
  // setImmediate lets the poll phase deliver pending port messages (a cancel) without setTimeout's 1 ms floor.
  yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
  now: () => performance.now(),
});
port.on('message', (data: unknown) => host.handle(data));
host.start();
