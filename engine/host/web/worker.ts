/**
 * The Web Worker entry of the engine (web build): one {@link SessionHost}
 * speaking the protocol over the worker's own port. Tensor buffers in replies
 * are transferred, not copied.
 */
import { SessionHost } from '../session-host';

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
scope.onmessage = (event: MessageEvent) => host.handle(event.data);
host.start();
