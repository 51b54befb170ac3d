/** Data types of the canvas's React Flow nodes and edges (kept apart from the components). */
import type { Edge, Node } from '@xyflow/react';
import type { NodeProblems } from './problems';

/** Data React Flow passes to an op node. */
export type OpNodeData = { problems: NodeProblems };
/** The React Flow node type. */
export type OpFlowNode = Node<OpNodeData, 'op'>;

/** What the canvas computes for each edge. */
export type GradEdgeData = {
  /** Index of the edge in the document (the engine's `edge_flow` refers to it). */
  index: number;
  shape: string;
  /** 'flow': carried gradient; 'cut': gradient stops here; 'zero': carried zeros; 'none': no backward yet. */
  mode: 'none' | 'flow' | 'cut' | 'zero';
  norm: number;
  width: number;
  cutReason: string;
  /** Gradient sent along this edge by the current backward step, if any. */
  stepGrad: string | null;
};
/** The React Flow edge type. */
export type GradFlowEdge = Edge<GradEdgeData, 'grad'>;

/** What the canvas computes for a feedback edge (a value handed to a Tensor node for the next iteration). */
export type FeedbackEdgeData = {
  readonly from: string;
  readonly to: string;
  /** What the fed value is, when known: `leaf` (starts a fresh history) or the grad_fn it carries. */
  readonly carries: string;
};
/** The React Flow edge type of a feedback. */
export type FeedbackFlowEdge = Edge<FeedbackEdgeData, 'feedback'>;
/** Any edge on the canvas. */
export type CanvasEdge = GradFlowEdge | FeedbackFlowEdge;
