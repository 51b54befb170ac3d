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

  constructor(data: FloatArray) {
    this.buffer = data;
    this.id = Storage.nextId++;
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
