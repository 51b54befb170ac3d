/**
 * Helper threads for the WebAssembly kernels: each helper instantiates the
 * kernel module over the same shared memory and runs the share of a kernel
 * call it is handed, while the calling thread runs its own share and then
 * blocks (`Atomics.wait`) until the helpers are done.
 *
 * Starting a thread needs the host (worker_threads in Node, Worker in a
 * browser), so the host passes a {@link WorkerSpawner}; the protocol itself
 * (one control block of shared int32 per helper) lives here.
 */
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

/** Control block: [seq, done, fn, nargs, status, ...args]. */
const SEQ = 0, DONE = 1, FN = 2, NARGS = 3, STATUS = 4, ARGS = 8;
/** Int32 slots per control block (room for 24 arguments, padded to a cache line multiple). */
export const CONTROL_INTS = 32;
/** Spins before a waiting thread sleeps in `Atomics.wait`. */
const SPINS = 20000;
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
    Atomics.notify(c, ${STATUS});
    return;
  }
  Atomics.notify(c, ${STATUS});
  var seq = 0;
  for (;;) {
    var spins = 0;
    while (Atomics.load(c, ${SEQ}) === seq) {
      if (++spins > ${SPINS}) Atomics.wait(c, ${SEQ}, seq);
    }
    seq = Atomics.load(c, ${SEQ});
    if (seq < 0) return;
    var n = c[${NARGS}], a = [];
    for (var i = 0; i < n; i++) a.push(c[${ARGS} + i]);
    try { fns[c[${FN}]].apply(null, a); } catch (e) { Atomics.store(c, ${STATUS}, 3); }
    Atomics.store(c, ${DONE}, seq);
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

  /** Hands helper `i` the call `fn(...args)` (all int32) and returns at once. */
  start(i: number, fn: string, args: readonly number[]): void {
    const c = this.controls[i]!;
    const f = this.names.indexOf(fn);
    if (f < 0 || args.length > CONTROL_INTS - ARGS) throw new Error(`internal: bad job ${fn}`);
    c[FN] = f;
    c[NARGS] = args.length;
    for (let k = 0; k < args.length; k++) c[ARGS + k] = args[k]!;
    const seq = this.seqs[i]! + 1;
    this.seqs[i] = seq;
    Atomics.store(c, SEQ, seq);
    Atomics.notify(c, SEQ);
  }

  /** Blocks until helper `i` finished its job; throws if it failed. */
  wait(i: number): void {
    const c = this.controls[i]!;
    const seq = this.seqs[i]!;
    let spins = 0;
    const t0 = Date.now();
    while (Atomics.load(c, DONE) !== seq) {
      const st = Atomics.load(c, STATUS);
      if (st === 2) throw new Error('internal: kernel thread failed to start');
      if (++spins > SPINS) {
        Atomics.wait(c, DONE, Atomics.load(c, DONE), 100);
        if (Date.now() - t0 > TIMEOUT_MS) throw new Error('internal: kernel thread not responding');
      }
    }
    if (Atomics.load(c, STATUS) === 3) {
      Atomics.store(c, STATUS, 1);
      throw new Error('internal: kernel thread failed');
    }
  }

  /** Ends every helper. */
  close(): void {
    for (const c of this.controls) {
      Atomics.store(c, SEQ, -1);
      Atomics.notify(c, SEQ);
    }
  }
}
