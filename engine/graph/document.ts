/**
 * The graph document (format version 1) after validation: every param present
 * with its default filled in.
 */

/** Spec for a tensor's initial values. */
export type InitSpec =
  | { readonly kind: 'values'; readonly data: readonly number[] }
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'full'; readonly value: number }
  | { readonly kind: 'arange'; readonly start: number; readonly step: number }
  | { readonly kind: 'rand'; readonly seed: number }
  | { readonly kind: 'randn'; readonly seed: number }
  | { readonly kind: 'randint'; readonly low: number; readonly high: number; readonly seed: number };

/** A validated node. `params` holds every parameter of the op, defaults filled in. */
export interface GraphNode {
  readonly id: string;
  readonly op: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly retainGrad: boolean;
  /** Index in the document's `nodes` (the topological tie-break). */
  readonly index: number;
}

/** A validated edge. */
export interface GraphEdge {
  readonly source: string;
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
