/**
 * A session's kernel leases: the fast kernels lend large results (views into
 * their memory, no copy) to the iteration that computed them. An iteration's
 * lease is released once nothing of that iteration can be read any more: when
 * the next iteration's backward pass starts (its outputs were replaced at its
 * setup, and the recorded backward steps are replaced then), or when the run
 * ends. What outlives a lease (values fed to the next iteration, the final
 * outputs and steps) is copied out first ({@link ownTensor}, {@link ownGrad}).
 *
 * Note [Lent kernel memory]: while a lease is in use, a large float32 result
 * of the WebAssembly kernels is a view into the module's memory, not an array
 * of its own (engine/kernels/wasm/memory.ts). After the lease is released the
 * ring allocator reuses that memory, and the view silently reads whatever the
 * next kernel call wrote there: no error, just wrong numbers. So whatever
 * outlives the iteration that computed it passes through one function,
 * `ownStorage` (via {@link ownTensor} for tensors and their `.grad`,
 * {@link ownGrad} for recorded gradients), before the lease is released:
 * values fed to the next iteration (GraphSession's feedback phase) and
 * everything the session keeps when it finishes or fails (its `settle`).
 * Retained gradients are copies from the start (the retain_grad hook); a
 * `.grad` is a copy lent like a kernel result (Note [Lent scratch]), so the
 * session owns the parameters, leaves and their `.grad` before every release
 * (its `releasePrevious`: without zero_grad a `.grad` lives on). Releases
 * happen only here: `releaseOlder` when a backward starts (or at setup when
 * the run has no backward), `releaseAll` in `settle` and `dispose`. A new place that keeps a
 * tensor across iterations must call `ownTensor` on it; test/unit/graph/leases.test.ts
 * poisons released memory with NaN so a view read too late shows.
 */
import type { Storage } from '../core/storage';
import type { GradValue } from '../autograd/grad-value';
import type { Tensor } from '../tensor/tensor';
import {
  kernelOwned,
  openKernelLease,
  releaseKernelLease,
  useKernelLease,
  type KernelLease,
} from '../kernels/fast/index';

/** Releases the leases of sessions dropped without {@link SessionLeases.dispose}. */
const dropped = new FinalizationRegistry<KernelLease[]>((leases) => {
  for (const l of leases) releaseKernelLease(l);
});

/** Moves `s` into an ordinary array if the kernels lent its buffer. */
function ownStorage(s: Storage): void {
  if (kernelOwned(s.data)) s.relocate(s.data.slice());
}

/** Makes `t`'s storage (and its .grad's) an ordinary array if the kernels lent it. */
export function ownTensor(t: Tensor | null | undefined): void {
  if (!t) return;
  ownStorage(t.storage);
  if (t.grad) ownStorage(t.grad.storage);
}

/** `g`, with its data copied out if the kernels lent it. */
export function ownGrad(g: GradValue | null): GradValue | null {
  if (!g || !kernelOwned(g.data)) return g;
  return { data: g.data.slice(), shape: g.shape, dtype: g.dtype };
}

/** The leases of one session: the current iteration's and the previous one's. */
export class SessionLeases {
  /** Unreleased leases, oldest first (shared with the finalizer). */
  private readonly leases: KernelLease[] = [];

  constructor(owner: object) {
    dropped.register(owner, this.leases, this);
  }

  /** Runs `fn` with the kernels lending to the current iteration's lease. */
  within<T>(fn: () => T): T {
    let lease = this.leases[this.leases.length - 1];
    if (!lease) {
      const l = openKernelLease();
      if (!l) return fn();
      this.leases.push((lease = l));
    }
    const before = useKernelLease(lease);
    try {
      return fn();
    } finally {
      useKernelLease(before);
    }
  }

  /** A new iteration starts: its results go to a new lease (the previous one stays). */
  nextIteration(): void {
    const last = this.leases[this.leases.length - 1];
    if (last && last.bytes === 0) return; // nothing lent yet: keep using it
    const l = openKernelLease();
    if (l) this.leases.push(l);
  }

  /** Releases every lease but the current iteration's. */
  releaseOlder(): void {
    while (this.leases.length > 1) releaseKernelLease(this.leases.shift()!);
  }

  /** Releases every lease (after copying out what is kept). */
  releaseAll(): void {
    while (this.leases.length > 0) releaseKernelLease(this.leases.shift()!);
  }

  /** Releases everything; the session is not used any more. */
  dispose(): void {
    this.releaseAll();
    dropped.unregister(this);
  }
}
