/**
 * A run that can be cancelled: the session advances one unit at a time (setup,
 * one node, one grad_fn, feedback), checks the cancel flag between units and
 * gives the host's event loop a turn every few milliseconds, so a `cancel`
 * message is received while the run is going.
 */
import type { GraphSession } from '../graph/session';

/** What the run loop needs from its host. */
export interface RunLoopOptions {
  /** Polled between units; true stops the run. */
  shouldCancel(): boolean;
  /** Lets the event loop deliver messages (setImmediate, a MessageChannel, setTimeout). */
  yieldToEvents(): Promise<void>;
  /** Milliseconds (any monotonic-enough origin). */
  now(): number;
  /** After every unit (the host forwards new warnings). */
  onUnit?(): void;
  /** After a completed iteration, throttled to `progressEveryMs` (the last iteration always reports). */
  onProgress?(iteration: number, of: number, loss: number | null, elapsedMs: number): void;
  /** Longest stretch of work between two yields. Default 8 ms. */
  yieldEveryMs?: number;
  /** Shortest interval between two progress reports. Default 50 ms (at most 20 per second). */
  progressEveryMs?: number;
}

/** Runs the session to its end; false if it was cancelled (the session then stands between two units). */
export async function runToEnd(s: GraphSession, o: RunLoopOptions): Promise<boolean> {
  const yieldEvery = o.yieldEveryMs ?? 8;
  const progressEvery = o.progressEveryMs ?? 50;
  const start = o.now();
  const of = s.graph.doc.run.iterations;
  let lastYield = start;
  let lastProgress = -Infinity;
  while (!s.finished) {
    if (o.shouldCancel()) return false;
    const before = s.iterationsRun;
    // One grad_fn at a time rather than the whole backward pass, so cancel is checked between them.
    if (s.phase === 'backward') s.stepBackward();
    else s.advance();
    o.onUnit?.();
    const t = o.now();
    if (s.iterationsRun > before && (t - lastProgress >= progressEvery || s.iterationsRun === of)) {
      lastProgress = t;
      o.onProgress?.(s.iterationsRun, of, s.losses[s.losses.length - 1] ?? null, t - start);
    }
    if (t - lastYield >= yieldEvery) {
      await o.yieldToEvents();
      lastYield = o.now();
    }
  }
  return true;
}
