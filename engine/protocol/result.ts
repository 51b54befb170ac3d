/**
 * The result JSON of a run (graph format version 1, "Result"), shared by the
 * engine, the CLI, the protocol and the canvas.
 */

/** `.grad` of a tensor in a result. */
export interface GradJson {
  readonly shape: number[];
  readonly data: (number | null)[];
}

/** One tensor of a result. */
export interface TensorJson {
  readonly shape: number[];
  readonly dtype: 'float32' | 'int64' | 'float64';
  /** Row-major values. NaN and ±Infinity are written as JSON's NaN/Infinity tokens by the CLI. */
  readonly data: number[];
  readonly requires_grad: boolean;
  readonly is_leaf: boolean;
  readonly grad_fn: string | null;
  readonly grad: GradJson | null;
}

/** One grad_fn execution of the backward pass. */
export interface BackwardStepJson {
  readonly grad_fn: string;
  /** The graph node (or parameter, `conv1.weight`) that created the function. */
  readonly node: string | null;
}

/** Where a run stopped with an error. */
export type Phase = 'setup' | 'forward' | 'backward' | 'update';

/** An error PyTorch would raise, attached to its node and phase. */
export interface RunErrorJson {
  readonly type: string;
  readonly message: string;
  readonly node: string | null;
  readonly phase: Phase;
  readonly iteration: number;
}

/**
 * `optimizer.state` after the run: by parameter name (`fc.weight`, a Tensor
 * node id), the entries PyTorch keeps, in its order (`momentum_buffer`, null
 * without momentum; `step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`). Only
 * parameters that had a `.grad` at some step have state, as in PyTorch.
 */
export interface OptimizerJson {
  readonly kind: 'SGD' | 'Adam' | 'AdamW';
  /** The parameters the optimizer updates, in its order. */
  readonly params: string[];
  readonly state: Record<string, Record<string, GradJson | number | null>>;
}

/** The result of running a graph. */
export interface RunResultJson {
  readonly tensors: Record<string, TensorJson>;
  readonly backward_steps: BackwardStepJson[];
  readonly iterations_run: number;
  readonly error: RunErrorJson | null;
  /** Present when the document has `run.optimizer`. */
  readonly optimizer?: OptimizerJson;
}

/** A fault in a graph document, located by its JSON path (`nodes[3].params.kernel_size`). */
export interface DocumentIssue {
  readonly path: string;
  readonly message: string;
  /** The node the fault belongs to, when there is one. */
  readonly node?: string;
}
