/**
 * Commands as data. Each command is a plain JSON-able object; applying one to a
 * document gives the new document and the inverse command (the undo delta),
 * never a snapshot. One command per file in this folder.
 */
import type { GraphDocument, GraphEdge, GraphNode, Meta, RunSpec, XY } from '../../document/types';

/** Adds nodes and edges, optionally at given indices (an undo puts them back where they were). */
export interface AddElements {
  readonly type: 'addElements';
  readonly nodes: readonly { readonly node: GraphNode; readonly index?: number }[];
  readonly edges: readonly { readonly edge: GraphEdge; readonly index?: number }[];
}

/** Removes nodes (with their edges) and edges (by target port key `node:port`). */
export interface RemoveElements {
  readonly type: 'removeElements';
  readonly nodeIds: readonly string[];
  readonly edgeKeys: readonly string[];
}

/** Moves nodes to new positions. */
export interface MoveNodes {
  readonly type: 'moveNodes';
  readonly moves: readonly { readonly id: string; readonly to: XY }[];
}

/** Sets some params of a node and removes others (back to PyTorch's default). */
export interface SetParams {
  readonly type: 'setParams';
  readonly id: string;
  readonly set: Readonly<Record<string, unknown>>;
  readonly unset: readonly string[];
}

/** Sets or clears a node's label and retain_grad (`null` clears). */
export interface SetNodeProps {
  readonly type: 'setNodeProps';
  readonly id: string;
  readonly label?: string | null;
  readonly retain_grad?: boolean | null;
}

/** Renames a node, updating its edges and the run section. */
export interface RenameNode {
  readonly type: 'renameNode';
  readonly from: string;
  readonly to: string;
}

/** Replaces the run section (`null` removes it). */
export interface SetRun {
  readonly type: 'setRun';
  readonly run: RunSpec | null;
}

/** Replaces the meta section. */
export interface SetMeta {
  readonly type: 'setMeta';
  readonly meta: Meta;
}

/** Feeds `from`'s output back into Tensor node `to` for the next iteration (a `run.feedback` pair). */
export interface AddFeedback {
  readonly type: 'addFeedback';
  readonly from: string;
  readonly to: string;
  /** Position in `run.feedback` (default: last). */
  readonly index?: number;
}

/** Removes the feedback into Tensor node `to`. */
export interface RemoveFeedback {
  readonly type: 'removeFeedback';
  readonly to: string;
}

/** Several commands applied in order as one (their inverse runs in reverse). */
export interface Batch {
  readonly type: 'batch';
  readonly commands: readonly Command[];
}

/** Every command. */
export type Command =
  | AddElements
  | RemoveElements
  | MoveNodes
  | SetParams
  | SetNodeProps
  | RenameNode
  | SetRun
  | SetMeta
  | AddFeedback
  | RemoveFeedback
  | Batch;

/** What applying a command gives. */
export interface Applied {
  readonly doc: GraphDocument;
  readonly inverse: Command;
}

/** An error a command raises when it cannot apply (unknown node, taken id). */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}
