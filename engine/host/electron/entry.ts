/**
 * The Electron utilityProcess entry of the engine. Main forks this process and
 * posts it one end of a MessageChannelMain (`{type: 'connect'}` with the port);
 * the other end goes straight to the window, so tensors never pass through
 * main. Each port handed over gets its own {@link SessionHost}.
 *
 * Electron's MessagePortMain transfers only ports, so tensor buffers are
 * structured-cloned (still typed arrays, never JSON arrays).
 */
import { SessionHost } from '../session-host';
import { installNodeFastKernels } from '../node/fast-kernels';

/** The parts of Electron's MessagePortMain used here (typed locally: no electron package needed). */
interface PortMain {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  postMessage(message: unknown): void;
  start(): void;
}

/** `process.parentPort` of a utilityProcess child. */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports: PortMain[] }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('engine/host/electron/entry.ts must run in an Electron utilityProcess');

// The WebAssembly kernels: build-electron copies kernels.wasm next to the bundle (engine.cjs);
// run from source, the module is found under build/wasm/out. Without it: the TypeScript kernels.
installNodeFastKernels(undefined, typeof __dirname === 'string' ? `${__dirname}/kernels.wasm` : undefined);

function attach(port: PortMain): void {
  const host = new SessionHost({
    post: (message) => port.postMessage(message),
    yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
    now: () => performance.now(),
  });
  port.on('message', (event) => host.handle(event.data));
  port.start();
  host.start();
}

parentPort.on('message', (event) => {
  const port = event.ports?.[0];
  if (port) attach(port);
});
