/**
 * An engine a supervisor can stop and watch: an {@link EnginePort}
 * (engine/protocol/port.ts) with `terminate` and an exit report. Each
 * transport (worker_threads Worker, Web Worker, the in-process engine) adapts
 * its own object to it.
 */
import type { EnginePort } from '../protocol/port';

/** An engine a supervisor started: it can be stopped, and it reports when it stops by itself. */
export interface SpawnedEngine extends EnginePort {
  /** Stops the engine at once (even in the middle of a kernel). */
  terminate(): void;
  /** Called once if the engine stops on its own: a crash, out of memory, or a kill from outside. */
  onExit(handler: (reason: string) => void): void;
}
