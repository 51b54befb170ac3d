/**
 * An engine in the calling thread, as a {@link SpawnedEngine}: what the desktop
 * engine falls back to when worker threads cannot start there. Messages are
 * copied (structured clone) and delivered on a later turn of the event loop,
 * as a thread's would be. `terminate` only stops delivery: a computation in
 * progress cannot be interrupted here, so this engine has no watchdog.
 */
import type { SpawnedEngine } from '../port';
import { SessionHost } from '../session-host';

export function inProcessEngine(): SpawnedEngine {
  const handlers = new Set<(data: unknown) => void>();
  let stopped = false;
  const later = (fn: () => void): void => {
    setImmediate(() => {
      if (!stopped) fn();
    });
  };
  const host = new SessionHost({
    post: (message) => {
      const copy = structuredClone(message);
      later(() => {
        for (const h of [...handlers]) h(copy);
      });
    },
    yieldToEvents: () => new Promise((resolve) => setImmediate(resolve)),
    now: () => performance.now(),
  });
  later(() => host.start());
  return {
    postMessage: (message) => {
      const copy = structuredClone(message);
      later(() => host.handle(copy));
    },
    onMessage(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    terminate() {
      stopped = true;
      handlers.clear();
    },
    onExit() {
      // it never stops on its own
    },
  };
}
