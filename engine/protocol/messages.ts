/**
 * The engine's message protocol: what the canvas (or the CLI, or a test) sends
 * to an engine host and what comes back. Every transport (Web Worker, Electron
 * utilityProcess, worker thread) carries exactly these messages. Tensor values
 * travel as Float32Array / Float64Array (transferable), never as JSON arrays.
 */
import type { DocumentIssue, RunErrorJson, RunResultJson } from './result';

/** Bumped on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/** A graph document as JSON (validated by the engine on `load`). */
export type GraphDocumentJson = Record<string, unknown>;

/** Requests: `id` pairs a request with its response. */
export type Request =
  | { readonly type: 'load'; readonly id: number; readonly document: GraphDocumentJson }
  | { readonly type: 'run'; readonly id: number; readonly iterations?: number }
  | { readonly type: 'stepForward'; readonly id: number }
  | { readonly type: 'stepBackward'; readonly id: number }
  | { readonly type: 'reset'; readonly id: number }
  | { readonly type: 'cancel'; readonly id: number }
  | { readonly type: 'getTensor'; readonly id: number; readonly name: string; readonly which: 'value' | 'grad' }
  | { readonly type: 'result'; readonly id: number };

/** Summary statistics of a tensor (NaN-aware: NaN counts are separate). */
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
}

/** Port information inferred before running: enough to mark leaves and shapes. */
export interface PortInfo {
  readonly shape: number[] | null;
  readonly dtype: string | null;
  readonly requires_grad: boolean;
  readonly is_leaf: boolean;
}

/** Reply to `load`. */
export interface LoadResult {
  readonly ok: boolean;
  readonly issues: DocumentIssue[];
  /** Inferred output of every node (and parameter, `conv1.weight`), by name. */
  readonly ports: Record<string, PortInfo>;
  /** Forward execution order of the first iteration. */
  readonly order: string[];
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
}

/** A gradient seen during a backward step. */
export interface GradSummary {
  readonly shape: number[];
  readonly stats: Stats;
}

/** Reply to `stepForward`. */
export interface ForwardStepResult {
  readonly phase: 'forward' | 'backward' | 'update' | 'done';
  /** The graph node just executed (null when nothing was left). */
  readonly node: string | null;
  readonly grad_fn: string | null;
  readonly tensor: TensorSummary | null;
  readonly error: RunErrorJson | null;
}

/** Reply to `stepBackward`: exactly one grad_fn executed. */
export interface BackwardStepResult {
  readonly index: number;
  readonly grad_fn: string;
  /** The graph node the function belongs to (`fc` for its TBackward0, `fc.weight` for its AccumulateGrad). */
  readonly node: string | null;
  /** Gradients that arrived, one per forward output of the function. */
  readonly inputs: (GradSummary | null)[];
  /** Gradients sent along each next edge, with the function and graph node they went to. */
  readonly outputs: { readonly to: string | null; readonly to_node: string | null; readonly grad: GradSummary | null }[];
  /** For AccumulateGrad: the leaf's `.grad` before and after. */
  readonly leaf: { readonly name: string; readonly before: Stats | null; readonly after: Stats } | null;
  /** True when this was the last function of the backward pass. */
  readonly done: boolean;
  readonly error: RunErrorJson | null;
}

/** Reply to `getTensor`. */
export interface TensorData {
  readonly name: string;
  readonly which: 'value' | 'grad';
  readonly shape: number[];
  readonly dtype: string;
  readonly data: Float32Array | Float64Array;
}

/** Errors as they travel: PyTorch's type and message, and where. */
export type ErrorJson = {
  readonly type: string;
  readonly message: string;
  readonly node: string | null;
  readonly phase: string | null;
  readonly iteration: number | null;
};

/** Responses. */
export type Response =
  | { readonly type: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'response'; readonly id: number; readonly ok: false; readonly error: ErrorJson };

/** Events the engine sends unprompted. */
export type EngineEvent =
  | { readonly type: 'event'; readonly event: 'ready'; readonly protocol: number }
  | { readonly type: 'event'; readonly event: 'restarted'; readonly reason: string }
  | {
      readonly type: 'event';
      readonly event: 'progress';
      readonly iteration: number;
      readonly of: number;
      readonly loss: number | null;
      readonly elapsed_ms: number;
    }
  | { readonly type: 'event'; readonly event: 'warning'; readonly message: string; readonly node: string | null };

/** Everything an engine host sends. */
export type EngineMessage = Response | EngineEvent;
