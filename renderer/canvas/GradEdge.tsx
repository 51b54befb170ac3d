/**
 * An edge on the canvas: the tensor's shape as its label; after backward its
 * width shows the gradient's size (d3 log scale), and an edge where gradient
 * stops (into Detach, from a tensor that does not require grad) is drawn cut.
 * While a backward pass is stepped, the edges gradient has crossed keep their
 * colour and width, the one the current step sent along is emphasised, and the
 * ones still to come are dim (`data-step` on the label: crossed, current, pending).
 */
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import { useApp, useServices } from '../app/context';
import { fmt } from '../viz/scales';
import type { GradFlowEdge } from './types';

export type { GradEdgeData, GradFlowEdge } from './types';

function GradEdgeImpl(props: EdgeProps<GradFlowEdge>): React.JSX.Element {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  const [path, lx, ly] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const { studio } = useServices();
  const mode = data?.mode ?? 'none';
  const stepping = useApp((s) => s.engine.phase === 'backward' && s.engine.stepResults.length > 0);
  const step = !stepping || mode === 'cut' ? '' : data?.stepGrad ? 'current' : mode === 'none' ? 'pending' : 'crossed';
  const base: React.CSSProperties =
    mode === 'flow'
      ? { stroke: '#ea580c', strokeWidth: data!.width }
      : mode === 'cut'
        ? { stroke: '#9ca3af', strokeWidth: 1.5, strokeDasharray: '6 5' }
        : mode === 'zero'
          ? { stroke: '#fdba74', strokeWidth: 1.5 }
          : { stroke: selected ? '#2563eb' : '#64748b', strokeWidth: selected ? 2.5 : 1.6 };
  const style: React.CSSProperties =
    step === 'current'
      ? { ...base, stroke: '#c2410c', strokeWidth: Math.max(4, (data?.width ?? 1.5) + 2) }
      : step === 'pending'
        ? { ...base, stroke: '#cbd5e1', strokeDasharray: '2 4' }
        : base;
  return (
    <>
      <BaseEdge id={id} path={path} style={style} {...(markerEnd ? { markerEnd } : {})} interactionWidth={16} />
      <EdgeLabelRenderer>
        {/* placed with left/top and centred by a zero-size flex box, not with a transform: 300+ transformed labels made
            Chromium's per-frame layerization of the graph markedly slower (perf.e2e.test.ts) */}
        <div className="edge-label-anchor" style={{ left: lx, top: ly }}>
          <div
            className={`edge-label edge-${mode} ${data?.stepGrad ? 'edge-step' : ''} ${step ? `edge-${step}` : ''}`}
            data-testid={`edge-label-${id}`}
            data-mode={mode}
            data-step={step}
            title={mode === 'flow' ? `‖grad‖ = ${data!.norm}` : mode === 'cut' ? data!.cutReason : undefined}
            onClick={() => studio.select([], [id])}
          >
            {mode === 'cut' && (
              <span className="edge-cut" aria-label="gradient stops">
                ✂{' '}
              </span>
            )}
            <span className="edge-shape">{data?.shape}</span>
            {mode === 'flow' && <span className="edge-norm"> ‖g‖ {fmt(data!.norm, 3)}</span>}
            {data?.stepGrad && <span className="edge-stepgrad"> ← {data.stepGrad}</span>}
          </div>
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

/** The edge component registered as type `grad`. */
export const GradEdge = memo(GradEdgeImpl);
