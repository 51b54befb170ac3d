/**
 * The Electron utilityProcess entry of the engine. Main forks this process and
 * posts it one end of a MessageChannelMain (`{type: 'connect'}` with the port);
 * the other end goes straight to the window, so tensors never pass through
 * main.
 *
 * This thread only relays (./relay.ts): each port gets a supervised engine in
 * a worker thread (engine-thread.cjs, with the WebAssembly kernels shipped
 * beside this bundle), so a hung engine is restarted when it does not answer a
 * cancel, and a closed port (a reload) stops its engine thread. If worker
 * threads cannot start here (the constructor throws, or a thread ends before
 * it says anything), the supervisor's next engine runs in this thread
 * (./in-process.ts): no watchdog, but a working engine.
 *
 * Electron's MessagePortMain transfers only ports, so tensor buffers are
 * structured-cloned (still typed arrays, never JSON arrays).
 */
import { startFastKernels } from '../node/fast-kernels';
import { besideBundle, spawnNodeEngine } from '../node/spawn';
import type { SpawnedEngine } from '../port';
import { createSupervisedClient } from '../supervisor';
import { inProcessEngine } from './in-process';
import { serveThroughClient, type PortMain } from './relay';

/** How long an engine thread may take to acknowledge `cancel` before it is restarted. */
export const CANCEL_GRACE_MS = 500;

/** `process.parentPort` of a utilityProcess child. */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports: PortMain[] }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('engine/host/electron/entry.ts must run in an Electron utilityProcess');

// Beside the bundle (engine.cjs): engine-thread.cjs and kernels.wasm; run from source, the defaults.
const here = typeof __dirname === 'string' ? __dirname : '.';
let threads = true;
let kernelsStarted = false;

function noThreads(why: string): void {
  if (!threads) return;
  threads = false;
  console.error(`engine: no worker thread (${why}); the engine runs without a watchdog`);
}

/** An engine: in a worker thread while threads can start, else in this thread. */
function spawnEngine(): SpawnedEngine {
  if (threads) {
    try {
      const engine = spawnNodeEngine(besideBundle(here));
      // A thread that ends before it says anything could not start: do not try threads again.
      let heard = false;
      const off = engine.onMessage(() => {
        heard = true;
        off();
      });
      engine.onExit((reason) => {
        if (!heard) noThreads(reason);
      });
      return engine;
    } catch (error) {
      noThreads(error instanceof Error ? error.message : String(error));
    }
  }
  if (!kernelsStarted) {
    kernelsStarted = true;
    startFastKernels(besideBundle(here).kernelsFile);
  }
  return inProcessEngine();
}

parentPort.on('message', (event) => {
  const port = event.ports?.[0];
  if (port) serveThroughClient(port, createSupervisedClient(spawnEngine, { cancelGraceMs: CANCEL_GRACE_MS }));
});
