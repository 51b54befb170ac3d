/**
 * The worker_threads entry of the engine (used by tests and the CLI): one
 * {@link SessionHost} speaking the protocol over `parentPort`. Start it with
 * `spawnNodeEngine` (./spawn.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SessionHost } from '../session-host';
import { installNodeFastKernels } from './fast-kernels';

const port = parentPort;
if (!port) throw new Error('engine/host/node/worker.ts must run in a worker thread');
// The WebAssembly kernels when the parent has them (see SpawnOptions.fastKernels).
if ((workerData as { fastKernels?: boolean } | null)?.fastKernels) installNodeFastKernels();

const host = new SessionHost({
  post: (message, transfer) => port.postMessage(message, transfer),
  // setImmediate lets the poll phase deliver pending port messages (a cancel) without setTimeout's 1 ms floor.
  yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
  now: () => performance.now(),
});
port.on('message', (data: unknown) => host.handle(data));
host.start();
