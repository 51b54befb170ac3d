/**
 * What the canvas knows about the engine's last answers, and pure functions
 * that fold each answer in. The engine session (I/O) calls these; components
 * read them through selectors.
 */
import type {
  BackwardStepResult,
  EdgeFlow,
  ErrorJson,
  ForwardStepResult,
  LoadResult,
  RunSummary,
  Stats,
  TensorSummary,
} from '../../engine/protocol/messages';
import type { BackwardStepJson, OptimizerJson } from '../../engine/protocol/result';
import { dict, own } from '../../engine/protocol/dict';
import { stats } from '../../engine/protocol/stats';

/** `data-state` of the engine status. */
export type EngineStatus = 'idle' | 'running' | 'done' | 'error';

/** Progress of a multi-iteration run. */
export interface Progress {
  readonly iteration: number;
  readonly of: number;
  readonly loss: number | null;
  /** The last iteration's batch accuracy, when the loss is a classification loss. */
  readonly accuracy?: number | null;
  readonly elapsed_ms: number;
}

/** The engine slice of the store. */
export interface EngineSlice {
  /** False when the engine could not start (shown in the status bar). */
  readonly available: boolean;
  /** The engine's float32 kernels as its ready event named them (`wasm-simd+fma x2`, `ts`); null until known. */
  readonly kernels: string | null;
  readonly status: EngineStatus;
  readonly load: LoadResult | null;
  /** Tensors of the last run / steps, by name (`conv1.weight` for parameters). */
  readonly tensors: Readonly<Record<string, TensorSummary>>;
  /** Backward steps of the last full backward (after a run). */
  readonly backwardSteps: readonly BackwardStepJson[];
  /** Backward steps executed one at a time, in order. */
  readonly stepResults: readonly BackwardStepResult[];
  /** Nodes executed by stepping forward, in order. */
  readonly forwardExecuted: readonly string[];
  /** The node running now (highlighted). */
  readonly active: string | null;
  readonly phase: 'none' | 'forward' | 'backward' | 'update' | 'done';
  readonly error: ErrorJson | null;
  readonly edgeFlow: readonly EdgeFlow[];
  readonly losses: readonly number[];
  /** Each iteration's batch accuracy beside its loss (empty unless the loss is CrossEntropyLoss or NLLLoss). */
  readonly accuracies: readonly (number | null)[];
  readonly progress: Progress | null;
  readonly warnings: readonly { readonly message: string; readonly node: string | null }[];
  /** True once a backward has run (edges may be drawn by gradient). */
  readonly backwardRan: boolean;
  /** The iteration the last step or run reached, 0-based as the engine counts (shown 1-based); null before any. */
  readonly iteration: number | null;
  /** Statistics of tensors before an in-place write changed them (this iteration, forward steps only), by name. */
  readonly overwritten: Readonly<Record<string, Stats | null>>;
  /** `run.optimizer`'s state after the last run or result (null without an optimizer, or before a run). */
  readonly optimizer: OptimizerJson | null;
}

/** BatchNorm2d's buffers, in the order nn.BatchNorm2d registers them (tensors `<id>.<buffer>`). */
export const BUFFERS = ['running_mean', 'running_var', 'num_batches_tracked'] as const;

/** The slice before anything ran. */
export const initialEngine: EngineSlice = {
  available: true,
  kernels: null,
  status: 'idle',
  load: null,
  tensors: {},
  backwardSteps: [],
  stepResults: [],
  forwardExecuted: [],
  active: null,
  phase: 'none',
  error: null,
  edgeFlow: [],
  losses: [],
  accuracies: [],
  progress: null,
  warnings: [],
  backwardRan: false,
  iteration: null,
  overwritten: {},
  optimizer: null,
};

/** Clears results (the document changed or the user pressed reset) but keeps the load answer. */
export function resetResults(s: EngineSlice): EngineSlice {
  return { ...initialEngine, available: s.available, load: s.load };
}

interface AnyTensor {
  shape?: number[];
  dtype?: string;
  requires_grad?: boolean;
  is_leaf?: boolean;
  grad_fn?: string | null;
  has_grad?: boolean;
  data?: ArrayLike<number | null>;
  grad?: { data: ArrayLike<number | null> } | null;
}

/** Accepts protocol summaries, a `result` reply (typed arrays) or result JSON, giving summaries. */
export function toSummaries(tensors: Record<string, unknown>): Record<string, TensorSummary> {
  const out = dict<TensorSummary>();
  for (const [name, raw] of Object.entries(tensors)) {
    const t = raw as AnyTensor;
    if ('has_grad' in t && t.has_grad !== undefined) {
      out[name] = t as TensorSummary;
      continue;
    }
    out[name] = {
      shape: t.shape ?? [],
      dtype: t.dtype ?? 'float32',
      requires_grad: !!t.requires_grad,
      is_leaf: !!t.is_leaf,
      grad_fn: t.grad_fn ?? null,
      has_grad: t.grad != null,
      stats: t.data ? stats(t.data) : null,
      grad_stats: t.grad ? stats(t.grad.data) : null,
      storage: -1,
      version: -1,
    };
  }
  return out;
}

/** Folds in the answer to `run` (or `result`). */
export function withRunSummary(
  s: EngineSlice,
  r: Partial<Omit<RunSummary, 'tensors'>> & { tensors?: Record<string, unknown> },
): EngineSlice {
  const error = (r.error as ErrorJson | null | undefined) ?? null;
  const steps = r.backward_steps ?? [];
  return {
    ...s,
    status: error ? 'error' : 'done',
    // a Tensor node whose setup raised on a fed-back tensor holds it all the same (Note [Fed-back tensors are reported apart])
    tensors: r.tensors ? keepStorage(s.tensors, toSummaries({ ...r.fed, ...r.tensors })) : s.tensors,
    backwardSteps: steps,
    edgeFlow: r.edge_flow ?? s.edgeFlow,
    losses: r.losses ?? s.losses,
    accuracies: r.accuracies ?? (r.losses ? [] : s.accuracies),
    error,
    active: error?.node ?? null,
    phase: 'done',
    progress: null,
    backwardRan: steps.length > 0 || s.backwardRan,
    iteration: error?.iteration ?? (r.iterations_run ? r.iterations_run - 1 : s.iteration),
    optimizer: r.optimizer ?? null,
  };
}

/**
 * A `result` reply (what stepping to the end pulls) has no storage ids or versions: keeps
 * the ones the steps reported, so Detach still shows its input's storage.
 */
function keepStorage(
  old: Readonly<Record<string, TensorSummary>>,
  next: Record<string, TensorSummary>,
): Record<string, TensorSummary> {
  for (const [name, t] of Object.entries(next)) {
    const before = own(old, name);
    if (t.storage < 0 && before && before.storage >= 0) {
      next[name] = { ...t, storage: before.storage, version: before.version };
    }
  }
  return next;
}

// Note [A cancelled run stands where it stopped]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// Cancel stops a run between two units and the engine keeps its session there
// (its Cancelled error names the iteration and phase): stepping goes on from
// that point. So the slice keeps the error (the panel says what happened) but
// takes the engine's phase and iteration, and the session pulls the result so
// the canvas shows the tensors of the iteration reached, not "Not started".
// A Cancelled error without an iteration (the worker was restarted, the run
// state is lost) leaves the slice as it was before any run.

/** The engine's session phase in a Cancelled error, as the slice's phase (null: the run state is lost). */
export function stoppedPhase(error: ErrorJson | null): EngineSlice['phase'] | null {
  if (error?.type !== 'Cancelled' || error.iteration === null || !error.phase) return null;
  if (error.phase === 'backward' || error.phase === 'update' || error.phase === 'done') return error.phase;
  return 'forward';
}

/** Folds in the `result` pulled after a cancelled run (Note [A cancelled run stands where it stopped]). */
export function withCancelledRun(
  s: EngineSlice,
  r: Partial<Omit<RunSummary, 'tensors'>> & { tensors?: Record<string, unknown> },
  error: ErrorJson,
): EngineSlice {
  const phase = stoppedPhase(error);
  if (!phase) return s;
  return {
    ...withRunSummary(s, { ...r, error: null }),
    status: 'error',
    error,
    phase,
    iteration: error.iteration,
    active: error.node,
  };
}

/** The slice with `more` tensors folded in (a step's BatchNorm2d buffers, fetched beside it). */
export function withBuffers(s: EngineSlice, more: Readonly<Record<string, TensorSummary>>): EngineSlice {
  return Object.keys(more).length ? { ...s, tensors: Object.assign(dict<TensorSummary>(), s.tensors, more) } : s;
}

/** Folds in the answer to `stepForward`. */
export function withForwardStep(s: EngineSlice, r: ForwardStepResult): EngineSlice {
  const tensors = {
    ...s.tensors,
    ...r.fed,
    ...(r.setup ?? {}),
    ...(r.node && r.tensor ? { [r.node]: r.tensor } : {}),
    ...(r.changed ?? {}),
  };
  const error = r.error ?? null;
  const nextIteration = s.iteration !== null && r.iteration !== s.iteration;
  return {
    ...s,
    tensors,
    forwardExecuted: r.node && !s.forwardExecuted.includes(r.node) ? [...s.forwardExecuted, r.node] : s.forwardExecuted,
    active: r.node ?? error?.node ?? null,
    phase: r.phase,
    error,
    status: error ? 'error' : r.phase === 'done' ? 'done' : 'idle',
    stepResults:
      r.iteration !== undefined && s.stepResults.length && s.stepResults[0]!.iteration !== r.iteration
        ? []
        : s.stepResults,
    // a new iteration's forward pass: the last backward's gradients belong to the one before
    edgeFlow: nextIteration ? [] : s.edgeFlow,
    overwritten: overwrittenBy(nextIteration ? {} : s.overwritten, s.tensors, r.changed),
    iteration: r.iteration,
  };
}

/** Keeps the statistics a tensor had before its first in-place write of the iteration. */
function overwrittenBy(
  before: Readonly<Record<string, Stats | null>>,
  old: Readonly<Record<string, TensorSummary>>,
  changed: Record<string, TensorSummary> | undefined,
): Readonly<Record<string, Stats | null>> {
  const names = Object.keys(changed ?? {}).filter((n) => !Object.hasOwn(before, n) && own(old, n));
  if (!names.length) return before;
  const out = Object.assign(dict<Stats | null>(), before);
  for (const n of names) out[n] = own(old, n)!.stats;
  return out;
}

/** Folds in the answer to `stepBackward`. */
export function withBackwardStep(s: EngineSlice, r: BackwardStepResult): EngineSlice {
  let tensors = r.tensors ? { ...s.tensors, ...r.tensors } : s.tensors;
  if (r.leaf) {
    const old = own(tensors, r.leaf.name);
    if (old) tensors = { ...tensors, [r.leaf.name]: { ...old, has_grad: true, grad_stats: r.leaf.after } };
  }
  const error = r.error ?? null;
  const ran = r.index >= 0 && r.grad_fn !== null;
  const forwarded = (r.forwarded ?? []).filter((n) => !s.forwardExecuted.includes(n));
  // the end of a backward pass finishes the run only in its last iteration (else the next one follows)
  const finished = r.phase === 'done';
  return {
    ...s,
    tensors,
    edgeFlow: r.edge_flow ?? s.edgeFlow,
    iteration: r.iteration,
    stepResults: ran ? [...s.stepResults, r] : s.stepResults,
    forwardExecuted: forwarded.length ? [...s.forwardExecuted, ...forwarded] : s.forwardExecuted,
    active: error?.node ?? (r.node ? r.node.split('.')[0]! : null),
    phase: finished ? 'done' : (r.phase ?? 'backward'),
    error,
    status: error ? 'error' : finished ? 'done' : 'idle',
    backwardRan: s.backwardRan || ran,
  };
}

/** The autograd flags a node shows, from the last run or, before one, the load answer. */
export interface NodeFlags {
  readonly leaf: boolean;
  readonly requiresGrad: boolean;
  readonly hasGrad: boolean;
  readonly gradFn: string | null;
  readonly shape: number[] | null;
  readonly dtype: string | null;
  readonly storage: number | null;
  /** `t._version`: in-place writes to its storage so far (null before a run reports it). */
  readonly version: number | null;
}

/** Flags for one tensor name. */
export function flagsOf(s: EngineSlice, name: string): NodeFlags | null {
  const t = own(s.tensors, name);
  if (t) {
    return {
      leaf: t.is_leaf,
      requiresGrad: t.requires_grad,
      hasGrad: t.has_grad,
      gradFn: t.grad_fn,
      shape: t.shape,
      dtype: t.dtype,
      storage: t.storage,
      version: t.version >= 0 ? t.version : null,
    };
  }
  const p = own(s.load?.ports, name);
  if (p)
    return {
      leaf: p.is_leaf,
      requiresGrad: p.requires_grad,
      hasGrad: false,
      gradFn: null,
      shape: p.shape,
      dtype: p.dtype,
      storage: null,
      version: null,
    };
  return null;
}

/** The current backward step (the last one executed by stepping), if any. */
export function currentStep(s: EngineSlice): BackwardStepResult | null {
  return s.stepResults[s.stepResults.length - 1] ?? null;
}

/** What the next step does: `forward` (Forward step), `backward` (Backward step), or nothing (`done`). */
export function nextStep(s: EngineSlice): 'forward' | 'backward' | 'done' {
  if (s.phase === 'done') return 'done';
  return s.phase === 'backward' ? 'backward' : 'forward';
}

/**
 * Whether a step button does something now. Note [Steps past the end do nothing]:
 * the engine refuses a step out of order with a StateError (the protocol's
 * contract, for `cli step`), but in the app the end of a run is a normal
 * finished state, so the app never sends one: Forward step waits while a
 * backward pass is pending (Backward step goes on), and neither steps once
 * the run is finished (Reset starts again).
 */
export function canStep(s: EngineSlice, which: 'forward' | 'backward'): boolean {
  const next = nextStep(s);
  return next !== 'done' && (which === 'backward' || next === 'forward');
}

/** "iteration k of n", 1-based, for an engine iteration counted from 0. */
export function iterationText(iteration: number, of: number): string {
  return `iteration ${iteration + 1} of ${Math.max(of, iteration + 1)}`;
}
