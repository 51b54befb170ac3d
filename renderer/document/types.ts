/**
 * The graph document (graph format version 1) as the renderer holds it in
 * memory: plain immutable data. Unknown keys are kept in `extra` so a round
 * trip through the canvas does not lose them.
 */

import { FORMAT, VERSION } from '../../engine/protocol/format';

export { FORMAT, VERSION } from '../../engine/protocol/format';

/** A position on the canvas (ignored by the engine). */
export interface XY {
  readonly x: number;
  readonly y: number;
}

/** One node: an op with its params. */
export interface GraphNode {
  readonly id: string;
  readonly op: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly position: XY;
  readonly label?: string;
  readonly retain_grad?: boolean;
  /** Keys of the node this renderer does not know, kept as they were. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** One edge, from a node's output to an input port. */
export interface GraphEdge {
  readonly source: string;
  readonly sourceHandle: string;
  readonly target: string;
  readonly targetHandle: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** One feedback pair of the run section. */
export interface Feedback {
  readonly from: string;
  readonly to: string;
}

/** The `run` section. */
export interface RunSpec {
  readonly backward?: string;
  readonly iterations?: number;
  readonly feedback?: readonly Feedback[];
  readonly zero_grad?: boolean;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** Canvas view state, stored under the top-level `"view"` key. */
export interface ViewState {
  readonly x: number;
  readonly y: number;
  readonly zoom: number;
}

/** Document metadata. */
export interface Meta {
  readonly name?: string;
  readonly description?: string;
  readonly [key: string]: unknown;
}

/** A whole graph document. */
export interface GraphDocument {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly meta: Meta;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Absent when the document has no run section. */
  readonly run?: RunSpec;
  readonly view?: ViewState;
  /** Unknown top-level keys, kept on round trip. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** The key that identifies an edge: its target port (each port takes at most one edge). */
export function edgeKey(e: Pick<GraphEdge, 'target' | 'targetHandle'>): string {
  return `${e.target}:${e.targetHandle}`;
}

/** An empty document. */
export function emptyDocument(name = 'Untitled'): GraphDocument {
  return { format: FORMAT, version: VERSION, meta: { name }, nodes: [], edges: [], run: {}, extra: {} };
}
