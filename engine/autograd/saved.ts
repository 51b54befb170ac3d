import type { DType, FloatArray } from '../core/dtype';
import { runtimeError } from '../core/errors';
import { formatShape, type Shape } from '../core/shape';
import type { Storage } from '../core/storage';
import { legacyTypeName } from '../core/dtype';

/** The message PyTorch gives when a freed graph is used again (ERR_BACKWARD_TWICE). */
export const ERR_BACKWARD_TWICE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have ' +
  'already been freed). Saved intermediate values of the graph are freed when you call .backward() or ' +
  'autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or ' +
  'if you need to access saved tensors after calling backward.';

/** What SavedVariable needs to know about a tensor when it is saved. */
export interface SavableTensor {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly storage: Storage;
  /** A contiguous view of the values (may alias storage). */
  contiguousData(): FloatArray;
  /** Name of the grad_fn that produced it (null for leaves), and which output it is. */
  readonly gradFnName: string | null;
  readonly outputNr: number;
}

/** The contents of a SavedVariable when unpacked. */
export interface SavedValue {
  readonly data: FloatArray;
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * A tensor saved for backward (PyTorch's `SavedVariable`): it remembers the
 * version of the storage when saved, refuses to unpack after an in-place change,
 * and after `release()` refuses with PyTorch's "backward a second time" message.
 *
 * Note [Which grad_fn the in-place error names]: an op's own output, saved by
 * the node that made it (`ownerName`), is named after that node, whatever
 * happened to the tensor since. A saved input is the original tensor
 * (`saved_original_`), so the message names its grad_fn at unpack time: after
 * `h.relu_()` that is ReluBackward0, not the grad_fn `h` had when it was saved.
 */
export class SavedVariable {
  private value: SavedValue | null;
  private readonly storage: Storage;
  private readonly savedVersion: number;
  private readonly ownerName: string | null;
  private readonly outputNr: number;
  private original: SavableTensor | null;

  /** Saves `t`; `ownerName` is given when `t` is an output of the node saving it. */
  constructor(t: SavableTensor, ownerName?: string) {
    this.value = { data: t.contiguousData(), shape: [...t.shape], dtype: t.dtype };
    this.storage = t.storage;
    this.savedVersion = t.storage.version;
    this.ownerName = ownerName ?? null;
    this.outputNr = t.outputNr;
    this.original = ownerName === undefined ? t : null;
  }

  /**
   * The saved values, checked against the version counter.
   *
   * Note [SavedVariable version counter]: saving records the storage's
   * `version` (PyTorch's `saved_version_`); the values are not copied, they
   * alias the storage. Every in-place write to a storage calls
   * `Storage.bumpVersion` once, and the storage (with its counter) is shared by
   * the tensor, its views and its `detach()`ed copies, so a write through any
   * of them is seen here. Unpacking compares the current version with the
   * saved one and raises PyTorch's in-place error, word for word, when they
   * differ: the backward would otherwise read the overwritten values. An
   * in-place op that forgets to bump lets a wrong gradient through silently;
   * one that bumps twice is still caught (any difference raises), but its
   * message names the wrong version, which the parity fixtures compare. When
   * the check runs matters as much: see Note [Saved variables are unpacked
   * first] (node.ts).
   */
  unpack(): SavedValue {
    const v = this.value;
    if (v === null) throw runtimeError(ERR_BACKWARD_TWICE);
    const current = this.storage.version;
    if (current !== this.savedVersion) {
      const gradFnName = this.ownerName ?? this.original?.gradFnName ?? null;
      const of = gradFnName ? `, which is output ${this.outputNr} of ${gradFnName},` : '';
      throw runtimeError(
        `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `[${legacyTypeName(v.dtype)} ${formatShape(v.shape)}]${of} is at version ${current}; expected version ` +
          `${this.savedVersion} instead. Hint: enable anomaly detection to find the operation that failed to ` +
          `compute its gradient, with torch.autograd.set_detect_anomaly(True).`,
      );
    }
    return v;
  }

  /** Frees the saved values (after backward, unless the graph is retained). */
  release(): void {
    this.value = null;
    this.original = null;
  }

  /** True once released. */
  get released(): boolean {
    return this.value === null;
  }
}
