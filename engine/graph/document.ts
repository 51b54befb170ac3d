/**
 * The graph document (format version 1) after validation: every param present
 * with its default filled in.
 */

import type { OptimizerOptions } from '../nn/optim';
import type { BoundOp, RunMode } from '../ops/define';

export type { InitSpec } from '../protocol/op-spec';

/** A validated `run.optimizer`: the optimizer's arguments and the parameters it updates (null: the default set). */
export type OptimizerSpec = OptimizerOptions & { readonly params: readonly string[] | null };

/**
 * A validated node. `params` holds every parameter of the op, defaults filled
 * in, as checked JSON values; `impl` is the node's op module with those
 * parameters bound and typed, which is how the engine uses them.
 */
export interface GraphNode {
  readonly id: string;
  readonly op: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly impl: BoundOp;
  readonly retainGrad: boolean;
  /** Index in the document's `nodes` (the topological tie-break). */
  readonly index: number;
}

/** A validated edge. */
export interface GraphEdge {
  readonly source: string;
  /** The source's output (`out` for every op with one output). */
  readonly sourceHandle: string;
  readonly target: string;
  readonly targetHandle: string;
  /** Index in the document's `edges`. */
  readonly index: number;
}

/** The `run` section. */
export interface RunSpec {
  readonly backward: string | null;
  readonly iterations: number;
  readonly feedback: readonly { readonly from: string; readonly to: string }[];
  readonly zeroGrad: boolean;
  /**
   * Extension of version 1: run the update phase under `torch.no_grad()` (default
   * false, as the spec's update phase records gradients like plain Python code).
   */
  readonly updateNoGrad: boolean;
  /** `model.train()` (default, as nn.Module) or `model.eval()`: what BatchNorm2d and Dropout do. */
  readonly mode: RunMode;
  /** `run.optimizer`: `torch.optim`'s SGD, Adam or AdamW, stepped after backward (absent: none). */
  readonly optimizer?: OptimizerSpec;
}

/** A validated document. */
export interface GraphDocument {
  readonly name: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly run: RunSpec;
}

export { FORMAT, VERSION } from '../protocol/format';
export { MAX_ITERATIONS } from '../protocol/document';
