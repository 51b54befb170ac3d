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
 * threads cannot start here, the engine runs in this thread, as before: no
 * watchdog, but a working engine.
 *
 * Electron's MessagePortMain transfers only ports, so tensor buffers are
 * structured-cloned (still typed arrays, never JSON arrays).
 */
import { startFastKernels } from '../node/fast-kernels';
import { besideBundle, spawnNodeEngine } from '../node/spawn';
import { SessionHost } from '../session-host';
import { createSupervisedClient } from '../supervisor';
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

function attach(port: PortMain): void {
  if (threads) {
    try {
      const client = createSupervisedClient(() => spawnNodeEngine(besideBundle(here)), {
        cancelGraceMs: CANCEL_GRACE_MS,
      });
      serveThroughClient(port, client);
      return;
    } catch (error) {
      threads = false;
      console.error(
        `engine: no worker thread (${error instanceof Error ? error.message : String(error)}); the engine runs without a watchdog`,
      );
    }
  }
  attachInProcess(port);
}

/** The engine in this thread: one SessionHost per port, dropped when the port closes. */
function attachInProcess(port: PortMain): void {
  startFastKernels(besideBundle(here).kernelsFile);
  let host: SessionHost | null = new SessionHost({
    post: (message) => port.postMessage(message),
    yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
    now: () => performance.now(),
  });
  port.on('message', (event) => host?.handle(event.data));
  port.on('close', () => (host = null));
  port.start();
  host.start();
}

parentPort.on('message', (event) => {
  const port = event.ports?.[0];
  if (port) attach(port);
});
