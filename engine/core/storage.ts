import type { FloatArray } from './dtype';
import { internalError } from './errors';

/** Called with the buffer of every in-place write (see {@link onInPlaceWrite}). */
let writeHook: ((data: FloatArray) => void) | null = null;

/**
 * Registers the function told about every in-place write to a storage's
 * buffer: the fast kernels keep copies of their results in WebAssembly memory
 * and must drop a copy once its array changes.
 */
export function onInPlaceWrite(hook: ((data: FloatArray) => void) | null): void {
  writeHook = hook;
}

/** The counter of the session that is running, if one is (Note [Storage numbers]). */
let numbering: StorageNumbers | null = null;

/**
 * Note [Storage numbers]: the canvas shows which tensors share memory as
 * "storage #N". N is counted per session, from 1, in the order the session
 * makes its storages (`StorageNumbers.within` around each step of it), so a
 * graph shows the same numbers on every run, stepped or not, instead of a
 * process-wide count that kept growing with every Reset. A storage made
 * outside a session (none is shown today) gets the session's next number when
 * it is first shown. Temporaries take numbers too, so the shown ones may skip.
 */
export class StorageNumbers {
  private next = 1;
  private readonly late = new WeakMap<Storage, number>();

  /** Runs `f` with every storage it makes numbered by this counter. */
  within<T>(f: () => T): T {
    return numberingWith(this, f);
  }

  /** The number `s` is shown with in this session. */
  of(s: Storage): number {
    if (s.numberedBy === this) return s.number!;
    let n = this.late.get(s);
    if (n === undefined) this.late.set(s, (n = this.next++));
    return n;
  }

  /** @internal The next number, for a storage being made. */
  take(): number {
    return this.next++;
  }
}

/** Runs `f` with `counter` numbering the storages it makes. */
function numberingWith<T>(counter: StorageNumbers, f: () => T): T {
  const outer = numbering;
  numbering = counter;
  try {
    return f();
  } finally {
    numbering = outer;
  }
}

/**
 * The memory behind one or more tensors. Views (`reshape`, `t()`) and `detach()`
 * share a Storage, and with it the version counter: every in-place write bumps
 * `version`, which is how autograd notices that a tensor it saved for backward has
 * changed (PyTorch's `VariableVersion`).
 */
export class Storage {
  /** Row-major element buffer. int64 values are held in a Float64Array. */
  private buffer: FloatArray;
  /** Number of in-place modifications so far. */
  version = 0;
  /** Unique id, used to show which tensors share memory. */
  readonly id: number;

  private static nextId = 1;

  /** The session counter that numbered this storage when it was made, and its number (Note [Storage numbers]). */
  readonly numberedBy: StorageNumbers | null;
  readonly number: number | null;

  constructor(data: FloatArray) {
    this.buffer = data;
    this.id = Storage.nextId++;
    this.numberedBy = numbering;
    this.number = numbering ? numbering.take() : null;
  }

  /** Row-major element buffer. int64 values are held in a Float64Array. */
  get data(): FloatArray {
    return this.buffer;
  }

  /**
   * Moves the values into `copy` (same length and contents, e.g. a copy of a
   * buffer the fast kernels only lent; see `kernelOwned`). Every tensor of
   * this storage sees the new buffer; the version does not change.
   */
  relocate(copy: FloatArray): void {
    if (copy.length !== this.buffer.length) throw internalError('relocate with a different length');
    this.buffer = copy;
  }

  /** Records one in-place modification. See Note [SavedVariable version counter] (engine/autograd/saved.ts). */
  bumpVersion(): void {
    this.version++;
    writeHook?.(this.data);
  }
}
