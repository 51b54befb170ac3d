/**
 * A feedback on the canvas: the value `from` computed in iteration k becomes
 * Tensor node `to`'s value in iteration k+1. Drawn dashed and violet, leaving
 * its source to the right, running back under both nodes and entering the
 * Tensor's feedback handle from the left, labelled "next iteration" with what
 * the value carries (a leaf, or a non-leaf with its grad_fn: the cause of
 * PyTorch's "you can only change requires_grad flags of leaf variables.").
 */
import { BaseEdge, EdgeLabelRenderer, useInternalNode, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import { useServices } from '../app/context';
import { FEEDBACK_COLOUR } from './flow-model';
import type { FeedbackFlowEdge } from './types';

export type { FeedbackEdgeData, FeedbackFlowEdge } from './types';

/** How far the path leaves a node sideways and passes under the lower node. */
const OUT = 36;
const UNDER = 40;
const RADIUS = 14;

/** An SVG path through `points` with rounded corners. */
export function roundedPath(points: readonly { x: number; y: number }[], r = RADIUS): string {
  let d = `M${points[0]!.x},${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [a, b, c] = [points[i - 1]!, points[i]!, points[i + 1]!];
    const k1 = Math.min(r, Math.hypot(b.x - a.x, b.y - a.y) / 2) / (Math.hypot(b.x - a.x, b.y - a.y) || 1);
    const k2 = Math.min(r, Math.hypot(c.x - b.x, c.y - b.y) / 2) / (Math.hypot(c.x - b.x, c.y - b.y) || 1);
    d += ` L${b.x - (b.x - a.x) * k1},${b.y - (b.y - a.y) * k1} Q${b.x},${b.y} ${b.x + (c.x - b.x) * k2},${b.y + (c.y - b.y) * k2}`;
  }
  const last = points[points.length - 1]!;
  return `${d} L${last.x},${last.y}`;
}

function bottomOf(n: ReturnType<typeof useInternalNode>): number {
  return n ? n.internals.positionAbsolute.y + (n.measured.height ?? 0) : -Infinity;
}

function FeedbackEdgeImpl(props: EdgeProps<FeedbackFlowEdge>): React.JSX.Element {
  const { id, source, target, sourceX, sourceY, targetX, targetY, data, selected, markerEnd } = props;
  const { studio } = useServices();
  const src = useInternalNode(source);
  const dst = useInternalNode(target);
  const under = Math.max(bottomOf(src), bottomOf(dst), sourceY, targetY) + UNDER;
  const path = roundedPath([
    { x: sourceX, y: sourceY },
    { x: sourceX + OUT, y: sourceY },
    { x: sourceX + OUT, y: under },
    { x: targetX - OUT, y: under },
    { x: targetX - OUT, y: targetY },
    { x: targetX, y: targetY },
  ]);
  const style: React.CSSProperties = {
    stroke: FEEDBACK_COLOUR,
    strokeWidth: selected ? 3 : 2,
    strokeDasharray: '8 6',
  };
  return (
    <>
      <BaseEdge id={id} path={path} style={style} {...(markerEnd ? { markerEnd } : {})} interactionWidth={16} />
      <EdgeLabelRenderer>
        <div className="edge-label-anchor" style={{ left: (sourceX + targetX) / 2, top: under }}>
          <div
            className="edge-label feedback-label"
            data-testid={`feedback-label-${data?.to ?? target}`}
            title={`${data?.from} → ${data?.to}: at the end of each iteration, ${data?.from}'s output becomes ${data?.to}'s value for the next one (Python: ${data?.to} = ${data?.from}).`}
            onClick={() => studio.select([], [id])}
          >
            ↺ next iteration: {data?.to} = {data?.from}
            {data?.carries && <span className="feedback-carries"> ({data.carries})</span>}
          </div>
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

/** The edge component registered as type `feedback`. */
export const FeedbackEdge = memo(FeedbackEdgeImpl);
