/**
 * The Web Worker entry of the engine (web build): one {@link SessionHost}
 * speaking the protocol over the worker's own port. Tensor buffers in replies
 * are transferred, not copied. It first installs the WebAssembly kernels when
 * the page is cross-origin isolated (./fast-kernels.ts), then announces itself.
 */
import { SessionHost } from '../session-host';
import { installWebFastKernels } from './fast-kernels';

const scope = self as unknown as DedicatedWorkerGlobalScope;

// A MessageChannel round trip yields to the event loop without setTimeout's clamping.
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();

const host = new SessionHost({
  post: (message, transfer) => scope.postMessage(message, transfer),
  yieldToEvents: () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    }),
  now: () => performance.now(),
});
// Requests that arrive while the kernels load wait for them (a worker drops messages nobody listens to).
let queued: unknown[] | null = [];
scope.onmessage = (event: MessageEvent) => {
  if (queued) queued.push(event.data);
  else host.handle(event.data);
};
void installWebFastKernels()
  .catch(() => 'ts')
  .then(() => {
    const waiting = queued ?? [];
    queued = null;
    host.start();
    for (const m of waiting) host.handle(m);
  });
