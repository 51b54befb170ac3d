/**
 * The engine's message protocol: what the canvas (or the CLI, or a test) sends
 * to an engine host and what comes back. Every transport (Web Worker, Electron
 * utilityProcess, worker thread) carries exactly these messages, and both ends
 * check every message on arrival (`./validate`). Tensor values travel as
 * Float32Array (Float64Array for int64 class targets), transferred where the
 * transport allows it, never as JSON arrays.
 *
 * Lifecycle: the host sends `ready`; the client sends `load`, then any of
 * `stepForward` / `stepBackward` / `run` / `result` / `getTensor` / `reset`;
 * `cancel` stops a `run` in progress.
 */
import type { DocumentIssue, RunErrorJson, RunResultJson } from './result';

/** Bumped on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/** A graph document as JSON (validated by the engine on `load`). */
export type GraphDocumentJson = Record<string, unknown>;

/** Which buffer of a tensor `getTensor` returns. */
export type TensorWhich = 'value' | 'grad';

/** Requests: `id` (a non-negative integer chosen by the client) pairs a request with its response. */
export type Request =
  | { readonly type: 'load'; readonly id: number; readonly document: GraphDocumentJson }
  | { readonly type: 'run'; readonly id: number; readonly iterations?: number }
  | { readonly type: 'stepForward'; readonly id: number }
  | { readonly type: 'stepBackward'; readonly id: number }
  | { readonly type: 'reset'; readonly id: number }
  | { readonly type: 'cancel'; readonly id: number }
  | { readonly type: 'getTensor'; readonly id: number; readonly name: string; readonly which: TensorWhich }
  | { readonly type: 'result'; readonly id: number }
  | { readonly type: 'evaluate'; readonly id: number; readonly split?: 'train' | 'test' };

/** The request kinds. */
export type RequestType = Request['type'];

/** Every request kind, for validators and dispatch tables. */
export const REQUEST_TYPES: readonly RequestType[] = [
  'load',
  'run',
  'stepForward',
  'stepBackward',
  'reset',
  'cancel',
  'getTensor',
  'result',
  'evaluate',
];

/** Summary statistics of a tensor (NaN-aware: NaNs are counted, not folded into min/max/mean). */
export interface Stats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly absMax: number;
  readonly nan: number;
}

/** What the canvas shows about one tensor without transferring its data. */
export interface TensorSummary {
  readonly shape: number[];
  readonly dtype: string;
  readonly requires_grad: boolean;
  readonly is_leaf: boolean;
  readonly grad_fn: string | null;
  readonly has_grad: boolean;
  readonly stats: Stats | null;
  readonly grad_stats: Stats | null;
  /** Storage id; tensors with the same id share memory (Detach). */
  readonly storage: number;
  /** The storage's version counter (`t._version`): in-place writes so far; -1 where not reported. */
  readonly version: number;
}

/** Port information inferred before running (nothing is computed): enough to mark leaves and shapes. */
export interface PortInfo {
  /** null where inference stopped (after a shape problem). */
  readonly shape: number[] | null;
  readonly dtype: string | null;
  readonly requires_grad: boolean;
  readonly is_leaf: boolean;
}

/** Reply to `load`. */
export interface LoadResult {
  /** False when the document is invalid or over the memory budget (then nothing is loaded). */
  readonly ok: boolean;
  /** Document faults with their JSON paths (the budget refusal has path `nodes`). */
  readonly issues: DocumentIssue[];
  /** Inferred output of every node and parameter (`conv1.weight`) in the first iteration. */
  readonly ports: Record<string, PortInfo>;
  /** Forward phase order (Tensor nodes included). */
  readonly order: string[];
  /** Update phase order (nodes after a Grad node). */
  readonly update: string[];
  /** Shape problems inference found (running raises them at that node); the graph still loads. */
  readonly problems: { readonly node: string; readonly message: string }[];
  /** Elements the first iteration's node outputs and parameters hold, and the engine's budget. */
  readonly elements: number;
  readonly budget: number;
}

/** Which edges of the document carried gradient in the last backward, by edge index. */
export interface EdgeFlow {
  readonly edge: number;
  /** L2 norm of the gradient that flowed along the edge (0 if it carried zeros). */
  readonly norm: number;
}

/** Reply to `run`. */
export interface RunSummary {
  readonly tensors: Record<string, TensorSummary>;
  readonly backward_steps: RunResultJson['backward_steps'];
  readonly iterations_run: number;
  readonly error: RunErrorJson | null;
  readonly edge_flow: EdgeFlow[];
  readonly losses: number[];
  /** The optimizer's state (`run.optimizer`), as the result JSON has it. */
  readonly optimizer?: RunResultJson['optimizer'];
  /**
   * The share of each iteration's batch classified right (`input.argmax(1) == target`), one per
   * loss, when the backward root is a CrossEntropyLoss or NLLLoss with class targets, or
   * `(input > 0) == (target > 0.5)` for a BCEWithLogitsLoss; null entries where it could not be
   * computed. See engine/graph/training.ts.
   */
  readonly accuracies?: (number | null)[];
  /**
   * What the last feedback handed to each Tensor node (`delta = delta_next`), by node id: the
   * tensor the node holds in the iteration reached, reported even when its setup raised on it
   * (then `tensors` lacks it, as the result JSON does).
   */
  readonly fed?: Record<string, TensorSummary>;
}

/** A gradient seen during a backward step. */
export interface GradSummary {
  readonly shape: number[];
  readonly stats: Stats;
}

/**
 * What comes next: `forward` and `update` are done by `stepForward`, `backward`
 * by `stepBackward`; `done` means the run finished (or stopped with an error).
 */
export type StepPhase = 'forward' | 'backward' | 'update' | 'done';

/** Reply to `stepForward`: one graph node executed (setup and feedback happen on the way). */
export interface ForwardStepResult {
  /** The phase after this step (what the next step does). */
  readonly phase: StepPhase;
  /** The graph node just executed (null when none ran: an error before it, or nothing to run). */
  readonly node: string | null;
  /** The phase the node ran in. */
  readonly ran_in: 'forward' | 'update' | null;
  /** The iteration the node belongs to (0-based). */
  readonly iteration: number;
  readonly grad_fn: string | null;
  readonly tensor: TensorSummary | null;
  /** Tensor nodes set up at the start of the iteration during this step. */
  readonly setup: Record<string, TensorSummary>;
  /** With `setup`: what the feedback handed to each Tensor node for this iteration (as in {@link RunSummary}). */
  readonly fed?: Record<string, TensorSummary>;
  /**
   * Other tensors whose summary this step changed: after an in-place op, every
   * reported tensor sharing the storage it wrote (its input, a Detach of it).
   */
  readonly changed?: Record<string, TensorSummary>;
  readonly error: RunErrorJson | null;
}

/** A gradient sent along one next edge of a backward function. */
export interface EdgeGrad {
  /** The function it went to (`AccumulateGrad`, `ReluBackward0`), null for an edge that needs no grad. */
  readonly to: string | null;
  /** The graph node that function belongs to. */
  readonly to_node: string | null;
  readonly grad: GradSummary | null;
}

/** Reply to `stepBackward`: exactly one grad_fn executed (or none, with `error` or at the end). */
export interface BackwardStepResult {
  /** Position in the backward pass (`backward_steps[index]`); -1 when no function ran. */
  readonly index: number;
  readonly grad_fn: string | null;
  /** The graph node the function belongs to (`fc` for its TBackward0, `fc.weight` for its AccumulateGrad). */
  readonly node: string | null;
  readonly iteration: number;
  /** Gradients that arrived, one per forward output of the function. */
  readonly inputs: (GradSummary | null)[];
  /** Gradients sent along each next edge. */
  readonly outputs: EdgeGrad[];
  /** For AccumulateGrad: the leaf's `.grad` before and after. */
  readonly leaf: { readonly name: string; readonly before: Stats | null; readonly after: Stats } | null;
  /** Forward (or update) nodes executed first because the forward pass was not complete. */
  readonly forwarded: string[];
  /** What those forward steps reported (setup tensors, the forwarded nodes' outputs, tensors changed in place). */
  readonly tensors?: Record<string, TensorSummary>;
  /** The document edges gradient has crossed so far in this backward pass (as `run`'s `edge_flow`). */
  readonly edge_flow?: EdgeFlow[];
  /** True when this was the last function of the backward pass. */
  readonly done: boolean;
  /** The phase after this step. */
  readonly phase: StepPhase;
  readonly error: RunErrorJson | null;
}

/** Reply to `reset`: the session is back before the first iteration. */
export interface ResetResult {
  readonly phase: StepPhase;
}

/** Reply to `cancel`. */
export interface CancelResult {
  readonly cancelled: boolean;
  /** True when the supervisor had to restart the engine (its run state is lost, the document reloaded). */
  readonly restarted: boolean;
}

/** Tensor values as they travel: a typed array, transferred. */
export type TensorBuffer = Float32Array | Float64Array;

/** Reply to `getTensor`. */
export interface TensorData {
  readonly name: string;
  readonly which: TensorWhich;
  readonly shape: number[];
  readonly dtype: string;
  readonly data: TensorBuffer;
}

/** One tensor of {@link RunResultWire}: the result JSON's tensor with typed-array data. */
export interface TensorWire {
  readonly shape: number[];
  readonly dtype: 'float32' | 'int64' | 'float64';
  readonly data: TensorBuffer;
  readonly requires_grad: boolean;
  readonly is_leaf: boolean;
  readonly grad_fn: string | null;
  readonly grad: { readonly shape: number[]; readonly data: TensorBuffer } | null;
}

/** Reply to `result`: the spec's result with typed-array data (`resultFromWire` gives the JSON). */
export interface RunResultWire {
  readonly tensors: Record<string, TensorWire>;
  readonly backward_steps: RunResultJson['backward_steps'];
  readonly iterations_run: number;
  readonly error: RunErrorJson | null;
  /** The optimizer's state, as the result JSON has it (small: it travels as JSON). */
  readonly optimizer?: RunResultJson['optimizer'];
}

/**
 * Reply to `evaluate`: the loaded graph's forward pass over a whole split of its Dataset node,
 * under no_grad in eval mode, with the parameters the session holds now (engine/graph/training.ts).
 */
export interface EvaluateResult {
  /** The Dataset node and its dataset. */
  readonly dataset: string;
  readonly name: string;
  readonly split: 'train' | 'test';
  /** The dataset's class names, in label order. */
  readonly classes: string[];
  readonly count: number;
  /** Images whose predicted class (`argmax` of the logits) is their label. */
  readonly correct: number;
  /** `confusion[t][p]`: images of true class t predicted as p. */
  readonly confusion: number[][];
  readonly elapsed_ms: number;
}

/** What each request resolves with. */
export interface ResultOf {
  load: LoadResult;
  run: RunSummary;
  stepForward: ForwardStepResult;
  stepBackward: BackwardStepResult;
  reset: ResetResult;
  cancel: CancelResult;
  getTensor: TensorData;
  result: RunResultWire;
  evaluate: EvaluateResult;
}

/**
 * Errors as they travel: PyTorch's type and message, and where. Protocol-level
 * types: `ProtocolError` (malformed message), `StateError` (out of order),
 * `Cancelled`, `EngineRestarted`, `InternalError` (a bug in the engine, never a
 * PyTorch error: see `classifyError` in engine/core/errors.ts).
 */
export type ErrorJson = {
  readonly type: string;
  readonly message: string;
  readonly node: string | null;
  readonly phase: string | null;
  readonly iteration: number | null;
};

/** Responses. `id` is null only for a request whose id could not be read. */
export type Response =
  | {
      readonly type: 'response';
      readonly id: number | null;
      readonly request: RequestType | null;
      readonly ok: true;
      readonly result: unknown;
    }
  | {
      readonly type: 'response';
      readonly id: number | null;
      readonly request: RequestType | null;
      readonly ok: false;
      readonly error: ErrorJson;
    };

/** Events the engine (or a supervisor, for `restarted`) sends unprompted. */
export type EngineEvent =
  | {
      readonly type: 'event';
      readonly event: 'ready';
      readonly protocol: number;
      /** The engine's float32 kernels, e.g. `wasm-simd x2` or `ts` (optional: older engines omit it). */
      readonly kernels?: string;
    }
  | { readonly type: 'event'; readonly event: 'restarted'; readonly reason: string }
  | {
      readonly type: 'event';
      readonly event: 'progress';
      readonly iteration: number;
      readonly of: number;
      readonly loss: number | null;
      /** The last iteration's batch accuracy (see {@link RunSummary}'s `accuracies`), when there is one. */
      readonly accuracy?: number | null;
      readonly elapsed_ms: number;
    }
  | { readonly type: 'event'; readonly event: 'warning'; readonly message: string; readonly node: string | null };

/** Everything an engine host sends. */
export type EngineMessage = Response | EngineEvent;
