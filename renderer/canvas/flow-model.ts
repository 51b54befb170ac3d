/**
 * Builds React Flow nodes and edges from the document and the engine slice
 * (pure, so it can be tested without a DOM).
 */
import { MarkerType, type ReactFlowInstance } from '@xyflow/react';
import { FEEDBACK_HANDLE, feedbackEdgeId, feedbackOf } from '../document/feedback';
import type { SizeOf } from '../document/placement';
import type { GraphDocument } from '../document/types';
import { edgeKey } from '../document/types';
import { currentStep, flagsOf, type EngineSlice } from '../state/engine-state';
import type { Selection } from '../state/store';
import { fmt, gradWidthScale } from '../viz/scales';
import type { FeedbackFlowEdge, GradFlowEdge, OpFlowNode } from './types';
import { problemsOf, type NodeProblems } from './problems';

/** React Flow nodes for the document. */
export function flowNodes(doc: GraphDocument, sel: Selection, problems: Map<string, NodeProblems>): OpFlowNode[] {
  const selected = new Set(sel.nodes);
  return doc.nodes.map((n) => ({
    id: n.id,
    type: 'op',
    position: n.position,
    selected: selected.has(n.id),
    data: { problems: problemsOf(problems, n.id) },
  }));
}

/** Why gradient does not flow along an edge, or null when it can. */
export function cutReason(doc: GraphDocument, engine: EngineSlice, source: string, target: string): string | null {
  const t = doc.nodes.find((n) => n.id === target);
  if (t?.op === 'Detach') return 'Detach: gradient stops here (the output shares storage but has no grad_fn)';
  if (t?.op === 'Grad') return 'Grad reads .grad after backward; no gradient flows back';
  const f = flagsOf(engine, source);
  if (f && !f.requiresGrad) return `“${source}” has requires_grad = False: no gradient flows into it`;
  return null;
}

/** Range of the gradient norms that flowed, for the width scale and its legend. */
export function flowRange(engine: EngineSlice): [number, number] | null {
  const norms = engine.edgeFlow.map((f) => f.norm).filter((n) => n > 0 && Number.isFinite(n));
  return norms.length ? [Math.min(...norms), Math.max(...norms)] : null;
}

/** React Flow edges for the document, with shape labels and gradient flow. */
export function flowEdges(doc: GraphDocument, engine: EngineSlice, sel: Selection): GradFlowEdge[] {
  const selected = new Set(sel.edges);
  const range = flowRange(engine);
  const width = range ? gradWidthScale(range[0], range[1]) : () => 1.5;
  const flow = new Map(engine.edgeFlow.map((f) => [f.edge, f.norm]));
  const step = currentStep(engine);
  return doc.edges.map((e, index) => {
    const key = edgeKey(e);
    const f = flagsOf(engine, e.source);
    const reason = engine.backwardRan ? cutReason(doc, engine, e.source, e.target) : null;
    const norm = flow.get(index);
    const mode = reason ? 'cut' : norm !== undefined ? (norm > 0 ? 'flow' : 'zero') : 'none';
    const sent = step?.outputs.find((o) => o.to_node === e.source && step.node?.split('.')[0] === e.target);
    return {
      id: key,
      type: 'grad',
      source: e.source,
      target: e.target,
      sourceHandle: e.sourceHandle,
      targetHandle: e.targetHandle,
      selected: selected.has(key),
      // only the input end can be pulled off its port (the output end of a short edge would cover the edge)
      reconnectable: 'target',
      // the DOM contract of an edge (issue 13): focusable (React Flow's tabindex), named by its ends
      domAttributes: {
        'data-testid': 'edge',
        'data-source': e.source,
        'data-target': e.target,
        'data-target-handle': e.targetHandle,
      } as GradFlowEdge['domAttributes'],
      data: {
        index,
        shape: f?.shape ? `[${f.shape.join(', ')}]` : '',
        mode,
        norm: norm ?? 0,
        width: norm ? width(norm) : 1.5,
        cutReason: reason ?? '',
        stepGrad: sent?.grad ? `grad ‖${fmt(sent.grad.stats.absMax, 3)}‖∞` : null,
      },
    };
  });
}

/** The colour of feedback edges (styles.css `--feedback`). */
export const FEEDBACK_COLOUR = '#7c3aed';

/** What a fed value carries into the next iteration, from the flags of its source. */
function carries(engine: EngineSlice, from: string): string {
  const f = flagsOf(engine, from);
  if (!f) return '';
  if (f.leaf) return 'leaf';
  return f.gradFn ? `non-leaf · ${f.gradFn}` : 'non-leaf';
}

/**
 * React Flow edges for the run's feedback pairs: each from its source's `out`
 * to the Tensor node's feedback handle, drawn back under the graph
 * (FeedbackEdge.tsx). The DOM contract: `data-testid="feedback-edge"`,
 * `data-from`, `data-to`.
 */
export function feedbackEdges(doc: GraphDocument, engine: EngineSlice, sel: Selection): FeedbackFlowEdge[] {
  const selected = new Set(sel.edges);
  const ids = new Set(doc.nodes.map((n) => n.id));
  return feedbackOf(doc)
    .filter((f) => ids.has(f.from) && ids.has(f.to))
    .map((f) => {
      const id = feedbackEdgeId(f.to);
      return {
        id,
        type: 'feedback',
        source: f.from,
        target: f.to,
        sourceHandle: 'out',
        targetHandle: FEEDBACK_HANDLE,
        selected: selected.has(id),
        reconnectable: false,
        markerEnd: { type: MarkerType.ArrowClosed, color: FEEDBACK_COLOUR, width: 16, height: 16 },
        domAttributes: {
          'data-testid': 'feedback-edge',
          'data-from': f.from,
          'data-to': f.to,
        } as FeedbackFlowEdge['domAttributes'],
        data: { from: f.from, to: f.to, carries: carries(engine, f.from) },
      };
    });
}

/** The sizes React Flow measured, for placing new nodes beside drawn ones. */
export function sizeOfFlow(rf: Pick<ReactFlowInstance, 'getInternalNode'>): SizeOf {
  return (id) => {
    const m = rf.getInternalNode(id)?.measured;
    return m?.width && m.height ? { width: m.width, height: m.height } : undefined;
  };
}
