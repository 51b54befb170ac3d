/**
 * Helper threads for the WebAssembly kernels: each helper instantiates the
 * kernel module over the same shared memory. A large kernel call is offered to
 * the helpers, and every thread that joins takes chunks of work from a shared
 * counter; the calling thread works too, withdraws the offer from helpers that
 * have not joined by the time it runs out of chunks, and waits
 * (`Atomics.wait`) only for those that did.
 *
 * Starting a thread needs the host (worker_threads in Node, Worker in a
 * browser), so the host passes a {@link WorkerSpawner}; the protocol itself
 * (one control block of shared int32 per helper) lives here.
 */
import { internalError } from '../../core/errors';
import type { WasmMemory, WasmModule } from '../wasm/api';

/** What a helper thread receives when it starts. */
export interface WorkerInit {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  /** The helper's control block (see {@link CONTROL_INTS}). */
  readonly control: SharedArrayBuffer;
  /** Export names, indexed by the function number of a job. */
  readonly names: readonly string[];
}

/**
 * Starts one helper thread that evaluates `source` (a JavaScript function
 * expression taking a {@link WorkerInit}) and calls it with `init`. It must not
 * keep the process alive.
 */
export type WorkerSpawner = (source: string, init: WorkerInit) => void;

/**
 * Control block: [state, done, fn, nargs, status, ...args]. `state` is
 * seq*4 + phase (1 posted, 2 taken by the helper, 3 withdrawn by the caller),
 * or -1 to end the helper; `done` is the seq of the last job the helper ran.
 */
const STATE = 0,
  DONE = 1,
  FN = 2,
  NARGS = 3,
  STATUS = 4,
  ARGS = 8;
/** Int32 slots per control block (room for 24 arguments, padded to a cache line multiple). */
export const CONTROL_INTS = 32;
/** Spins before the calling thread sleeps in `Atomics.wait` while a helper finishes. */
const SPINS = 20000;
/**
 * Spin-wait time (ms) of an idle helper before it sleeps.
 *
 * Note [Helpers spin between calls]: a helper asleep in `Atomics.wait` takes
 * about 45 us to start on a posted call on the 2-vCPU VM (median of 400
 * wake-ups after 0.5 ms idle; p90 49 us), one that is spinning about 1.5 us.
 * A step of W2 has a split call every few hundred microseconds, so a helper
 * that slept after some microseconds (2,000 spins, until session 22) joined
 * every call late, and splitting the memory-bound kernels (40-130 us) did
 * not pay. A helper now spins for 2 ms after its last call and sleeps only
 * when the kernels have had no split call for that long. Same-process A/B
 * (build/bench/threshold.ts, W2, with the thresholds of runtime.ts): step
 * minimum 3.03-3.11 -> 2.89-2.91 ms, median 3.46-3.67 -> 3.10-3.16; W3 2-3%
 * lower. The price is a core kept busy for up to 2 ms after the last split
 * call (OpenMP runtimes spin 0.2-200 ms by default), and a process that is
 * still compiling (V8's compiler threads want that core) warms up slower:
 * see PARALLEL_MACS in runtime.ts.
 */
const WORKER_SPIN_MS = 2;
/** Milliseconds, sub-millisecond where the host has `performance` (every browser and Node): */
const perf = (globalThis as { performance?: { now(): number } }).performance;
const now: () => number = perf ? () => perf.now() : () => Date.now();
/** How long after a split call the helpers count as awake (a margin inside WORKER_SPIN_MS). */
const WARM_MS = 1.5;
/** Longest wait for a helper (ms) before the call is declared failed. */
const TIMEOUT_MS = 60_000;

/**
 * The helper's main loop, as source (it runs in another realm). Status codes:
 * 1 ready, 2 failed to start, 3 the last job threw.
 */
export const WORKER_SOURCE = `(function (d) {
  var c = new Int32Array(d.control);
  var fns;
  try {
    var inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
    fns = d.names.map(function (n) { return inst.exports[n]; });
    Atomics.store(c, ${STATUS}, 1);
  } catch (e) {
    Atomics.store(c, ${STATUS}, 2);
    return;
  }
  var last = 0;
  for (;;) {
    var s, spins = 0, since = performance.now();
    while ((s = Atomics.load(c, ${STATE})) === last) {
      if ((++spins & 1023) === 0 && performance.now() - since > ${WORKER_SPIN_MS}) Atomics.wait(c, ${STATE}, last);
    }
    last = s;
    if (s < 0) return;
    if ((s & 3) !== 1) continue;
    var taken = (s & ~3) | 2;
    if (Atomics.compareExchange(c, ${STATE}, s, taken) !== s) continue;
    last = taken;
    var n = c[${NARGS}], a = [];
    for (var i = 0; i < n; i++) a.push(c[${ARGS} + i]);
    try { fns[c[${FN}]].apply(null, a); } catch (e) { Atomics.store(c, ${STATUS}, 3); }
    Atomics.store(c, ${DONE}, s >> 2);
    Atomics.notify(c, ${DONE});
  }
})`;

/** A fixed set of helper threads over one module and memory. */
export class ThreadPool {
  /** Number of helper threads (the caller is not counted). */
  readonly helpers: number;
  private readonly controls: Int32Array[] = [];
  private readonly seqs: number[] = [];
  private readonly names: readonly string[];
  /** {@link now} when the last split call ended (see {@link warm}). */
  private lastDone = -Infinity;

  constructor(spawn: WorkerSpawner, module: WasmModule, memory: WasmMemory, names: readonly string[], helpers: number) {
    this.helpers = helpers;
    this.names = names;
    for (let i = 0; i < helpers; i++) {
      const control = new SharedArrayBuffer(CONTROL_INTS * 4);
      this.controls.push(new Int32Array(control));
      this.seqs.push(0);
      spawn(WORKER_SOURCE, { module, memory, control, names });
    }
  }

  /**
   * Offers helper `i` the call `fn(...args)` (all int32) and returns at once.
   * The call must be safe to skip: the caller does all the work a helper
   * does not take (see {@link finish}).
   */
  post(i: number, fn: string, args: readonly number[]): void {
    const c = this.controls[i]!;
    const f = this.names.indexOf(fn);
    if (f < 0 || args.length > CONTROL_INTS - ARGS) throw internalError(`bad job ${fn}`);
    c[FN] = f;
    c[NARGS] = args.length;
    for (let k = 0; k < args.length; k++) c[ARGS + k] = args[k]!;
    const seq = (this.seqs[i]! + 1) & 0x1fffffff;
    this.seqs[i] = seq;
    Atomics.store(c, STATE, seq * 4 + 1);
    Atomics.notify(c, STATE);
  }

  /**
   * True while the helpers are likely still spinning after the last split
   * call (WARM_MS after it ended, within their WORKER_SPIN_MS): a call posted
   * now starts at once (Note [Splitting while the helpers are awake], runtime.ts).
   */
  warm(): boolean {
    return now() - this.lastDone < WARM_MS;
  }

  /**
   * Ends helper `i`'s part in the posted call: withdraws it if the helper has
   * not taken it yet, else blocks until the helper is done. Throws if the
   * helper failed.
   */
  finish(i: number): void {
    const c = this.controls[i]!;
    const seq = this.seqs[i]!;
    this.lastDone = now();
    if (Atomics.compareExchange(c, STATE, seq * 4 + 1, seq * 4 + 3) === seq * 4 + 1) return;
    let spins = 0;
    const t0 = Date.now();
    while (Atomics.load(c, DONE) !== seq) {
      if (++spins > SPINS) {
        Atomics.wait(c, DONE, Atomics.load(c, DONE), 100);
        if (Date.now() - t0 > TIMEOUT_MS) throw internalError('kernel thread not responding');
      }
    }
    if (Atomics.load(c, STATUS) === 3) {
      Atomics.store(c, STATUS, 1);
      throw internalError('kernel thread failed');
    }
  }

  /** Ends every helper. */
  close(): void {
    for (const c of this.controls) {
      Atomics.store(c, STATE, -1);
      Atomics.notify(c, STATE);
    }
  }
}
