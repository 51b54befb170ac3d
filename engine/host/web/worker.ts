/**
 * The Web Worker entry of the engine (web build): one {@link SessionHost}
 * speaking the protocol over the worker's own port. Tensor buffers in replies
 * are transferred, not copied. It first installs the WebAssembly kernels when
 * the page is cross-origin isolated (./fast-kernels.ts), then announces itself.
 */
import { SessionHost } from '../session-host';
import { fetchDatasetsFor } from './datasets';
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
// Requests wait, in order, while the kernels load (a worker drops messages nobody listens to)
// and while a loaded document's datasets are fetched (./datasets.ts).
const inbox: unknown[] = [];
let started = false;
let fetching = false;
function drain(): void {
  while (started && !fetching && inbox.length > 0) {
    const m = inbox.shift();
    const fetched = fetchDatasetsFor(m);
    if (!fetched) {
      host.handle(m);
      continue;
    }
    fetching = true;
    void fetched.then(() => {
      fetching = false;
      host.handle(m);
      drain();
    });
  }
}
scope.onmessage = (event: MessageEvent) => {
  inbox.push(event.data);
  drain();
};
void installWebFastKernels()
  .catch(() => 'ts')
  .then(() => {
    started = true;
    host.start();
    drain();
  });
